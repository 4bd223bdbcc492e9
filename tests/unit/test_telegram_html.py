"""Telegram HTML parse-mode checks: valid markup, the first problem, and the visible length."""

from __future__ import annotations

import pytest

from bot.texts.telegram_html import html_problem, visible_length, visible_text


@pytest.mark.parametrize(
    "text",
    [
        "plain text",
        "",
        "<b>bold</b> <strong>strong</strong> <i>i</i> <em>em</em> <u>u</u> <ins>ins</ins>",
        "<s>s</s> <strike>strike</strike> <del>del</del> <tg-spoiler>secret</tg-spoiler>",
        '<span class="tg-spoiler">secret</span>',
        '<a href="https://example.org/?a=1&amp;b=2">link</a>',
        "<a href='tg://user?id=1'>me</a>",
        "<code>x = 1</code>",
        '<pre><code class="language-python">print(1)</code></pre>',
        "<blockquote>quote</blockquote> <blockquote expandable>more</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "<b>bold <i>and italic <u>and underlined</u></i></b>",
        "<B>upper-case tags</B>",
        "1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;quoted&quot; &#128077; &#x1F44D;",
        "a bare > is fine, and so are 'quotes' and \"double quotes\"",
        "emoji 👁️ and new\nlines",
    ],
)
def test_valid_html_has_no_problem(text: str) -> None:
    assert html_problem(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 < 2", "unescaped '<' at character 3"),
        ("<3", "unescaped '<'"),
        ("salt & pepper", "unescaped '&' at character 6"),
        ("&", "unescaped '&'"),
        ("a &amp b", "unescaped '&'"),
        ("&nbsp;", "unsupported entity &nbsp;"),
        ("&#0;", "unsupported entity &#0;"),
        ("&#xD800;", "unsupported entity"),
        ("<div>x</div>", "tag <div> is not supported"),
        ("line<br>break", "tag <br> is not supported"),
        ("<b>never closed", "<b> is never closed"),
        ("<b><i>crossed</b></i>", "</b> found where </i> was expected"),
        ("stray</b>", "</b> closes a tag that was never opened"),
        ("<a>no link</a>", "<a> needs a href attribute"),
        ('<a href="">empty</a>', "<a> needs a href attribute"),
        ("<span>x</span>", "<span> needs a class attribute"),
        ('<span class="red">x</span>', 'class="tg-spoiler"'),
        ("<tg-emoji>👍</tg-emoji>", "needs a emoji-id attribute"),
        ('<b class="x">x</b>', "<b> cannot have attribute 'class'"),
        ("<b/>", "self-closing"),
        ('<a href="x" =>x</a>', "malformed attributes"),
        ("<code><b>x</b></code>", "<b> cannot be nested inside <code>"),
        ("<pre><i>x</i></pre>", "<i> cannot be nested inside <pre>"),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "blockquotes cannot be nested"),
        ("<b>x</b  x>", "has attributes"),
        # What html.parser tolerates or passes over without a callback is still caught:
        ("AT&T", "unescaped '&' at character 3"),
        ("a</>b", "unescaped '<' at character 2"),
        ("</ b>", "has attributes"),
        ("<!-- note -->", "unescaped '<' at character 1"),
        ("<![x[ a ]]>", "unescaped '<' at character 1"),  # html.parser raises on this one
        ("x &amp", "unescaped '&' at character 3"),
    ],
)
def test_invalid_html_names_the_first_problem(text: str, expected: str) -> None:
    problem = html_problem(text)
    assert problem is not None
    assert expected in problem


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("plain", "plain"),
        ("<b>bold</b> text", "bold text"),
        ('<a href="https://x.org">link</a>', "link"),
        ("1 &lt; 2 &amp; 3 &gt; 0 &quot;q&quot;", '1 < 2 & 3 > 0 "q"'),
        ("&#128077;&#x1F44D;", "👍👍"),
        ("<pre><code>a</code></pre>", "a"),
        ("&nbsp;", "&nbsp;"),
    ],
)
def test_visible_text_strips_tags_and_decodes_entities(text: str, visible: str) -> None:
    assert visible_text(text) == visible


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("abc", 3),
        ("<b>abc</b>", 3),
        ("&amp;", 1),
        ("é", 1),
        ("👍", 2),  # outside the BMP: a UTF-16 surrogate pair
        ("&#128077;", 2),
        ("👁️", 3),  # U+1F441 (two units) plus the variation selector U+FE0F (one)
        ("a" * 4096, 4096),
        ("<b>" + "a" * 4096 + "</b>", 4096),
    ],
)
def test_visible_length_counts_utf16_code_units(text: str, length: int) -> None:
    assert visible_length(text) == length
