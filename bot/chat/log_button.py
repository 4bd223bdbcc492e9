"""The "⚡ Twitching now" reply keyboard, given back wherever a plain message can carry it.

Telegram keeps a reply keyboard until a message replaces it, but a client can hide it, and
people enrolled before the button existed (or who came back after /stop) never got it. So the
plain messages a person on the plan sees anyway carry it again: enrolment's summary, "Carry on",
a changed time zone and the help for stray text. A message with buttons under it cannot also
carry a reply keyboard, and the keyboard is for people on the plan in their own private chat
only (ARCHITECTURE §6).
"""

from __future__ import annotations

from telegram import Chat, ReplyKeyboardMarkup

from bot.domain.models import Profile
from bot.domain.today import is_enrolled
from bot.texts.content import Content
from bot.views.keyboards import log_keyboard


def log_button(
    content: Content, profile: Profile | None, chat: Chat | None
) -> ReplyKeyboardMarkup | None:
    """The log keyboard for this person in this chat, or None where it does not belong."""
    if chat is None or chat.type != Chat.PRIVATE or not is_enrolled(profile):
        return None
    return log_keyboard(content.twitch.button, content.twitch.placeholder)
