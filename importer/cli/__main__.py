"""``python -m importer.cli``: the same as the ``importer`` command."""

import sys

from importer.cli import main

sys.exit(main())
