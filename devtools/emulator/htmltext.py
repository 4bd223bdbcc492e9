"""The Bot API's face of Telegram's HTML parse mode (the parser is bot/texts/telegram_html.py).

One parser decides for the bot's content checker and for this emulator, so content that the
checker passes is content the emulator accepts, and the other way round.
"""

from __future__ import annotations

from bot.texts.telegram_html import FormattedText, parse_markup
from devtools.emulator.errors import bad_request


def parse_html(source: str) -> FormattedText:
    """Parse Telegram-flavoured HTML, raising `ApiError` with Telegram's wording on bad input."""
    parsed = parse_markup(source)
    if parsed.problem is not None:
        raise bad_request(f"can't parse entities: {parsed.problem.telegram}")
    return parsed.shown


def plain(source: str) -> FormattedText:
    """Text sent without a parse mode: shown exactly as given."""
    return FormattedText(source)
