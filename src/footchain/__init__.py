"""footchain: could my feet be behind my back, hip or leg pain, and what should I do about it?

Public API (imported lazily so that the command line starts fast)::

    from footchain import assess, analyze_footprint, analyze_gait, load_recording
    assessment = assess(intake)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "analyze_footprint", "analyze_gait", "assess", "load_recording"]

_HOMES = {
    "assess": "footchain.engine",
    "analyze_footprint": "footchain.measure.footprint.analyze",
    "analyze_gait": "footchain.measure.gait",
    "load_recording": "footchain.measure.gait",
}

if TYPE_CHECKING:
    from footchain.engine import assess
    from footchain.measure.footprint.analyze import analyze_footprint
    from footchain.measure.gait import analyze_gait, load_recording


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'footchain' has no attribute {name!r}")
