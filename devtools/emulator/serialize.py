"""Telegram JSON for users, chats and messages, shaped so python-telegram-bot can de_json it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.texts.telegram_html import Entity
from devtools.emulator.models import Attachment, Chat, ChatMessage, ChatType, User


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def user_json(user: User) -> dict[str, Any]:
    body: dict[str, Any] = {"id": user.id, "is_bot": user.is_bot, "first_name": user.first_name}
    if user.username:
        body["username"] = user.username
    if not user.is_bot:
        body["language_code"] = user.language_code
    return body


def bot_json(bot: User) -> dict[str, Any]:
    return {
        **user_json(bot),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


def chat_json(chat: Chat) -> dict[str, Any]:
    body: dict[str, Any] = {"id": chat.id, "type": str(chat.type)}
    if chat.type is ChatType.PRIVATE:
        body["first_name"] = chat.first_name or ""
    else:
        body["title"] = chat.title or ""
    return body


def message_json(message: ChatMessage, chat: Chat, sender: User) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": message.message_id,
        "date": unix(message.date),
        "chat": chat_json(chat),
        "from": user_json(sender),
    }
    if message.edit_date is not None:
        body["edit_date"] = unix(message.edit_date)
    body.update(_content_json(message))
    if message.reply_markup is not None:
        body["reply_markup"] = message.reply_markup
    return body


def entity_json(entity: Entity) -> dict[str, Any]:
    """A MessageEntity as the Bot API sends it: optional fields only when set."""
    body: dict[str, Any] = {"type": entity.type, "offset": entity.offset, "length": entity.length}
    for key in ("url", "language", "custom_emoji_id"):
        value = getattr(entity, key)
        if value is not None:
            body[key] = value
    return body


def _content_json(message: ChatMessage) -> dict[str, Any]:
    body: dict[str, Any] = {}
    entities = [entity_json(entity) for entity in message.entities]
    if message.document is not None:
        body["document"] = _document_json(message.document)
    if message.photo is not None:
        body["photo"] = [_photo_size_json(message.photo)]
    if message.location is not None:
        body["location"] = {"latitude": message.location[0], "longitude": message.location[1]}
    if message.caption is not None:
        body["caption"] = message.caption
        if entities:
            body["caption_entities"] = entities
    elif message.text:
        body["text"] = message.text
        if entities:
            body["entities"] = entities
    return body


def _document_json(file: Attachment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": file.size,
    }
    if file.filename is not None:
        body["file_name"] = file.filename
    if file.mime_type is not None:
        body["mime_type"] = file.mime_type
    return body


def _photo_size_json(file: Attachment) -> dict[str, Any]:
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": file.size,
        "width": 1280,
        "height": 720,
    }


def file_json(file: Attachment) -> dict[str, Any]:
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": file.size,
        "file_path": f"{file.kind}s/{file.file_id}",
    }
