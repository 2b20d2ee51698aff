"""The workbench: ``topiclens serve DIR``, a local web app to look at a saved model and shape it.

- :mod:`.requests` checks what the browser asks for (edits, relabels, exports) before anything runs;
- :mod:`.workspace` holds the one model, changes it only through TopicModel's own methods and saves
  every change into the model directory at once, on the undo stack ``topiclens undo`` uses;
- :mod:`.changes` says what an edit will change before it is applied;
- :mod:`.jobs` runs LLM relabels and descriptions in the background, saving topic by topic;
- :mod:`.guard` refuses foreign hosts, cross-origin requests and requests without the session token;
- :mod:`.app` maps the routes, and :mod:`.server` binds the socket and runs it.
"""
