"""Bot API methods that change what a chat shows: send, edit, delete, upload, answer."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

from bot.texts.telegram_html import FormattedText
from devtools.emulator import errors
from devtools.emulator.core import Core
from devtools.emulator.errors import bad_request
from devtools.emulator.models import CallbackAnswer, ChatMessage, Keyboard
from devtools.emulator.params import Params, Upload
from devtools.emulator.rules import (
    check_answer_text,
    check_caption,
    check_text,
    check_upload_size,
    format_text,
    parse_keyboard,
)

Handler = Callable[[Core, Params], Awaitable[Any]]
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _formatted(params: Params, name: str) -> tuple[FormattedText, str]:
    """The parsed text and the HTML the person's client renders from it."""
    source = params.text(name, "") or ""
    parse_mode = params.text("parse_mode")
    text = format_text(source, parse_mode)
    shown_html = source if (parse_mode or "").lower() == "html" else html.escape(source)
    return text, shown_html


def _reply_keyboard(params: Params) -> dict[str, Any] | None:
    markup = params.structured("reply_markup")
    shown = isinstance(markup, dict) and ("keyboard" in markup or "remove_keyboard" in markup)
    return markup if shown and isinstance(markup, dict) else None


def _markup(params: Params) -> tuple[Keyboard, dict[str, Any] | None]:
    markup = params.structured("reply_markup")
    buttons = parse_keyboard(markup)
    inline = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
    return buttons, inline


def _check_reply(core: Core, chat_id: int, params: Params) -> None:
    """A reply to a message that is gone fails, unless the bot allowed sending without it."""
    quoted = params.structured("reply_parameters")
    if not isinstance(quoted, dict):
        quoted = {"message_id": params.integer("reply_to_message_id")}
        quoted["allow_sending_without_reply"] = params.flag("allow_sending_without_reply")
    message_id = quoted.get("message_id")
    if message_id is None or quoted.get("allow_sending_without_reply") is True:
        return
    if core.store.get(chat_id, int(message_id)) is None:
        raise bad_request(errors.REPLIED_MESSAGE_NOT_FOUND)


async def send_message(core: Core, params: Params) -> Any:
    chat = core.target_chat(params)
    _check_reply(core, chat.id, params)
    text, shown_html = _formatted(params, "text")
    check_text(text)
    buttons, markup = _markup(params)
    core.charge(chat.id, params)
    message = ChatMessage(
        chat_id=chat.id,
        message_id=core.store.next_message_id(chat.id),
        date=core.clock.now(),
        sender_id=core.bot.id,
        from_bot=True,
        text=text.text,
        html=shown_html,
        entities=text.entities,
        buttons=buttons,
        reply_markup=markup,
        reply_keyboard=_reply_keyboard(params),
    )
    core.store.put(message)
    await core.notify(chat.id)
    return core.message_json(message)


def _own_message(core: Core, params: Params) -> ChatMessage:
    if params.has("inline_message_id"):
        raise bad_request("inline messages are not emulated")
    chat = core.target_chat(params)
    message = core.store.get(chat.id, params.required_integer("message_id"))
    if message is None:
        raise bad_request(errors.MESSAGE_TO_EDIT_NOT_FOUND)
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


async def edit_message_text(core: Core, params: Params) -> Any:
    message = _own_message(core, params)
    if message.document is not None or message.photo is not None:
        raise bad_request("there is no text in the message to edit")
    text, shown_html = _formatted(params, "text")
    check_text(text)
    buttons, markup = _markup(params)
    unchanged = (text.text, text.entities, markup) == (
        message.text,
        message.entities,
        message.reply_markup,
    )
    if unchanged:
        raise bad_request(NOT_MODIFIED)
    edited = core.store.update(
        message,
        text=text.text,
        html=shown_html,
        entities=text.entities,
        buttons=buttons,
        reply_markup=markup,
        edited=True,
        edit_date=core.clock.now(),
    )
    await core.notify(edited.chat_id)
    return core.message_json(edited)


async def edit_message_reply_markup(core: Core, params: Params) -> Any:
    message = _own_message(core, params)
    buttons, markup = _markup(params)
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    edited = core.store.update(
        message, buttons=buttons, reply_markup=markup, edited=True, edit_date=core.clock.now()
    )
    await core.notify(edited.chat_id)
    return core.message_json(edited)


async def delete_message(core: Core, params: Params) -> Any:
    chat = core.store.chat(params.chat_id())
    if not core.store.delete(chat.id, params.required_integer("message_id")):
        raise bad_request(errors.MESSAGE_TO_DELETE_NOT_FOUND)
    await core.notify(chat.id)
    return True


async def answer_callback_query(core: Core, params: Params) -> Any:
    query = core.queries.get(params.text("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request(errors.QUERY_INVALID)
    text = params.text("text")
    check_answer_text(text)
    query.answered = True
    core.callback_answers.append(
        CallbackAnswer(query.query_id, text, params.flag("show_alert"), params.text("url"))
    )
    await core.notify(query.chat_id)
    return True


async def send_chat_action(core: Core, params: Params) -> Any:
    core.target_chat(params)
    if params.text("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def _upload(core: Core, params: Params, field: str) -> Upload:
    if field in params.uploads:
        return params.uploads[field]
    value = params.text(field)
    if not value:
        raise bad_request(f"there is no {field} in the request")
    if value.startswith("attach://") and value[len("attach://") :] in params.uploads:
        return params.uploads[value[len("attach://") :]]
    known = core.store.files.get(value)
    if known is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return Upload(known.filename, known.data, known.mime_type)


async def _send_file(core: Core, params: Params, kind: str) -> Any:
    chat = core.target_chat(params)
    upload = _upload(core, params, kind)
    check_upload_size(kind, len(upload.data))
    caption, shown_html = _formatted(params, "caption")
    check_caption(caption)
    buttons, markup = _markup(params)
    core.charge(chat.id, params)
    has_caption = params.has("caption")
    file = core.store.store_file(
        kind, upload.filename, upload.data, upload.mime_type, caption.text if has_caption else None
    )
    message = core.store.put(
        ChatMessage(
            chat_id=chat.id,
            message_id=core.store.next_message_id(chat.id),
            date=core.clock.now(),
            sender_id=core.bot.id,
            from_bot=True,
            html=shown_html if has_caption else None,
            entities=caption.entities,
            buttons=buttons,
            reply_markup=markup,
            caption=caption.text if has_caption else None,
            document=file if kind == "document" else None,
            photo=file if kind == "photo" else None,
        )
    )
    await core.notify(chat.id)
    return core.message_json(message)


async def send_document(core: Core, params: Params) -> Any:
    return await _send_file(core, params, "document")


async def send_photo(core: Core, params: Params) -> Any:
    return await _send_file(core, params, "photo")


MESSAGE_METHODS: dict[str, Handler] = {
    "sendmessage": send_message,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "answercallbackquery": answer_callback_query,
    "sendchataction": send_chat_action,
    "senddocument": send_document,
    "sendphoto": send_photo,
}
