"""Prometheus metrics of one Application: what came in, what went out, and how far behind it is.

Each Application owns its own CollectorRegistry (never prometheus-client's global one), so two
replicas in one process, as in the tests, count separately. No label ever holds a user id:
labels are update types, outcomes and levels, a handful of values each.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from telegram import Update

from bot.domain.models import Level

# Send outcomes the dispatcher reports: one per attempt that ended, so a send that failed
# twice and then went through counts retry twice and ok once.
SEND_OUTCOMES: Final = ("ok", "retry", "forbidden", "timeout", "error")
# Also reported by the dispatcher, but counted apart: a message Telegram took that was marked
# allow_paid_broadcast, i.e. one paid in Stars (TWITCHCARE_PAID_BROADCAST).
PAID: Final = "paid"
# What happened to a person whose handling raised mid-tick: tried again later ("retry"), taken
# out of the queue after too many tries ("parked"), or left on its lease because Redis failed
# ("unavailable", not counted against the person).
DISPATCH_ERRORS: Final = ("retry", "parked", "unavailable")
WEBHOOK_RESULTS: Final = ("ok", "duplicate", "busy", "forbidden", "bad_request", "unavailable")
# Update.ALL_TYPES names every kind of update; anything newer than this library is "other".
UPDATE_TYPES: Final = tuple(Update.ALL_TYPES)


class Metrics:
    """The counters and gauges of one Application, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._updates = Counter(
            "twitchcare_updates",
            "Updates received from Telegram, by type",
            ["type"],
            registry=self.registry,
        )
        self._sends = Counter(
            "twitchcare_sends",
            "Scheduled sends by outcome (one count per attempt that ended)",
            ["outcome"],
            registry=self.registry,
        )
        self._paid = Counter(
            "twitchcare_paid_messages",
            "Scheduled messages Telegram took with allow_paid_broadcast (each one costs Stars)",
            registry=self.registry,
        )
        self._dispatch_errors = Counter(
            "twitchcare_dispatch_errors",
            "People whose handling raised during a tick, by what was done about it",
            ["action"],
            registry=self.registry,
        )
        self._red_flags = Counter(
            "twitchcare_red_flag_results",
            "Red-flag checks after a check-in or /urgent, by the level reached",
            ["level"],
            registry=self.registry,
        )
        self._webhook = Counter(
            "twitchcare_webhook_requests",
            "Webhook calls by result",
            ["result"],
            registry=self.registry,
        )
        self.queue_lag = Gauge(
            "twitchcare_due_queue_lag_seconds",
            "How far the oldest due send lags behind now",
            registry=self.registry,
        )
        self.active_people = Gauge(
            "twitchcare_active_people",
            "People with a scheduled nudge (enrolled, not paused, stopped or on hold)",
            registry=self.registry,
        )
        self.parked_people = Gauge(
            "twitchcare_parked_people",
            "People taken out of the due queue after repeated errors (see /stats)",
            registry=self.registry,
        )
        # Known label values start at zero, so dashboards see them before the first event.
        for outcome in SEND_OUTCOMES:
            self._sends.labels(outcome)
        for action in DISPATCH_ERRORS:
            self._dispatch_errors.labels(action)
        for level in Level:
            self._red_flags.labels(level.value)
        for result in WEBHOOK_RESULTS:
            self._webhook.labels(result)

    def update(self, update: Update) -> None:
        self._updates.labels(update_type(update)).inc()

    def send(self, outcome: str) -> None:
        """Count one ended send attempt (`outcome` is one of SEND_OUTCOMES), or one paid
        message (PAID)."""
        if outcome == PAID:
            self._paid.inc()
            return
        if outcome not in SEND_OUTCOMES:
            raise ValueError(f"unknown send outcome {outcome!r}")
        self._sends.labels(outcome).inc()

    def dispatch_error(self, action: str) -> None:
        """Count one person whose handling raised; `action` is one of DISPATCH_ERRORS."""
        if action not in DISPATCH_ERRORS:
            raise ValueError(f"unknown dispatch error action {action!r}")
        self._dispatch_errors.labels(action).inc()

    def red_flag(self, level: Level) -> None:
        self._red_flags.labels(level.value).inc()

    def webhook(self, result: str) -> None:
        if result not in WEBHOOK_RESULTS:
            raise ValueError(f"unknown webhook result {result!r}")
        self._webhook.labels(result).inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)


def update_type(update: Update) -> str:
    """The kind of an update ("message", "callback_query", ...), never anything in it."""
    for kind in UPDATE_TYPES:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"
