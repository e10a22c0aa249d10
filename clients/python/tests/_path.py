"""Puts ``src/`` first on ``sys.path``, so the tests run against this checkout without installing it."""

import os
import sys

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)
