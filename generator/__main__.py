"""`python -m generator` is the `papers` command."""
from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
