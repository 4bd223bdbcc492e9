"""Content roots for locale tests: the shipped locales, and a marked copy of English as `xx`.

`xx` is English with MARK before every text (never before ids, fields or values), so a test can
tell from any message which locale it came from, on a branch where only English exists. Tests
parametrised over `shipped_locales()` cover each real translation as soon as it is merged.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.texts.content import locale_folders
from bot.texts.content_parity import IDENTITY_KEYS
from content import CONTENT_ROOT

DEFAULT = "en"
FAKE = "xx"
# Cyrillic letters, so charts and PDFs of this locale prove their font has the glyphs.
MARK = "‹жх› "
# Texts that may not start with a mark: a mark would break their rule, not their language.
_UNMARKED = {"checked_mark", "unchecked_mark"}


def shipped_locales() -> list[str]:
    return locale_folders(CONTENT_ROOT)


def content_root_with(tmp_path: Path, *locales: str) -> Path:
    """A content root in tmp_path with the default locale and a copy of each of `locales` (a
    real one, or FAKE: the marked English)."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT_ROOT / DEFAULT, root / DEFAULT)
    shutil.copy(CONTENT_ROOT / "emergency_numbers.yaml", root / "emergency_numbers.yaml")
    for locale in locales:
        if locale == FAKE:
            _write_marked(root / FAKE)
        elif locale != DEFAULT:
            shutil.copytree(CONTENT_ROOT / locale, root / locale)
    return root


def copy_as_fake(locale: str, tmp_path: Path) -> Path:
    """A content root whose FAKE locale is an unchanged copy of `locale`, beside English."""
    root = content_root_with(tmp_path)
    shutil.copytree(CONTENT_ROOT / locale, root / FAKE)
    return root


def _write_marked(folder: Path) -> None:
    folder.mkdir(parents=True)
    for path in (CONTENT_ROOT / DEFAULT).glob("*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        marked = data if path.name == "terms.yaml" else _marked(data, "")
        (folder / path.name).write_text(yaml.safe_dump(marked, allow_unicode=True), "utf-8")


def _marked(value: object, key: str) -> object:
    if key == "emergency_signs":  # words the texts must contain, not texts
        return value
    if isinstance(value, dict):
        return {k: _marked(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(item, key) for item in value]
    if isinstance(value, str) and key not in IDENTITY_KEYS | _UNMARKED:
        return MARK + value
    return value
