"""The page's texts and the page agree: every text the page asks for exists in webapp.yaml, and
every text there is one the page shows (no dead keys to translate five times)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.texts.content_webapp import WebappTexts

STATIC = Path(__file__).parents[2] / "bot" / "webapp" / "static"
KEYS = frozenset(WebappTexts.model_fields)


def _sources() -> tuple[str, str]:
    return (STATIC / "app.js").read_text(encoding="utf-8"), (STATIC / "index.html").read_text(
        encoding="utf-8"
    )


def asked_for(script: str, page: str) -> set[str]:
    """Keys looked up by name: `t("key")` in the script, `data-t="key"` in the page."""
    return set(re.findall(r'\bt\("(\w+)"', script)) | set(re.findall(r'data-t="(\w+)"', page))


def shown(script: str, page: str) -> set[str]:
    """Keys the page can show: named anywhere as a string, or built by a template such as
    `phase_${name}` from a string the script holds."""
    literals = set(re.findall(r'"(\w+)"', script)) | set(re.findall(r'data-t="(\w+)"', page))
    templates = re.findall(r"`(\w*)\$\{[^}`]+\}(\w*)`", script)
    built = {f"{before}{name}{after}" for before, after in templates for name in literals}
    return (literals | built) & KEYS


def test_every_text_the_page_asks_for_exists() -> None:
    assert asked_for(*_sources()) - KEYS == set()


def test_every_text_in_webapp_yaml_is_shown_by_the_page() -> None:
    assert KEYS - shown(*_sources()) == set()


def test_the_check_catches_a_missing_and_an_unused_key() -> None:
    script, page = _sources()
    assert asked_for('t("no_such_text")', "") - KEYS == {"no_such_text"}
    without = script.replace('"eyes_blink"', '"x"')
    assert "eyes_blink" in KEYS - shown(without, page)
