"""Parity of a locale with the default one: the same keys, placeholders, buttons and answers.

Each locale is validated on its own by its models (HTML, lengths, the placeholders a key may
use); this compares the raw YAML of two locale folders, so a translation cannot drop a text,
add one the bot never reads, lose a `{placeholder}` the original fills in, or change what a
button means. Labels may differ; ids, fields and values may not.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path

import yaml

# Keys whose values are identities (callback data, stored fields, answer values), not words.
IDENTITY_KEYS = frozenset(
    {"id", "field", "value", "kind", "days_ago", "value_if_skipped", "skip_when_no_episodes"}
)
# Subtrees each locale fills in for its own countries (terms.yaml: words for local services).
OWN_KEYS = {"terms.yaml": ("countries",)}
_Path = tuple[str, ...]


def parity_problems(default_dir: Path, locale_dir: Path) -> list[str]:
    """Every difference of `locale_dir` from `default_dir`, as `"<file>: <key>: <message>"`.

    Files that are missing or unreadable are left to the locale's own validation."""
    default = default_dir.name
    problems: list[str] = []
    for path in sorted(default_dir.glob("*.yaml")):
        theirs = _read(locale_dir / path.name)
        ours = _read(path)
        if theirs is None or ours is None:
            continue
        skip = OWN_KEYS.get(path.name, ())
        problems += [
            f"{path.name}: {'.'.join(key) or '(root)'}: {message}"
            for key, message in _differences(ours, theirs, (), default, skip)
        ]
    return problems


def _read(path: Path) -> object | None:
    try:
        data: object = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data


def _differences(
    ours: object, theirs: object, path: _Path, default: str, skip: tuple[str, ...]
) -> Iterator[tuple[_Path, str]]:
    if path and path[0] in skip:
        return
    if isinstance(ours, dict) and isinstance(theirs, dict):
        yield from _dict_differences(ours, theirs, path, default, skip)
    elif isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            yield path, f"has {len(theirs)} items; {default} has {len(ours)}"
            return
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            yield from _differences(a, b, (*path, str(index)), default, skip)
    else:
        yield from _scalar_differences(ours, theirs, path, default)


def _dict_differences(
    ours: dict[object, object],
    theirs: dict[object, object],
    path: _Path,
    default: str,
    skip: tuple[str, ...],
) -> Iterator[tuple[_Path, str]]:
    for key in ours.keys() - theirs.keys():
        yield (*path, str(key)), f"missing key ({default} has it)"
    for key in theirs.keys() - ours.keys():
        yield (*path, str(key)), f"extra key ({default} has no such key)"
    for key in ours.keys() & theirs.keys():
        yield from _differences(ours[key], theirs[key], (*path, str(key)), default, skip)


def _scalar_differences(
    ours: object, theirs: object, path: _Path, default: str
) -> Iterator[tuple[_Path, str]]:
    identity = bool(path) and path[-1] in IDENTITY_KEYS
    if identity or not isinstance(ours, str) or not isinstance(theirs, str):
        if ours != theirs:
            yield path, f"is {theirs!r}; must be {ours!r} as in {default}"
        return
    mine, other = _placeholders(ours), _placeholders(theirs)
    if mine != other:
        expected = ", ".join(f"{{{n}}}" for n in sorted(mine)) or "none"
        found = ", ".join(f"{{{n}}}" for n in sorted(other)) or "none"
        yield path, f"placeholders {found}; {default} has {expected}"


def _placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:  # a stray brace: the locale's own validation reports it
        return set()
