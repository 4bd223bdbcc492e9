"""`python -m bot` runs the same command line as `twitchcare`."""

import sys

from bot.ops.cli import main

sys.exit(main())
