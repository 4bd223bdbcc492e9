"""Telegram's HTML parse mode, checked without sending: valid markup and the visible length.

Telegram accepts only a few tags, needs `<` and `&` escaped (a bare `>` is accepted), and knows
only the entities `&lt;` `&gt;` `&amp;` `&quot;` plus numeric ones. The 4,096-character limit is
counted on the visible text in UTF-16 code units.
"""

from __future__ import annotations

import re

# Tag -> attributes it may carry, and the attributes it must carry.
_ALLOWED_ATTRS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "tg-spoiler": frozenset(),
    "span": frozenset({"class"}),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
}
_REQUIRED_ATTRS: dict[str, str] = {"a": "href", "span": "class", "tg-emoji": "emoji-id"}
ALLOWED_TAGS: frozenset[str] = frozenset(_ALLOWED_ATTRS)

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
_ATTR = re.compile(r"\s+([A-Za-z][\w-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ANY_TAG = re.compile(r"<[^<>]*>")


class _Problem(Exception):
    """The first thing wrong with the markup."""


def html_problem(text: str) -> str | None:
    """Describe the first reason Telegram would reject `text` in HTML parse mode, or None."""
    try:
        _check(text)
    except _Problem as problem:
        return str(problem)
    return None


def visible_text(text: str) -> str:
    """What the person sees: tags stripped and entities decoded (best effort on bad markup)."""
    stripped = _ANY_TAG.sub("", text)
    return _ENTITY.sub(lambda m: _decode(m.group(1)) or m.group(0), stripped)


def visible_length(text: str) -> int:
    """The visible length as Telegram counts it, in UTF-16 code units."""
    return utf16_length(visible_text(text))


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units (an emoji outside the BMP counts as two)."""
    return len(text.encode("utf-16-le")) // 2


def _check(text: str) -> None:
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "<":
            pos = _tag(text, pos, stack)
        elif char == "&":
            pos = _entity(text, pos)
        else:
            pos += 1
    if stack:
        raise _Problem(f"<{stack[-1]}> is never closed")


def _tag(text: str, pos: int, stack: list[str]) -> int:
    match = _TAG.match(text, pos)
    if match is None:
        raise _Problem(f"unescaped '<' at character {pos + 1} (write &lt;)")
    closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
    if name not in ALLOWED_TAGS:
        raise _Problem(f"tag <{name}> is not supported by Telegram (character {pos + 1})")
    if closing:
        _close(name, attrs, stack, pos)
    else:
        _open(name, _attributes(name, attrs, pos), stack, pos)
    return match.end()


def _attributes(name: str, raw: str, pos: int) -> dict[str, str]:
    if raw.rstrip().endswith("/"):
        raise _Problem(f"self-closing <{name}/> is not supported (character {pos + 1})")
    attrs: dict[str, str] = {}
    end = 0
    for found in _ATTR.finditer(raw):
        if found.start() != end:
            break
        end = found.end()
        value = next((v for v in found.group(2, 3, 4) if v is not None), "")
        attrs[found.group(1).lower()] = value
    if raw[end:].strip():
        raise _Problem(f"malformed attributes in <{name}> (character {pos + 1})")
    unknown = sorted(set(attrs) - _ALLOWED_ATTRS[name])
    if unknown:
        raise _Problem(f"<{name}> cannot have attribute {unknown[0]!r} (character {pos + 1})")
    return attrs


def _open(name: str, attrs: dict[str, str], stack: list[str], pos: int) -> None:
    required = _REQUIRED_ATTRS.get(name)
    if required is not None and not attrs.get(required):
        raise _Problem(f"<{name}> needs a {required} attribute (character {pos + 1})")
    if name == "span" and attrs["class"] != "tg-spoiler":
        raise _Problem(f'<span> must have class="tg-spoiler" (character {pos + 1})')
    if stack and stack[-1] in ("code", "pre") and not (name == "code" and stack[-1] == "pre"):
        raise _Problem(f"<{name}> cannot be nested inside <{stack[-1]}> (character {pos + 1})")
    if name == "blockquote" and "blockquote" in stack:
        raise _Problem(f"blockquotes cannot be nested (character {pos + 1})")
    stack.append(name)


def _close(name: str, attrs: str, stack: list[str], pos: int) -> None:
    if attrs.strip():
        raise _Problem(f"closing tag </{name}> has attributes (character {pos + 1})")
    if not stack:
        raise _Problem(f"</{name}> closes a tag that was never opened (character {pos + 1})")
    if stack[-1] != name:
        raise _Problem(f"</{name}> found where </{stack[-1]}> was expected (character {pos + 1})")
    stack.pop()


def _entity(text: str, pos: int) -> int:
    match = _ENTITY.match(text, pos)
    if match is None:
        raise _Problem(f"unescaped '&' at character {pos + 1} (write &amp;)")
    if _decode(match.group(1)) is None:
        raise _Problem(f"unsupported entity {match.group(0)} at character {pos + 1}")
    return match.end()


def _decode(body: str) -> str | None:
    """The character an entity body stands for, or None if Telegram does not know it."""
    if not body.startswith("#"):
        return _NAMED.get(body)
    code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)
