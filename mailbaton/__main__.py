"""`python -m mailbaton` runs the command line."""

import sys

from mailbaton.launch import main

sys.exit(main())
