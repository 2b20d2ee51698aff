"""``python -m topiclens.cli``."""

import sys

from . import main

sys.exit(main())
