"""What the job reads and the errors it reports: input formats, paths (no Spark here)."""

from __future__ import annotations

import os

FORMATS = ("parquet", "csv", "json", "orc", "delta")


class UserError(Exception):
    """A mistake in the arguments or the input: reported in one line, exit code 2."""


def guess_format(path: str) -> str:
    """Input format from the path: its extension, or the files of a directory."""
    local = path.removeprefix("file://")
    if os.path.isdir(os.path.join(local, "_delta_log")):
        return "delta"
    names = [local]
    if os.path.isdir(local):
        names = sorted(os.listdir(local))
    for name in names:
        for fmt in ("parquet", "csv", "json", "orc"):
            if name.endswith("." + fmt) or f".{fmt}." in name:
                return fmt
    return "parquet"


def same_or_nested(a: str, b: str) -> bool:
    a, b = (os.path.abspath(p.removeprefix("file://")).rstrip("/") for p in (a, b))
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")
