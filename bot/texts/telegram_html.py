"""Telegram's HTML parse mode: the one parser for the content checker and the Bot API emulator.

The standard library's `html.parser` splits the markup into data, tags and character
references; this module applies Telegram's rules to those pieces in one pass. It yields what
the person sees (plain text plus `MessageEntity`s, offsets and lengths in UTF-16 code units as
the Bot API counts them) and the first problem, worded twice: for content authors (with the
character position) and as Telegram words it (with the UTF-8 byte offset).

Telegram accepts only a few tags, needs `<` and `&` escaped (a bare `>` is accepted), and knows
only the entities `&lt;` `&gt;` `&amp;` `&quot;` plus numeric ones. Attribute values are
decoded by `html.parser`. The 4,096-character limit is counted on the visible text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

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
_ENTITY_TYPES: dict[str, str] = {
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
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
_LEAF = ("code", "pre")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR_NAME = re.compile(r"[a-z][\w-]*")
_NAME_AFTER_LT = re.compile(r"</?([A-Za-z0-9-]*)")
_STRAY = re.compile("[<&]")  # in data, html.parser passes on what is not a tag or reference


@dataclass(frozen=True)
class Entity:
    """A Telegram MessageEntity: offset and length in UTF-16 code units."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None


@dataclass(frozen=True)
class FormattedText:
    """What the person sees (`text`) and how it is formatted (`entities`)."""

    text: str
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with the markup: for authors, and in the Bot API's words."""

    message: str
    telegram: str


@dataclass(frozen=True)
class ParsedHtml:
    """The visible result (best effort when there is a problem) and the first problem."""

    shown: FormattedText
    problem: Problem | None


def parse_markup(text: str) -> ParsedHtml:
    """Parse `text` as Telegram parses HTML parse mode."""
    parser = _Parser(text)
    parser.run()
    return ParsedHtml(parser.result(), parser.problem)


def html_problem(text: str) -> str | None:
    """Describe the first reason Telegram would reject `text` in HTML parse mode, or None."""
    problem = parse_markup(text).problem
    return None if problem is None else problem.message


def visible_text(text: str) -> str:
    """What the person sees: tags stripped and entities decoded (best effort on bad markup)."""
    return parse_markup(text).shown.text


def visible_length(text: str) -> int:
    """The visible length as Telegram counts it, in UTF-16 code units."""
    return utf16_length(visible_text(text))


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units (an emoji outside the BMP counts as two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the visible text
    language: str | None = None


@dataclass
class _Output:
    """The visible text and entities built so far."""

    parts: list[str] = field(default_factory=list)
    length16: int = 0
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.length16 += utf16_length(text)


class _Parser(HTMLParser):
    """Telegram's rules over `html.parser`'s pieces. Every piece's source span is checked, so
    nothing the tokenizer tolerates or skips (a bare `&`, `</>`, `&amp` without `;`) slips by."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.problem: Problem | None = None
        self.out = _Output()
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", source))]
        self._covered = 0  # the source up to here has been accounted for

    def run(self) -> None:
        try:
            self.feed(self.source)
            self.close()
        except AssertionError:  # html.parser's _markupbase on some malformed declarations
            self._stray(self._covered)
        self._skipped_until(len(self.source))
        if self.out.stack:
            name = self.out.stack[-1].name
            self._fail(
                len(self.source),
                f"<{name}> is never closed",
                f'Can\'t find end tag corresponding to start tag "{name}"',
            )

    def result(self) -> FormattedText:
        ordered = sorted(self.out.entities, key=lambda e: (e.offset, -e.length))
        return FormattedText("".join(self.out.parts), tuple(ordered))

    # html.parser's callbacks -----------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        start = self._arrive(len(data))
        stray = _STRAY.search(data)
        if stray is not None:
            self._stray(start + stray.start())
        self.out.emit(data)

    def handle_entityref(self, name: str) -> None:
        start = self._arrive(len(name) + 2)
        decoded = _NAMED.get(name)
        if decoded is None:
            self._bad_reference(start, f"&{name};", f'Unsupported HTML entity "&{name};"')
        self._reference(start, f"&{name};", decoded)

    def handle_charref(self, name: str) -> None:
        start = self._arrive(len(name) + 3)
        decoded = _code_point(name)
        if decoded is None:
            self._bad_reference(start, f"&#{name};", "Invalid numeric HTML entity")
        self._reference(start, f"&#{name};", decoded)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        start = self._arrive(len(raw))
        values = {name: value or "" for name, value in attrs}
        self._check_start(tag, [name for name, _ in attrs], values, start)
        self._check_nesting(tag, start)
        self.out.stack.append(_OpenTag(tag, values, self.out.length16))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._arrive(len(self.get_starttag_text() or ""))
        self._fail(
            start,
            f"self-closing <{tag}/> is not supported (character {start + 1})",
            f'Unsupported start tag "{tag}/" at byte offset {self._byte(start)}',
        )

    def handle_endtag(self, tag: str) -> None:
        start = self._position()
        self._skipped_until(start)
        end = self.source.find(">", start) + 1
        self._covered = end if end else len(self.source)
        if not end or self.source[start + 2 : end - 1].rstrip().lower() != tag:
            self._fail(
                start,
                f"closing tag </{tag}> has attributes or stray characters (character {start + 1})",
                f"Unclosed end tag at byte offset {self._byte(start)}",
            )
        self._close(tag, start)

    def handle_comment(self, data: str) -> None:
        self._unsupported_markup()

    def handle_decl(self, data: str) -> None:
        self._unsupported_markup()

    def handle_pi(self, data: str) -> None:
        self._unsupported_markup()

    def unknown_decl(self, data: str) -> None:
        self._unsupported_markup()

    def _unsupported_markup(self) -> None:
        """Comments, declarations and processing instructions: not Telegram's."""
        start = self._position()
        self._skipped_until(start)
        self._stray(start)

    # Telegram's rules ---------------------------------------------------------------------

    def _check_start(self, tag: str, names: list[str], values: dict[str, str], at: int) -> None:
        allowed = _ALLOWED_ATTRS.get(tag)
        if allowed is None:
            self._fail(
                at,
                f"tag <{tag}> is not supported by Telegram (character {at + 1})",
                f'Unsupported start tag "{tag}" at byte offset {self._byte(at)}',
            )
            return
        malformed = next((name for name in names if not _ATTR_NAME.fullmatch(name)), None)
        if malformed is not None:
            self._fail(
                at,
                f"malformed attributes in <{tag}> (character {at + 1})",
                f'Empty attribute name in the tag "{tag}" at byte offset {self._byte(at)}',
            )
        unknown = sorted(set(names) - allowed)
        if unknown:
            self._fail(
                at,
                f"<{tag}> cannot have attribute {unknown[0]!r} (character {at + 1})",
                f'Unsupported attribute "{unknown[0]}" in the tag "{tag}" '
                f"at byte offset {self._byte(at)}",
            )
        self._check_required(tag, values, at)

    def _check_required(self, tag: str, values: dict[str, str], at: int) -> None:
        required = _REQUIRED_ATTRS.get(tag)
        if required is not None and not values.get(required):
            self._fail(
                at,
                f"<{tag}> needs a {required} attribute (character {at + 1})",
                f'Tag "{tag}" must have attribute "{required}" at byte offset {self._byte(at)}',
            )
        if tag == "span" and values.get("class", "tg-spoiler") != "tg-spoiler":
            self._fail(
                at,
                f'<span> must have class="tg-spoiler" (character {at + 1})',
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte(at)}',
            )

    def _check_nesting(self, tag: str, at: int) -> None:
        names = [open_tag.name for open_tag in self.out.stack]
        if names and names[-1] in _LEAF and not (tag == "code" and names[-1] == "pre"):
            self._fail(
                at,
                f"<{tag}> cannot be nested inside <{names[-1]}> (character {at + 1})",
                f'Entities can\'t be nested in "{names[-1]}" at byte offset {self._byte(at)}',
            )
        if tag == "blockquote" and "blockquote" in names:
            self._fail(
                at,
                f"blockquotes cannot be nested (character {at + 1})",
                f"Blockquotes can't be nested at byte offset {self._byte(at)}",
            )

    def _close(self, tag: str, at: int) -> None:
        stack = self.out.stack
        if not stack:
            self._fail(
                at,
                f"</{tag}> closes a tag that was never opened (character {at + 1})",
                f"Unexpected end tag at byte offset {self._byte(at)}",
            )
            return
        if stack[-1].name != tag:
            expected = stack[-1].name
            self._fail(
                at,
                f"</{tag}> found where </{expected}> was expected (character {at + 1})",
                f'Unmatched end tag at byte offset {self._byte(at)}, expected "</{expected}>", '
                f'found "</{tag}>"',
            )
            return
        entity = _entity(stack.pop(), self.out)
        if entity is not None and entity.length > 0:
            self.out.entities.append(entity)

    def _reference(self, start: int, expected: str, decoded: str | None) -> None:
        """A character reference: shown decoded if Telegram knows it, verbatim if not."""
        end = start + len(expected)
        if self.source[start:end] != expected:  # html.parser also takes `&amp` without `;`
            self._stray(start)
            decoded = None
        self.out.emit(self.source[start:end] if decoded is None else decoded)

    def _bad_reference(self, at: int, reference: str, telegram: str) -> None:
        self._fail(
            at,
            f"unsupported entity {reference} at character {at + 1}",
            f"{telegram} at byte offset {self._byte(at)}",
        )

    def _stray(self, at: int) -> None:
        """A `<` or `&` that starts nothing Telegram knows."""
        if self.source.startswith("&", at):
            self._fail(
                at,
                f"unescaped '&' at character {at + 1} (write &amp;)",
                f"Can't find end of the entity starting at byte offset {self._byte(at)}",
            )
            return
        found = _NAME_AFTER_LT.match(self.source, at)
        name = found.group(1) if found else ""
        telegram = (
            "Unclosed start tag"
            if name.lower() in _ALLOWED_ATTRS
            else f'Unsupported start tag "{name}"'
        )
        self._fail(
            at,
            f"unescaped '<' at character {at + 1} (write &lt;)",
            f"{telegram} at byte offset {self._byte(at)}",
        )

    # positions ------------------------------------------------------------------------------

    def _arrive(self, length: int) -> int:
        """A piece starts: check nothing before it was skipped; it covers `length` characters."""
        start = self._position()
        self._skipped_until(start)
        self._covered = start + length
        return start

    def _skipped_until(self, start: int) -> None:
        """Source that html.parser passed over without a callback (a bare `&`, `</>`)."""
        if self._covered < start:
            self._stray(self._covered)
            self.out.emit(self.source[self._covered : start])
            self._covered = start

    def _position(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _byte(self, at: int) -> int:
        return len(self.source[:at].encode("utf-8", "surrogatepass"))

    def _fail(self, at: int, message: str, telegram: str) -> None:
        """Keep the first problem; parsing goes on for the best-effort visible text."""
        if self.problem is None:
            self.problem = Problem(message, telegram)


def _code_point(name: str) -> str | None:
    """The character `&#<name>;` stands for, or None if Telegram does not accept it."""
    code = int(name[1:], 16) if name[:1] in "xX" else int(name)
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _entity(tag: _OpenTag, out: _Output) -> Entity | None:
    """The MessageEntity a closed tag makes (a `<code>` in a `<pre>` names its language)."""
    start, length = tag.start, out.length16 - tag.start
    if tag.name == "code" and out.stack and out.stack[-1].name == "pre":
        out.stack[-1].language = tag.attrs.get("class", "").removeprefix("language-") or None
        return None
    if tag.name in _ENTITY_TYPES:
        return Entity(_ENTITY_TYPES[tag.name], start, length, language=tag.language)
    if tag.name == "a":
        return Entity("text_link", start, length, url=tag.attrs.get("href"))
    if tag.name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
        return Entity(kind, start, length)
    if tag.name == "tg-emoji":
        return Entity("custom_emoji", start, length, custom_emoji_id=tag.attrs.get("emoji-id"))
    return None  # a tag Telegram does not know: already reported
