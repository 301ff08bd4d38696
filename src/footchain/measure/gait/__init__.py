"""Gait from real recordings: readers per format, events, strides, variability, symmetry and COP.

>>> from footchain.measure.gait import load_recording, analyze_gait
>>> result = analyze_gait(load_recording("GaCo01_01.txt"))  # doctest: +SKIP
>>> result["summary"]["symmetry_index_percent"]["stride_time"]  # doctest: +SKIP
"""

from __future__ import annotations

from footchain.measure.gait.analysis import SCHEMA_VERSION, analyze_gait
from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.readers import SUPPORTED_FORMATS, load_recording, parse_column_map, sniff_format
from footchain.measure.gait.recording import PlateForce, Recording

__all__ = [
    "SCHEMA_VERSION",
    "SUPPORTED_FORMATS",
    "PlateForce",
    "Recording",
    "RecordingError",
    "analyze_gait",
    "load_recording",
    "parse_column_map",
    "sniff_format",
]
