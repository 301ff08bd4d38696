"""Errors raised while reading or analysing a gait recording."""

from __future__ import annotations

from footchain.errors import FootchainError


class RecordingError(FootchainError):
    """A gait recording cannot be read or analysed; ``str(error)`` says what is wrong and what to do.

    Raised for an empty, truncated, binary or non-numeric file, an unknown format, a missing or
    inconsistent sampling rate, or a recording with no force at all. The CLI prints the message
    without a traceback and exits non-zero.
    """


class UnknownFormatError(RecordingError):
    """The file is readable but in no recording format footchain knows; the message lists the formats.

    A web page for a person at home says so in two plain sentences instead (``web/uploads.py``).
    """
