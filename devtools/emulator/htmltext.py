"""Telegram's HTML parse mode: the supported tags, entity decoding, and its error wording.

The parser turns HTML into the plain text the person sees plus Telegram `MessageEntity`s
(offsets and lengths in UTF-16 code units, as the Bot API counts them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from devtools.emulator.errors import ApiError, bad_request

_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[A-Za-z][\w-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTR = re.compile(r"\s+([A-Za-z][\w-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_CHAR_REF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);")
_PLAIN = re.compile(r"[^<&]+")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SUPPORTED = frozenset({*_SIMPLE, "span", "a", "blockquote", "tg-emoji"})
_LEAF = frozenset({"code", "pre"})
_LANGUAGE = "\0language"  # internal key: never a parsed attribute name


@dataclass(frozen=True)
class Entity:
    """A Telegram MessageEntity."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body


@dataclass(frozen=True)
class FormattedText:
    """What the person sees (`text`) and how it is formatted (`entities`)."""

    text: str
    entities: tuple[Entity, ...] = ()


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int


@dataclass
class _Parser:
    source: str
    parts: list[str] = field(default_factory=list)
    length16: int = 0
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def run(self) -> FormattedText:
        pos = 0
        while pos < len(self.source):
            char = self.source[pos]
            if char == "<":
                pos = self._tag(pos)
            elif char == "&":
                pos = self._char_ref(pos)
            else:
                match = _PLAIN.match(self.source, pos)
                assert match is not None
                self._emit(match.group())
                pos = match.end()
        if self.stack:
            raise _fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        ordered = sorted(self.entities, key=lambda e: (e.offset, -e.length))
        return FormattedText("".join(self.parts), tuple(ordered))

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        self.length16 += utf16_len(text)

    def _byte_offset(self, pos: int) -> int:
        return len(self.source[:pos].encode("utf-8"))

    def _char_ref(self, pos: int) -> int:
        match = _CHAR_REF.match(self.source, pos)
        if match is None:
            raise _fail(
                f"Can't find end of the entity starting at byte offset {self._byte_offset(pos)}"
            )
        self._emit(decode_reference(match.group(1), self._byte_offset(pos)))
        return match.end()

    def _tag(self, pos: int) -> int:
        match = _TAG.match(self.source, pos)
        if match is None:
            found = re.match(r"</?([A-Za-z0-9-]*)", self.source[pos:])
            tag = found.group(1).lower() if found else ""
            if tag in _SUPPORTED:
                raise _fail(f"Unclosed start tag at byte offset {self._byte_offset(pos)}")
            raise _fail(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset(pos)}')
        closing, name, raw_attrs = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            self._close(name, pos)
        else:
            self._open(name, self._attributes(raw_attrs, pos), pos)
        return match.end()

    def _attributes(self, raw: str, pos: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        for found in _ATTR.finditer(raw):
            value = next((v for v in found.group(2, 3, 4) if v is not None), "")
            attrs[found.group(1).lower()] = unescape(value, self._byte_offset(pos))
        return attrs

    def _open(self, name: str, attrs: dict[str, str], pos: int) -> None:
        offset = self._byte_offset(pos)
        if name not in _SUPPORTED:
            raise _fail(f'Unsupported start tag "{name}" at byte offset {offset}')
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _fail(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise _fail(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}')
        self._check_nesting(name, offset)
        self.stack.append(_OpenTag(name, attrs, self.length16))

    def _check_nesting(self, name: str, offset: int) -> None:
        open_names = [tag.name for tag in self.stack]
        if (
            open_names
            and open_names[-1] in _LEAF
            and not (name == "code" and open_names[-1] == "pre")
        ):
            raise _fail(f'Entities can\'t be nested in "{open_names[-1]}" at byte offset {offset}')
        if name == "blockquote" and "blockquote" in open_names:
            raise _fail(f"Blockquotes can't be nested at byte offset {offset}")

    def _close(self, name: str, pos: int) -> None:
        offset = self._byte_offset(pos)
        if not self.stack:
            raise _fail(f"Unexpected end tag at byte offset {offset}")
        top = self.stack[-1]
        if top.name != name:
            raise _fail(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        entity = self._entity(top)
        if entity is not None and entity.length > 0:
            self.entities.append(entity)

    def _entity(self, tag: _OpenTag) -> Entity | None:
        start, length = tag.start, self.length16 - tag.start
        if tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            language = tag.attrs.get("class", "").removeprefix("language-")
            if language:
                self.stack[-1].attrs[_LANGUAGE] = language
            return None
        if tag.name == "pre":
            return Entity("pre", start, length, language=tag.attrs.get(_LANGUAGE))
        if tag.name in _SIMPLE:
            return Entity(_SIMPLE[tag.name], start, length)
        if tag.name == "span":
            return Entity("spoiler", start, length)
        if tag.name == "a":
            href = tag.attrs.get("href")
            return Entity("text_link", start, length, url=href) if href else None
        if tag.name == "blockquote":
            kind = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
            return Entity(kind, start, length)
        return Entity("custom_emoji", start, length, custom_emoji_id=tag.attrs["emoji-id"])


def _fail(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def decode_reference(body: str, byte_offset: int) -> str:
    """Decode the inside of `&...;`: the four named entities Telegram knows, or a numeric one."""
    if not body.startswith("#"):
        if body not in _NAMED:
            raise _fail(f'Unsupported HTML entity "&{body};" at byte offset {byte_offset}')
        return _NAMED[body]
    code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise _fail(f"Invalid numeric HTML entity at byte offset {byte_offset}")
    return chr(code)


def unescape(value: str, byte_offset: int) -> str:
    """Decode character references inside an attribute value."""
    return _CHAR_REF.sub(lambda m: decode_reference(m.group(1), byte_offset), value)


def parse_html(source: str) -> FormattedText:
    """Parse Telegram-flavoured HTML, raising `ApiError` with Telegram's wording on bad input."""
    return _Parser(source).run()


def plain(source: str) -> FormattedText:
    """Text sent without a parse mode: shown exactly as given."""
    return FormattedText(source)
