"""``python -m agentsecretstore``: the approver CLI (see :mod:`agentsecretstore.cli`)."""

import sys

from .cli import main

sys.exit(main())
