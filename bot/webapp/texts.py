"""The page's own texts: `content/<locale>/webapp.yaml`, flattened to dotted keys for the page.

The file is the page's (its keys are the page's business); the server only hands it over in the
person's locale, read once per file version.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

FILE_NAME = "webapp.yaml"


def page_texts(root: Path, locale: str) -> dict[str, str]:
    """The locale's page texts as {"a.b": "text"}; empty when the file does not exist."""
    path = root / locale / FILE_NAME
    try:
        stat = path.stat()
    except OSError:
        return {}
    return dict(_read(path, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=32)
def _read(path: Path, _mtime_ns: int, _size: int) -> tuple[tuple[str, str], ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(_flatten(data, ""))


def _flatten(data: Any, prefix: str) -> list[tuple[str, str]]:
    if isinstance(data, dict):
        return [pair for key, value in data.items() for pair in _flatten(value, f"{prefix}{key}.")]
    return [(prefix.removesuffix("."), "" if data is None else str(data))]
