"""``python -m veche.cli`` is the ``veche`` command."""

import sys

from veche.cli import main

sys.exit(main())
