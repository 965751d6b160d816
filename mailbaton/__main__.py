"""`python -m mailbaton` runs the command line."""

import sys

from mailbaton.app.cli import main

sys.exit(main())
