"""Entry point of ``python -m csm``."""

import sys

from csm.cli import main

sys.exit(main())
