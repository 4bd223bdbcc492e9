"""Telegram's validation rules for what a bot may send, with the server's error wording."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot.texts.telegram_html import FormattedText, utf16_length
from devtools.emulator.errors import ApiError, bad_request
from devtools.emulator.htmltext import parse_html, plain
from devtools.emulator.models import Button, Keyboard

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_ANSWER_TEXT = 200
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
_URL_SCHEMES = ("http://", "https://", "tg://")
# Telegram opens Mini Apps over HTTPS only; tests serve theirs over http on this machine.
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def format_text(source: str, parse_mode: str | None) -> FormattedText:
    """Apply the parse mode. Markdown modes are accepted but not emulated (shown verbatim)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(source)
    if mode in ("", "markdown", "markdownv2"):
        return plain(source)
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


def check_text(text: FormattedText) -> None:
    if not text.text.strip():
        raise bad_request("message text is empty")
    if utf16_length(text.text) > MAX_TEXT:
        raise bad_request("message is too long")


def check_caption(caption: FormattedText) -> None:
    if utf16_length(caption.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")


def check_answer_text(text: str | None) -> None:
    if text is not None and len(text) > MAX_ANSWER_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")


def check_upload_size(kind: str, size: int) -> None:
    if size == 0:
        raise bad_request("file must be non-empty")
    if kind == "photo" and size > MAX_PHOTO_BYTES:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    if size > MAX_DOCUMENT_BYTES:
        raise ApiError(413, "Request Entity Too Large")


def parse_keyboard(markup: Any) -> Keyboard:
    """Validate an InlineKeyboardMarkup and return its buttons; other markups show no buttons."""
    if markup is None:
        return ()
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return ()
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard markup: field "inline_keyboard" must be an Array'
        )
    return tuple(tuple(_button(raw) for raw in row) for row in rows)


def _button(raw: Any) -> Button:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data, url, web_app = raw.get("callback_data"), raw.get("url"), raw.get("web_app")
    if data is not None and not (
        isinstance(data, str) and 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    if url is not None and not (isinstance(url, str) and url.startswith(_URL_SCHEMES)):
        raise bad_request("BUTTON_URL_INVALID")
    if data is None and url is None and web_app is None and len(raw) == 1:
        raise bad_request("BUTTON_TYPE_INVALID")
    opens = None if web_app is None else web_app_url(web_app, "inline keyboard button")
    return Button(raw["text"], data, url, opens)


def web_app_url(info: Any, where: str) -> str:
    """The URL of a WebAppInfo: https (or http on this machine, for tests), as Telegram needs."""
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str):
        raise bad_request(f"can't parse {where} web app info")
    parts = urlsplit(url)
    secure = parts.scheme == "https" and bool(parts.hostname)
    if secure or (parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS):
        return url
    raise bad_request(f"{where} Web App URL '{url}' is invalid: Only HTTPS links are allowed")


def menu_button(raw: Any) -> dict[str, Any]:
    """A MenuButton: commands, default, or a web_app one with its text and URL."""
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind in ("commands", "default"):
        return {"type": kind}
    if kind != "web_app" or not isinstance(raw.get("text"), str) or not raw["text"]:
        raise bad_request("can't parse menu button")
    url = web_app_url(raw.get("web_app"), "menu button")
    return {"type": "web_app", "text": raw["text"], "web_app": {"url": url}}
