"""footchain: could my feet be behind my back, hip or leg pain, and what should I do about it?

Public API (imported lazily so that the command line starts fast)::

    from footchain import assess
    assessment = assess(intake)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "assess"]

if TYPE_CHECKING:
    from footchain.engine import assess


def __getattr__(name: str) -> Any:
    if name == "assess":
        from footchain.engine import assess

        return assess
    raise AttributeError(f"module 'footchain' has no attribute {name!r}")
