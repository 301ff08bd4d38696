"""Writing reports so that a failed write never leaves a half-written file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from footchain.errors import FootchainError


def write_output(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise FootchainError(f"{path}: cannot write there ({exc.strerror}).") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise FootchainError(f"{path}: cannot write there ({exc.strerror}).") from None
