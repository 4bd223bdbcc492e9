"""The content checker and the Bot API emulator judge Telegram HTML alike.

Both go through the one parser in bot/texts/telegram_html.py. If someone splits them again (a
second tokenizer in the emulator, a shortcut in the checker), generated markup that one
accepts and the other rejects fails here: content that passes the checker but that the
emulator (and so Telegram) refuses, or the other way round.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.texts.content_text import MESSAGE, text_problem
from bot.texts.telegram_html import visible_length
from devtools.emulator import ApiError, parse_html
from tests.fuzz.budget import fuzz

# Each tag's opening variants (well-formed first, then ones that only one side used to accept)
# and closing variants. Braces are left out: they are templating, not markup.
TAGS: dict[str, tuple[list[str], list[str]]] = {
    "b": (["<b>", "<B>", '<b class="x">', "<b/>"], ["</b>", "</b >", "</b x>", "</>"]),
    "i": (["<i>", "<em>"], ["</i>", "</em>"]),
    "s": (["<s>", "<del>", "<strike>"], ["</s>", "</del>"]),
    "a": (
        ['<a href="https://x.org/?a=1&amp;b=2">', "<a>", '<a href="">', "<a href=x t=y>"],
        ["</a>"],
    ),
    "pre": (["<pre>"], ["</pre>"]),
    "code": (['<code class="language-py">', "<code>"], ["</code>"]),
    "span": (['<span class="tg-spoiler">', '<span class="red">', "<span>"], ["</span>"]),
    "quote": (["<blockquote>", "<blockquote expandable>"], ["</blockquote>"]),
    "emoji": (['<tg-emoji emoji-id="5368324170671202286">', "<tg-emoji>"], ["</tg-emoji>"]),
}
REFERENCES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#65;", "&#x1F44D;", "&#0;", "&#xD800;"]
STRAYS = [
    "&nbsp;",
    "&",
    "&amp",
    "<",
    ">",
    "</",
    "<br>",
    "<!-- c -->",
    "<?x>",
    "< b>",
    "<3",
    "<![x[ a ]]>",
]
TEXT = st.text(alphabet="ab <>&;#/=\"'\né👍", max_size=4)
LEAF = st.sampled_from(REFERENCES) | TEXT.filter(lambda t: not set(t) & set("<&"))


@st.composite
def element(draw: st.DrawFn, children: st.SearchStrategy[str]) -> str:
    opening, closing = TAGS[draw(st.sampled_from(sorted(TAGS)))]
    # Mostly the well-formed variant, so that nested markup is often valid as a whole.
    start = opening[0] if draw(st.booleans()) else draw(st.sampled_from(opening))
    end = closing[0] if draw(st.booleans()) else draw(st.sampled_from(closing))
    return start + "".join(draw(st.lists(children, max_size=3))) + end


TREES = st.recursive(LEAF, element, max_leaves=12)


@st.composite
def markup(draw: st.DrawFn) -> str:
    """A tree of tags, sometimes with one stray piece or random text spliced in."""
    text = "".join(draw(st.lists(TREES, min_size=1, max_size=3)))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(STRAYS) | TEXT) + text[at:]
    return text


def checker_rejects(text: str) -> bool:
    problem = text_problem(text, MESSAGE)
    return problem is not None and problem.startswith("invalid Telegram HTML")


def emulator_rejects(text: str) -> bool:
    try:
        parse_html(text)
    except ApiError as error:
        return error.description.startswith("Bad Request: can't parse entities: ")
    return False


@fuzz(500)
@given(markup=markup())
@example(markup="<b>bold</b> &amp; <i>it</i>")
# Markup the two parsers judged differently before they became one:
@example(markup='<b class="x">x</b>')
@example(markup="<a>x</a>")
@example(markup="<b>x</b  x>")
def test_checker_and_emulator_agree(markup: str) -> None:
    rejected = emulator_rejects(markup)
    assert checker_rejects(markup) == rejected
    if not rejected:  # and they count the same visible length against Telegram's limits
        assert visible_length(markup) == len(parse_html(markup).text.encode("utf-16-le")) // 2
