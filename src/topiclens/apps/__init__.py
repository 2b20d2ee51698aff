"""The top layer: the applications built on ``TopicModel`` — the command line (``cli``) and the local web
workbench's server (``serve``). Nothing below imports from here."""
