"""Routes taps and free text to the feature that owns them.

Feature modules declare `CALLBACKS` (callback action -> handler) and, where they read typed
answers, `TEXT_STEPS` (flow kind -> handler). Routing by data, not by handler order, keeps the
order of registration in app.py meaningful only where it says so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from telegram import Update

from bot.callbacks import Callback, decode
from bot.content import render_plain
from bot.context import Context, services
from bot.models import Flow, FlowKind
from bot.replies import answer, send, user_id_of

CallbackHandler = Callable[[Update, Context, Callback], Awaitable[None]]
TextHandler = Callable[[Update, Context, Flow], Awaitable[None]]


class Router:
    """Dispatch tables built once from the feature modules."""

    def __init__(
        self,
        callbacks: Mapping[str, CallbackHandler],
        text_steps: Mapping[FlowKind, TextHandler],
        location_steps: Mapping[FlowKind, TextHandler],
    ) -> None:
        self._callbacks = dict(callbacks)
        self._known = frozenset(self._callbacks)
        self._text_steps = dict(text_steps)
        self._location_steps = dict(location_steps)

    async def on_callback(self, update: Update, context: Context) -> None:
        """Decode a tap; stale or forged buttons get a polite notice (foreign ones never get
        here: bot/guards.py stops them)."""
        query = update.callback_query
        if query is None:
            return
        ui = services(context).content.ui
        callback = decode(query.data, self._known)
        if callback is None:
            await answer(query, render_plain(ui.stale_button))
            return
        await self._callbacks[callback.action](update, context, callback)

    async def on_text(self, update: Update, context: Context) -> None:
        """Typed text goes to the flow waiting for it, or gets gentle help."""
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
            await handler(update, context, flow)
            return
        await send(update, context, services(context).content.ui.unknown_text)
