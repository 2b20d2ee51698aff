"""``python -m topiclens.apps.cli``."""

import sys

from . import main

sys.exit(main())
