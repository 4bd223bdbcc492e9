"""Routes taps and free text to the feature that owns them.

Each feature module declares one :class:`Feature`: its commands, its callbacks (action ->
handler) and, where it reads typed answers or a shared location, its steps (flow kind ->
handler, made by :func:`steps_of` so each handler is given its own flow model). Routing by
data, not by handler order, keeps the order of registration in app.py meaningful only where it
says so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TypeVar

from telegram import MaybeInaccessibleMessage, Message, Update

from bot.chat.log_button import log_button
from bot.chat.replies import answer, retire, send, user_id_of
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback, decode
from bot.domain.flows import CheckinFlow, EnrolFlow, Flow, FlowKind, SettingsFlow
from bot.domain.today import is_enrolled
from bot.texts.content import render, render_plain

K = TypeVar("K")
V = TypeVar("V")
Typed = TypeVar("Typed", EnrolFlow, CheckinFlow, SettingsFlow)
CommandHandler = Callable[[Update, Context], Coroutine[object, object, None]]
CallbackHandler = Callable[[Update, Context, Callback], Awaitable[None]]
TextHandler = Callable[[Update, Context, Flow], Awaitable[None]]


@dataclass(frozen=True)
class Feature:
    """What one feature module answers; `name` says who, when two claim the same thing."""

    name: str
    commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    callbacks: Mapping[Action, CallbackHandler] = field(default_factory=dict)
    text_steps: Mapping[FlowKind, TextHandler] = field(default_factory=dict)
    location_steps: Mapping[FlowKind, TextHandler] = field(default_factory=dict)
    # Reply-keyboard buttons: a tap sends the label as text. Keyed by where the label is in
    # Content (e.g. "twitch.button"), so the label stays content; it wins over any flow.
    reply_buttons: Mapping[str, CommandHandler] = field(default_factory=dict)


def steps_of(
    model: type[Typed], handler: Callable[[Update, Context, Typed], Awaitable[None]]
) -> dict[FlowKind, TextHandler]:
    """A step table entry: `handler` answers for the flows of `model`, and is given one."""

    async def typed(update: Update, context: Context, flow: Flow) -> None:
        if isinstance(flow, model):  # always: the router looks handlers up by the flow's kind
            await handler(update, context, flow)

    return {FlowKind(model.model_fields["kind"].default): typed}


def merged(features: Iterable[Feature], table: Callable[[Feature], Mapping[K, V]]) -> dict[K, V]:
    """One dispatch table from every feature's; a key claimed twice is a start-up error."""
    merged: dict[K, V] = {}
    for feature in features:
        for key, value in table(feature).items():
            if key in merged:
                raise ValueError(f"{feature.name} registers {key!r}, already registered")
            merged[key] = value
    return merged


class Router:
    """Dispatch tables built once from the feature modules."""

    def __init__(self, features: Iterable[Feature]) -> None:
        features = tuple(features)
        self._callbacks = merged(features, lambda f: f.callbacks)
        self._known = frozenset(self._callbacks)
        self._text_steps = merged(features, lambda f: f.text_steps)
        self._location_steps = merged(features, lambda f: f.location_steps)
        self._reply_buttons = merged(features, lambda f: f.reply_buttons)

    async def on_callback(self, update: Update, context: Context) -> None:
        """Decode a tap; stale or forged buttons get a polite notice (foreign ones never get
        here: bot/chat/guards.py stops them)."""
        query = update.callback_query
        if query is None:
            return
        ui = services(context).content.ui
        callback = decode(query.data, self._known)
        if callback is None:
            await answer(query, render_plain(ui.stale_button))
            return
        if query.message is not None and not _shows_button(query.message, query.data):
            await answer(query, render_plain(ui.stale_button))
            return
        await self._callbacks[callback.action](update, context, callback)

    async def on_text(self, update: Update, context: Context) -> None:
        """A reply-keyboard button to its feature; other typed text to the flow waiting for
        it, or gentle help."""
        content = services(context).content
        text = update.message.text if update.message else None
        # A keyboard shown before a /language switch still carries the old words: any
        # locale's label counts.
        spoken = list(content.locales.values()) or [content]
        for path, handler in self._reply_buttons.items():
            if any(text == attrgetter(path)(texts) for texts in spoken):
                await handler(update, context)
                return
        await self._to_flow(update, context, self._text_steps)

    async def on_location(self, update: Update, context: Context) -> None:
        """A shared location goes to the flow asking where the person is."""
        await self._to_flow(update, context, self._location_steps)

    async def _to_flow(
        self, update: Update, context: Context, steps: Mapping[FlowKind, TextHandler]
    ) -> None:
        flow = await services(context).store.get_flow(user_id_of(update))
        handler = steps.get(flow.kind) if flow else None
        if flow is not None and handler is not None:
            chat = update.effective_chat
            if flow.message_id is not None and chat is not None:
                await retire(context, chat.id, flow.message_id)  # typed: its buttons are done
            await handler(update, context, flow)
            return
        await say_fallback(update, context)


def _shows_button(message: MaybeInaccessibleMessage, data: str | None) -> bool:
    """Whether the tapped message carries a button with exactly this data, so a tap acts only
    on (and edits only) a message the bot sent for it; a client can send any data with any
    message. A message the bot can no longer see cannot be checked, nor edited either."""
    if not isinstance(message, Message):
        return True
    markup = message.reply_markup
    rows = markup.inline_keyboard if markup is not None else ()
    return any(b.callback_data == data for row in rows for b in row)


async def say_fallback(update: Update, context: Context) -> None:
    """Gentle help for a message nobody asked for: the everyday commands and the log button
    (given back, in case the client hid it) while on the plan, /start otherwise."""
    svc = services(context)
    content = svc.content
    profile = await svc.store.get_profile(user_id_of(update))
    if not is_enrolled(profile):
        await send(update, context, content.ui.unknown_text_no_plan)
        return
    hint = render(content.twitch.typed_hint, button=content.twitch.button)
    markup = log_button(content, profile, update.effective_chat)
    await send(update, context, f"{hint}\n\n{content.ui.unknown_text}", markup)


async def on_unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have."""
    await send(update, context, services(context).content.ui.unknown_command)


async def on_other_message(update: Update, context: Context) -> None:
    """Stickers, photos, voice notes and the like get the same gentle help as stray text."""
    await say_fallback(update, context)
