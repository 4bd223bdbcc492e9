"""Bot API methods about the bot itself: identity, updates, commands, webhook, session."""

from __future__ import annotations

import json
import re
from typing import Any

from devtools.emulator.api_messages import Handler
from devtools.emulator.core import Core, Webhook
from devtools.emulator.errors import ApiError, bad_request
from devtools.emulator.models import ChatType
from devtools.emulator.params import Params
from devtools.emulator.rules import menu_button
from devtools.emulator.serialize import bot_json, file_json

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_MAX_COMMANDS = 100


async def get_me(core: Core, params: Params) -> Any:
    return bot_json(core.bot)


async def get_updates(core: Core, params: Params) -> Any:
    if core.webhook.url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.integer("offset", 0) or 0
    limit = min(max(params.integer("limit", 100) or 100, 1), 100)
    timeout = max(params.integer("timeout", 0) or 0, 0)
    return await core.updates.fetch(offset, limit, float(timeout))


def _command_key(params: Params) -> tuple[str, str]:
    scope = params.structured("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), params.text("language_code", "") or ""


def _valid_commands(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list) or len(raw) > _MAX_COMMANDS:
        raise bad_request("can't parse commands JSON object")
    commands: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = str(item.get("command", "")), str(item.get("description", ""))
        if not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command, "description": description})
    return commands


async def set_my_commands(core: Core, params: Params) -> Any:
    core.commands[_command_key(params)] = _valid_commands(params.structured("commands"))
    return True


async def get_my_commands(core: Core, params: Params) -> Any:
    return list(core.commands.get(_command_key(params), []))


async def delete_my_commands(core: Core, params: Params) -> Any:
    core.commands.pop(_command_key(params), None)
    return True


def _menu_chat(core: Core, params: Params) -> int | None:
    """The private chat a menu button call names, or None for the bot's default."""
    if params.values.get("chat_id") in (None, ""):
        return None
    chat = core.store.chat(params.chat_id())
    if chat.type is not ChatType.PRIVATE:
        raise bad_request("chat is not private")
    return chat.id


async def set_chat_menu_button(core: Core, params: Params) -> Any:
    chat_id = _menu_chat(core, params)
    core.menu_buttons[chat_id] = menu_button(
        params.structured("menu_button") or {"type": "default"}
    )
    return True


async def get_chat_menu_button(core: Core, params: Params) -> Any:
    return core.menu_button(_menu_chat(core, params))


async def set_webhook(core: Core, params: Params) -> Any:
    url = params.text("url", "") or ""
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    core.webhook = Webhook(
        url=url,
        secret_token=params.text("secret_token"),
        allowed_updates=params.structured("allowed_updates"),
        max_connections=params.integer("max_connections", 40) or 40,
    )
    if params.flag("drop_pending_updates"):
        await core.updates.drop_pending()
    return True


async def delete_webhook(core: Core, params: Params) -> Any:
    core.webhook = Webhook()
    if params.flag("drop_pending_updates"):
        await core.updates.drop_pending()
    return True


async def get_webhook_info(core: Core, params: Params) -> Any:
    info: dict[str, Any] = {
        "url": core.webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(core.updates.pending),
    }
    if core.webhook.url:
        info["max_connections"] = core.webhook.max_connections
        if core.webhook.allowed_updates is not None:
            info["allowed_updates"] = core.webhook.allowed_updates
    return info


async def get_file(core: Core, params: Params) -> Any:
    file = core.store.files.get(params.text("file_id", "") or "")
    if file is None:
        raise bad_request("invalid file_id")
    return file_json(file)


async def close(core: Core, params: Params) -> Any:
    return True


async def log_out(core: Core, params: Params) -> Any:
    return True


BOT_METHODS: dict[str, Handler] = {
    "getme": get_me,
    "getupdates": get_updates,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "setchatmenubutton": set_chat_menu_button,
    "getchatmenubutton": get_chat_menu_button,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "getfile": get_file,
    "close": close,
    "logout": log_out,
}
