"""Recognising and decoding the text exports of measuring devices (gait insoles, pressure plates)."""

from __future__ import annotations

# Control characters that do not occur in text exports (tab, line feed, form feed and CR excepted).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def looks_binary(data: bytes) -> bool:
    """Whether the bytes look like a binary file rather than a text export."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control > max(4, len(head) // 100)


def to_text(data: bytes) -> str:
    """Text with Unix line ends: UTF-8 (with or without a byte-order mark), else Windows-1252."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")
