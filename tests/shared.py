"""Where the shared contracts and real recordings live: ``../shared`` beside the repository.

They are read in place, never copied into the project (see ../shared/data/README.md for sources and
licences). ``FOOTCHAIN_SHARED`` points elsewhere when the checkout is laid out differently.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FOOTCHAIN_SHARED", REPO.parent / "shared"))
CONTRACTS = SHARED / "contracts"
DATA = SHARED / "data"
