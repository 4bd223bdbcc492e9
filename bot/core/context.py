"""The typed context every handler receives, and the services it carries."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.core.config import Settings
from bot.core.metrics import Metrics
from bot.domain.clock import Clock
from bot.domain.models import Profile
from bot.storage.store import Store
from bot.texts.content import Content
from scheduler.queue import DueQueue

if TYPE_CHECKING:
    from scheduler.dispatcher import Dispatcher


@dataclass(frozen=True)
class Services:
    """Everything a handler needs, created in post_init and closed in post_shutdown."""

    settings: Settings
    store: Store
    content: Content
    clock: Clock
    queue: DueQueue


class BotData:
    """PTB's bot_data, typed: holds the services once start-up has created them."""

    def __init__(self) -> None:
        self._services: Services | None = None
        self._dispatcher: Dispatcher | None = None
        # Created with the Application (not in post_init), so counting starts with the first
        # update and one process's replicas never share a registry.
        self.metrics = Metrics()

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are created in post_init; the application is not started")
        return self._services

    def attach(self, services: Services) -> None:
        self._services = services

    @property
    def dispatcher(self) -> Dispatcher:
        if self._dispatcher is None:
            raise RuntimeError("the dispatcher is created in post_init")
        return self._dispatcher

    @dispatcher.setter
    def dispatcher(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher

    @property
    def started(self) -> bool:
        """Whether post_init has run (the services and dispatcher exist)."""
        return self._services is not None and self._dispatcher is not None


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """PTB's per-update context, plus the language the person is answered in.

    PTB makes one context per update and hands it to every handler group, so the locale is
    resolved once: `language_code` from the update (people not enrolled yet), `locale` from the
    stored profile by `bot/chat/locale.py` (group -1). `services()` gives every handler the
    content of that locale, so features keep reading `svc.content` (ARCHITECTURE §10).
    """

    __slots__ = ("language_code", "locale", "opening_profile")

    def __init__(
        self, application: Application[Any, Any, Any, Any, Any, Any], **kwargs: Any
    ) -> None:
        super().__init__(application, **kwargs)
        self.language_code: str | None = None
        self.locale: str | None = None
        # The sender's profile as group -1 read it for the locale: (user id, profile or None),
        # so a hot handler that only reads it before an atomic write need not read it again.
        self.opening_profile: tuple[int, Profile | None] | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> Context:
        context = super().from_update(update, application)
        user = update.effective_user if isinstance(update, Update) else None
        context.language_code = user.language_code if user is not None else None
        return context


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)
App = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]]


def services(context: Context) -> Services:
    """Shorthand used by every handler: the services, with the content in the person's locale."""
    base = context.bot_data.services
    content = base.content
    locale = context.locale or content.locale_for(context.language_code)
    return replace(base, content=content.in_locale(locale))
