"""The tick: claim due people from the queue, send their nudge once, schedule the next one.

A python-telegram-bot JobQueue job (APScheduler `run_repeating`) calls `tick()` about once a
second. The people live in Redis, not in APScheduler: a tick costs O(due), not O(people), and
any number of replicas can tick at once (ARCHITECTURE §5).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from redis.exceptions import RedisError
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ExtBot

from bot.domain.clock import Clock
from bot.domain.models import Profile, Status
from bot.domain.plan import SlotKind, plan_day
from bot.domain.pseudonym import pseudonym
from bot.storage.store import CorruptProfileError, Store
from bot.texts.content import Content
from scheduler.paid import PaidBroadcast
from scheduler.queue import Claim, DueQueue
from scheduler.ratelimit import retry_after_seconds
from scheduler.render import Outgoing, render_due
from scheduler.send import post_message
from scheduler.timing import Due, next_due, routine_of, worth_sending

log = logging.getLogger(__name__)

# The one retry policy of a scheduled message (ARCHITECTURE §5): at most MAX_ATTEMPTS sendMessage
# calls by the sender holding its outbox marker, whatever fails. After a 429 the next attempt
# waits Telegram's retry_after (the rate limiter pauses every replica for as long, and retries
# nothing itself); after a 5xx or a network error it waits BACKOFF_SECONDS[attempt - 1]. A 429
# asking for more than MAX_RETRY_AFTER seconds, or a failure of the last attempt, gives the
# message up, loudly. A timeout is never retried.
MAX_ATTEMPTS = 4
BACKOFF_SECONDS = (1.0, 4.0, 15.0)  # one wait before each attempt after the first
MAX_RETRY_AFTER = 30.0
_MAX_PENDING = 8  # sends looked at per claim: a day has at most three
# A person whose handling raises is tried again after 30 s, then 1, 2 and 4 minutes; the fifth
# failure in a row parks them (out of the queue, shown by /stats). The waits add up to 7.5
# minutes, inside the two leases a claim looks back over, so every retry still sees the send
# that failed.
PARK_AFTER = 5
RETRY_WAIT_SECONDS = 30.0


_Completion = tuple[Claim, datetime | None]  # a claim and its next due time (None: no more)
_Message = tuple[int, str, date]  # whose, which marker, which local date


class Outcome(Enum):
    SENT = "sent"
    BLOCKED = "blocked"
    AMBIGUOUS = "ambiguous"
    FAILED = "failed"


@dataclass(frozen=True)
class DispatchSettings:
    batch: int = 200  # members claimed per shard per tick
    # Seconds a claim is held before another worker may take it over. Longer than a slot's sends
    # can take (per message at most 3 retry waits of at most MAX_RETRY_AFTER, 90 s; a morning
    # has two), so a slow sender is never mistaken for a dead one; short enough that a dead
    # one's wind-down nudge is still within its 30-minute grace when another worker picks it up.
    lease: float = 300.0
    concurrency: int = 50  # sends in flight at once in one process
    webapp: str | None = None  # the Mini App's page: exercise buttons in mornings 4 and 5


@dataclass
class TickStats:
    """What one tick did, for logs, metrics and tests."""

    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


class Dispatcher:
    """Sends what is due. Everything lives in Redis, except what Redis could not take: a
    message Telegram confirmed while Redis was away is remembered until its marker is written.

    Each person is handled on their own: an error while handling one person backs that person
    off (PARK_AFTER tries, then parked), and the rest of the shard and the remaining shards
    go on. A Redis error mid-send is not the person's fault: their lease runs out and they are
    claimed again, resuming after their last confirmed message.

    Graceful shutdown: stop() makes running ticks claim nothing more and give back (release)
    claims they have not started on; close() then waits for the sends in flight to finish.
    """

    def __init__(
        self,
        bot: ExtBot[Any],
        store: Store,
        queue: DueQueue,
        content: Content,
        clock: Clock,
        settings: DispatchSettings | None = None,
        on_send: Callable[[str], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        paid: PaidBroadcast | None = None,
    ) -> None:
        self._bot = bot
        self._store = store
        self._queue = queue
        self._content = content
        self._clock = clock
        self._settings = settings or DispatchSettings()
        self._slots = asyncio.Semaphore(self._settings.concurrency)
        self._on_send = on_send or _ignore
        self._on_error = on_error or _ignore
        self._paid = paid
        self._unsettled: dict[_Message, str] = {}
        self._ticks = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.stopping = asyncio.Event()
        """Set once shutdown has begun: no new claims from here on."""

    @property
    def sender(self) -> ExtBot[Any]:
        """The bot the scheduled sends go through (the app's: scheduler.send.scheduled_bot)."""
        return self._bot

    def stop(self) -> None:
        """Begin a graceful shutdown; returns at once (close() waits)."""
        self.stopping.set()

    async def close(self) -> None:
        """Stop, and wait until every tick in flight has finished its sends and releases."""
        self.stop()
        await self._idle.wait()

    async def tick(self) -> TickStats:
        """Claim and handle everything due now, shard by shard."""
        stats = TickStats()
        if self.stopping.is_set():
            return stats
        self._ticks += 1
        self._idle.clear()
        try:
            await self._tick(stats)
        finally:
            self._ticks -= 1
            if self._ticks == 0:
                self._idle.set()
        return stats

    async def _tick(self, stats: TickStats) -> None:
        await self._settle_remembered()
        failed: RedisError | None = None
        for shard in range(self._queue.shards):
            if self.stopping.is_set():
                break
            try:
                await self._tick_shard(shard, stats)
            except RedisError as exc:
                # On a cluster, one master down (until its replica takes over) holds up only
                # the shards it serves: the others' people still go. The tick fails after them.
                failed = failed or exc
        if failed is not None:
            raise failed

    async def _tick_shard(self, shard: int, stats: TickStats) -> None:
        # Read the clock per shard: sends may wait (flood limits), and a claim's lease must
        # start from when it is taken, not from when the tick began.
        claims = await self._queue.claim(
            shard, self._clock.now(), limit=self._settings.batch, lease=self._settings.lease
        )
        stats.claimed += len(claims)
        results = await asyncio.gather(*(self._guarded(claim, stats) for claim in claims))
        # The shard's next due times in one round trip, not one per person.
        await self._queue.complete_many([done for done in results if done is not None])

    async def _guarded(self, claim: Claim, stats: TickStats) -> _Completion | None:
        """Handle one person; whatever goes wrong stays with them (see the class docstring)."""
        async with self._slots:
            try:
                if self.stopping.is_set():
                    # Not started: give it back now rather than let its lease run out, so
                    # another replica sends it at once. Sends under way finish (none is cut off).
                    await self._queue.release(claim)
                    stats.count("released")
                    return None
                return await self._dispatch(claim, stats)
            except CorruptProfileError as exc:
                log.error("unreadable profile left in place; not scheduling: %s", exc.reason)
                return claim, None
            except RedisError as exc:
                log.warning(
                    "Redis failed mid-send (%s); person %s is claimed again after the lease",
                    type(exc).__name__,
                    self._who(claim.user_id),
                )
                self._count_error("unavailable", stats)
                return None
            except Exception as exc:  # one person must never end the tick
                await self._back_off(claim, exc, stats)
                return None

    async def _back_off(self, claim: Claim, exc: Exception, stats: TickStats) -> None:
        """Try the person again later, or park them after PARK_AFTER failures in a row. The
        log names the error's type and a pseudonym only: its text may quote ids."""
        who, error = self._who(claim.user_id), type(exc).__name__
        try:
            tries = await self._queue.fail(
                claim, self._clock.now(), park_after=PARK_AFTER, wait=RETRY_WAIT_SECONDS
            )
        except RedisError:
            return  # the lease runs out instead, and the person is claimed again
        if tries >= PARK_AFTER:
            log.warning("person %s parked after %d failed tries in a row (%s)", who, tries, error)
            self._count_error("parked", stats)
        elif tries:
            log.warning("handling person %s failed (%s), try %d; backing off", who, error, tries)
            self._count_error("retry", stats)

    def _count_error(self, kind: str, stats: TickStats) -> None:
        self._on_error(kind)
        stats.count(kind)

    def _who(self, user_id: int) -> str:
        return pseudonym(user_id, self._bot.token)

    async def _dispatch(self, claim: Claim, stats: TickStats) -> _Completion | None:
        """Send what is due for the claimed person; returns how to complete the claim (None:
        nothing to complete, the person was taken out of the queue)."""
        profile = await self._store.get_profile(claim.user_id)
        if profile is None or routine_of(profile) is None:
            return claim, None
        now = self._clock.now()
        since = claim.due_at - timedelta(seconds=2 * self._settings.lease)
        owner = f"{claim.shard}:{claim.lease_score!r}"
        for due in _pending(profile, since, now):
            outcome = await self._consider(profile, due, now, owner)
            stats.count(outcome)
            self._log_send(profile, due, outcome)
            if outcome == Outcome.BLOCKED.value:
                await self._mark_inactive(profile.user_id)
                return None
        return claim, await self._following(profile, now)

    async def _consider(self, profile: Profile, due: Due, now: datetime, owner: str) -> str:
        routine = routine_of(profile)
        if routine is None or not worth_sending(due, now, routine):
            return "dropped"
        if due.slot.kind is SlotKind.EVENING and await self._checked_in(profile, due):
            return "skipped"
        messages = await self._render(profile, due)
        return await self._send_all(profile, due, messages, owner)

    def _log_send(self, profile: Profile, due: Due, outcome: str) -> None:
        """One INFO line per scheduled send: never a chat id, a name or any text."""
        assert profile.start_date is not None  # scheduled people are enrolled
        day = plan_day(profile.start_date, profile.pauses, due.slot.local_date)
        log.info(
            "scheduled send: slot=%s plan_day=%d at=%s outcome=%s person=%s",
            due.marker,
            day,
            self._clock.now().isoformat(timespec="seconds"),
            outcome,
            self._who(profile.user_id),
        )

    async def _render(self, profile: Profile, due: Due) -> list[Outgoing]:
        """Only the end-of-plan summary needs the person's history; the daily nudges do not
        read it, which keeps a morning peak to a few Redis round trips per person."""
        if due.slot.kind is not SlotKind.SUMMARY:
            return render_due(self._content, profile, due, (), webapp=self._settings.webapp)
        uid = profile.user_id
        records, reports, episodes = await asyncio.gather(
            self._store.list_checkins(uid),
            self._store.list_reports(uid),
            self._store.list_episodes(uid),
        )
        return render_due(self._content, profile, due, records, reports, episodes)

    async def _checked_in(self, profile: Profile, due: Due) -> bool:
        records = await self._store.list_checkins(profile.user_id)
        return any(r.local_date == due.slot.local_date for r in records)

    async def _following(self, profile: Profile, now: datetime) -> datetime | None:
        """When the person's next send is due, after this one."""
        if profile.snooze is not None and profile.snooze.until <= now:
            # The snoozed nudge went out (or was dropped); the listener reschedules.
            await self._store.update_profile(
                profile.user_id, lambda p: p.model_copy(update={"snooze": None})
            )
            profile = profile.model_copy(update={"snooze": None})
        following = next_due(profile, now)
        return following.at if following else None

    async def _send_all(
        self, profile: Profile, due: Due, messages: list[Outgoing], owner: str
    ) -> str:
        """Send a slot's messages in order, each under its own outbox marker, skipping those
        already settled: a slot cut off midway (a crash, Redis gone) resumes after its last
        confirmed message. After an ambiguous timeout the rest still go (the first may well
        have arrived); a block or a failure stops the slot. "duplicate": nothing left to send.

        The guarantee, per message: one that Telegram confirmed is never sent again, even if
        Redis was away when it was confirmed (the marker is written from memory at the next
        tick, before anything is claimed). The one message in flight when its sender *dies*
        is sent again by whoever takes the person over after the lease, with a fresh budget of
        MAX_ATTEMPTS calls: at least once, twice only if Telegram had taken it. A timeout is
        never resent: at most once.
        """
        result = "duplicate"
        for index, message in enumerate(messages):
            key = (profile.user_id, due.message_marker(index), due.slot.local_date)
            outcome = await self._send_once(key, profile.chat_id, message, owner, due.at)
            if outcome is None:
                continue
            if outcome in (Outcome.BLOCKED, Outcome.FAILED):
                return str(outcome.value)
            if outcome is Outcome.AMBIGUOUS or result == "duplicate":
                result = outcome.value
        return result

    async def _send_once(
        self, key: _Message, chat_id: int, message: Outgoing, owner: str, due_at: datetime
    ) -> Outcome | None:
        """Claim, send and settle one message; None if it was sent (or is being sent) before."""
        if key in self._unsettled:
            await self._settle_remembered()  # sent, but Redis was away when it was confirmed
            return None
        user_id, marker, day = key
        if not await self._store.claim_send(user_id, marker, day, owner):
            return None
        paid = self._paid is not None and await self._paid.take(due_at)
        outcome = await self._send(chat_id, message, paid=paid)
        if paid and outcome is Outcome.SENT:
            self._on_send("paid")
        self._unsettled[key] = outcome.value
        await self._store.settle_send(user_id, marker, day, outcome.value)
        del self._unsettled[key]
        return outcome

    async def _settle_remembered(self) -> None:
        """Write the markers of messages whose send ended while Redis was away."""
        for key, outcome in list(self._unsettled.items()):
            user_id, marker, day = key
            await self._store.settle_send(user_id, marker, day, outcome)
            del self._unsettled[key]

    async def _send(self, chat_id: int, message: Outgoing, *, paid: bool) -> Outcome:
        """One message under the retry policy above: at most MAX_ATTEMPTS calls, a 429 waited
        out for its retry_after, a 5xx or network error backed off; never twice after a timeout."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self._attempt(chat_id, message, paid=paid)
            except (RetryAfter, NetworkError) as exc:
                wait = _retry_wait(exc, attempt)
                log.warning("scheduled send failed (attempt %d): %s", attempt, type(exc).__name__)
                if wait is None:
                    break
                self._on_send("retry")
                await self._clock.sleep(wait)
        self._on_send("error")
        log.error("scheduled send given up after %d attempts", attempt)
        return Outcome.FAILED

    async def _attempt(self, chat_id: int, message: Outgoing, *, paid: bool) -> Outcome:
        """One sendMessage call; a 429, 5xx or network error is raised for _send to decide."""
        try:
            await post_message(self._bot, chat_id, message, paid=paid)
        except Forbidden:
            self._on_send("forbidden")
            return Outcome.BLOCKED
        except TimedOut:
            # sendMessage has no idempotency key: it may have arrived. Do not resend.
            log.warning("scheduled send timed out; not resending (it may have arrived)")
            self._on_send("timeout")
            return Outcome.AMBIGUOUS
        except BadRequest as exc:
            log.error("scheduled send refused by Telegram: %s", exc.message)
            self._on_send("error")
            return Outcome.FAILED
        self._on_send("ok")
        return Outcome.SENT

    async def _mark_inactive(self, user_id: int) -> None:
        """The person blocked the bot: stop everything for them (the listener unschedules)."""
        await self._store.update_profile(
            user_id, lambda p: p.model_copy(update={"status": Status.INACTIVE})
        )


def _ignore(outcome: str) -> None:
    """The default send observer: nobody counts."""


def _retry_wait(error: RetryAfter | NetworkError, attempt: int) -> float | None:
    """Seconds to wait before the attempt after `attempt` failed with `error`; None: give up."""
    if attempt >= MAX_ATTEMPTS:
        return None
    if isinstance(error, RetryAfter):
        seconds = retry_after_seconds(error)
        return seconds if seconds <= MAX_RETRY_AFTER else None
    return BACKOFF_SECONDS[attempt - 1]


def _pending(profile: Profile, since: datetime, now: datetime) -> Iterator[Due]:
    """The sends due in (since, now], oldest first."""
    due = next_due(profile, since)
    for _ in range(_MAX_PENDING):
        if due is None or due.at > now:
            return
        yield due
        due = next_due(profile, due.at)
