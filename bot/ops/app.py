"""Builds the python-telegram-bot Application: one module per feature, registered in order."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, cast

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    ExtBot,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.chat import membership
from bot.chat.errors import on_error
from bot.chat.guards import private_chats_only
from bot.chat.locale import stored_locale
from bot.chat.ordering import PerChatUpdateProcessor
from bot.chat.router import Router, merged, on_other_message, on_unknown_command
from bot.core.config import Settings
from bot.core.context import CONTEXT_TYPES, App, Context, Services
from bot.domain.clock import Clock, SavedClock, SystemClock
from bot.features import (
    admin,
    checkin,
    commands,
    data,
    enrol,
    guide,
    language,
    nudges,
    settings_flow,
    twitch,
    urgent,
)
from bot.ops.logs import quiet_libraries
from bot.ops.runtime import Runtime, RuntimeRateLimiter
from bot.storage.client import RedisClient
from bot.storage.store import Store
from bot.texts.content import Content
from scheduler.dispatcher import Dispatcher, DispatchSettings
from scheduler.paid import PaidBroadcast
from scheduler.send import scheduled_bot

# The feature modules, in the order their commands appear in Telegram's menu.
# The shortest real interval between scheduler ticks, however fast the clock runs.
MIN_TICK = 0.05
# How often (real seconds) a fast clock's position is saved for a restart.
CLOCK_SAVE_SECONDS = 1.0
FEATURES = tuple(
    module.FEATURE
    for module in (
        enrol,
        commands,
        checkin,
        twitch,
        settings_flow,
        language,
        data,
        guide,
        urgent,
        nudges,
        admin,
    )
)


def build_application(settings: Settings, *, clock: Clock | None = None) -> App:
    """The whole bot, ready for polling, a webhook, or the emulator."""
    # Whoever hosts the bot (CLI, webhook server, demo, tests), the libraries must not log the
    # token or what people write, even when the host's logging is at DEBUG.
    quiet_libraries()
    # Opt in to python-telegram-bot's timedelta values (retry_after); without it PTB 22 warns.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    runtime = Runtime(settings=settings, clock=clock or SystemClock())
    builder = (
        ApplicationBuilder()
        .token(_token(settings))
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(RuntimeRateLimiter(runtime))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(_post_init(runtime))
        .post_shutdown(_post_shutdown(runtime))
    )
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if settings.api_file_url:
        builder = builder.base_file_url(settings.api_file_url)
    app = cast(App, builder.build())
    _register(app)
    return app


def _token(settings: Settings) -> str:
    if settings.bot_token is None:
        raise ValueError("TWITCHCARE_BOT_TOKEN is not set")
    return settings.bot_token.get_secret_value()


def _register(app: App) -> None:
    router = Router(FEATURES)
    # Group -3 counts every update (by type only) before anything can stop it.
    app.add_handler(TypeHandler(Update, _count_update), group=-3)
    # Group -2 runs next for every update: outside private chats nothing else may run.
    app.add_handler(TypeHandler(Update, private_chats_only), group=-2)
    # Group -1 reads the person's language once for every handler after it.
    app.add_handler(TypeHandler(Update, stored_locale), group=-1)
    app.add_handler(
        ChatMemberHandler(membership.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    only_new = filters.UpdateType.MESSAGE  # edits of old messages are not new answers
    for name, callback in merged(FEATURES, lambda f: f.commands).items():
        app.add_handler(CommandHandler(name, callback, filters=only_new))
    app.add_handler(CallbackQueryHandler(router.on_callback))
    app.add_handler(MessageHandler(only_new & filters.LOCATION, router.on_location))
    app.add_handler(MessageHandler(only_new & filters.TEXT & ~filters.COMMAND, router.on_text))
    # Last: commands nobody claimed, then anything else (stickers, photos, voice...).
    app.add_handler(MessageHandler(only_new & filters.COMMAND, on_unknown_command))
    app.add_handler(MessageHandler(only_new, on_other_message))
    app.add_error_handler(on_error)


def _post_init(runtime: Runtime) -> Callable[[App], Coroutine[object, object, None]]:
    async def post_init(app: App) -> None:
        services = await runtime.open()
        app.bot_data.attach(services)
        runtime.sender = scheduled_bot(app.bot, pool_size=services.settings.send_concurrency)
        await runtime.sender.initialize()
        app.bot_data.dispatcher = _dispatcher(app, runtime.sender, runtime.send_store, services)
        await _set_menus(app, services.content)
        _schedule_ticks(app, services.settings.tick_seconds, services.settings.clock_speed)
        _keep_clock(app, services.clock)

    return post_init


def _dispatcher(
    app: App, sender: ExtBot[Any], store: Store | None, services: Services
) -> Dispatcher:
    """The scheduler: its own bot (scheduler.send) and its group-committed store (Runtime)."""
    if store is None:
        raise RuntimeError("the runtime is not open")
    return Dispatcher(
        sender,
        store,
        services.queue,
        services.content,
        services.clock,
        DispatchSettings(
            concurrency=services.settings.send_concurrency, webapp=services.settings.webapp_page
        ),
        on_send=app.bot_data.metrics.send,
        on_error=app.bot_data.metrics.dispatch_error,
        paid=_paid_broadcast(services, store.redis),
    )


def _paid_broadcast(services: Services, redis: RedisClient) -> PaidBroadcast | None:
    """The paid-broadcast policy, if the operator opted in (TWITCHCARE_PAID_BROADCAST)."""
    settings = services.settings
    if not settings.paid_broadcast:
        return None
    return PaidBroadcast(
        redis,
        services.clock,
        daily_budget=settings.paid_broadcast_daily_budget,
        after=timedelta(seconds=settings.paid_broadcast_after_seconds),
    )


def _post_shutdown(runtime: Runtime) -> Callable[[App], Coroutine[object, object, None]]:
    async def post_shutdown(app: App) -> None:
        # Sends in flight finish and unstarted claims are released before Redis goes away.
        if app.bot_data.started:
            await app.bot_data.dispatcher.close()
        await runtime.close()
        if isinstance(runtime.clock, SavedClock):
            runtime.clock.save()

    return post_shutdown


def _schedule_ticks(app: App, seconds: float, speed: float) -> None:
    """One repeating job for the whole process, never one per person (ARCHITECTURE §5).

    `seconds` are the bot's own: on a clock running `speed` times faster the job runs that
    much more often (down to MIN_TICK real seconds), so a send is never later in the bot's
    time than one tick.

    A tick that could not start within two intervals is skipped on purpose (misfire grace
    time): the next tick claims everything that is due anyway, so running late ones back to
    back after a stall would only repeat work.
    """
    if seconds <= 0 or app.job_queue is None:
        return  # tests and benchmarks call tick() themselves
    seconds = max(MIN_TICK, seconds / speed)
    app.job_queue.run_repeating(
        _tick,
        interval=seconds,
        first=seconds,
        name="dispatch",
        job_kwargs={"misfire_grace_time": max(1, int(2 * seconds)), "coalesce": True},
    )


async def _tick(context: Context) -> None:
    await context.bot_data.dispatcher.tick()


def _keep_clock(app: App, clock: Clock) -> None:
    """A fast clock's position is saved every second (real time), so a restart resumes it."""
    if not isinstance(clock, SavedClock) or app.job_queue is None:
        return

    async def save(_context: Context) -> None:
        clock.save()

    app.job_queue.run_repeating(save, interval=CLOCK_SAVE_SECONDS, name="clock")


async def _count_update(update: Update, context: Context) -> None:
    """Count the update for /metrics; never stops it."""
    context.bot_data.metrics.update(update)


def begin_shutdown(app: App) -> None:
    """Tell the dispatcher to claim nothing more; app.stop() then waits for its tick."""
    if app.bot_data.started:
        app.bot_data.dispatcher.stop()


async def _set_menus(app: App, content: Content) -> None:
    """The command menu in each locale (Telegram shows it to people whose app uses that
    language), and the default locale's for everyone else."""
    await app.bot.set_my_commands(_menu(content.ui.commands.model_dump()))
    for locale, texts in content.locales.items():
        if locale != content.default_locale:
            commands = _menu(texts.ui.commands.model_dump())
            await app.bot.set_my_commands(commands, language_code=locale)


def _menu(descriptions: Mapping[str, str]) -> list[BotCommand]:
    """Every registered command, in the order content lists them, described from content."""
    registered = {name for feature in FEATURES for name in feature.commands}
    return [BotCommand(name, text) for name, text in descriptions.items() if name in registered]


@asynccontextmanager
async def running(app: App) -> AsyncIterator[App]:
    """Initialise and start the application as run_polling would, without owning the loop.

    Webhook servers, the demo and tests drive updates themselves but need the same start-up
    (post_init: Redis, content, commands) and shut-down (post_shutdown) as polling.
    """
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        try:
            yield app
        finally:
            begin_shutdown(app)
            await app.stop()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
