"""Webhook mode: two replicas on one Redis, fed by the emulator over real HTTP (ARCHITECTURE §7)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from redis.asyncio.cluster import RedisCluster

from bot.domain.models import Status
from bot.storage.client import RedisClient
from bot.storage.store import PROFILE, person_key
from devtools.emulator.webhook import Secret
from devtools.redis_cluster import LocalCluster
from tests.backends import CLUSTER, ON_BOTH
from tests.e2e.harness import USER
from tests.e2e.replicas import PUBLIC_URL, SECRET, Cluster, cluster
from tests.e2e.steps import check_in, enrol
from tests.redis_server import RedisServer

pytestmark = ON_BOTH

NEWCOMER = 515151


@pytest.fixture
async def bots(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Cluster]:
    async with cluster(redis_url, redis_client) as running:
        yield running


def _count(
    metrics: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_start_up_registers_the_webhook_with_its_secret(bots: Cluster) -> None:
    assert bots.emu.webhook_url == PUBLIC_URL
    assert bots.emu.webhook_secret_token == SECRET
    calls = bots.emu.requests_for("setWebhook")
    assert len(calls) == 2  # each replica registers; the same URL and secret, so harmless
    allowed = json.loads(str(calls[0].params["allowed_updates"]))
    assert {"message", "callback_query", "my_chat_member"} <= set(allowed)


async def test_a_conversation_spread_over_both_replicas(bots: Cluster) -> None:
    profile = await enrol(bots)  # every update goes to the other replica than the one before

    assert profile.status is Status.ACTIVE
    assert profile.zone == "Europe/London"
    served = [await r.metrics() for r in bots.replicas]
    assert all(_count(m, "twitchcare_webhook_requests_total", result="ok") >= 3 for m in served)


async def test_the_same_update_on_two_replicas_is_handled_once(bots: Cluster) -> None:
    await enrol(bots)
    before = await bots.store.get_profile(USER)
    assert before is not None
    seen = len(bots.messages())
    update_id = await bots.emu.send_text(USER, "/pause")
    update = json.dumps(bots.emu.pending_updates[-1])
    first, second = bots.replicas

    # Replica 1 handles it, but Telegram never got the answer and retries on replica 2.
    assert await bots.emu.deliver(update_id, first.webhook) == 200
    retry = await second.post(update)

    assert retry.status_code == 200
    assert len(bots.messages()) == seen + 1, "the person saw more than one reply"
    after = await bots.store.get_profile(USER)
    assert after is not None
    assert after.status is Status.PAUSED
    assert after.version == before.version + 1, "Redis was changed twice"
    assert len(after.pauses) == 1
    assert (
        _count(await second.metrics(), "twitchcare_webhook_requests_total", result="duplicate") == 1
    )


async def test_the_same_update_on_both_replicas_at_once_is_handled_once(bots: Cluster) -> None:
    await enrol(bots)
    seen = len(bots.messages())
    await bots.emu.send_text(USER, "/pause")
    update = json.dumps(bots.emu.pending_updates[-1])
    first, second = bots.replicas

    answers = await asyncio.gather(first.post(update), second.post(update))
    statuses = sorted(a.status_code for a in answers)
    # The loser either saw it done (200) or still in hand (503: Telegram retries it later).
    assert statuses in ([200, 200], [200, 503])
    if statuses == [200, 503]:
        assert (await second.post(update)).status_code == 200

    assert len(bots.messages()) == seen + 1
    profile = await bots.store.get_profile(USER)
    assert profile is not None
    assert len(profile.pauses) == 1


@pytest.mark.parametrize("secret", [None, "wrong", SECRET[:-1], SECRET + "x", ""])
async def test_a_wrong_or_missing_secret_gets_403_and_nothing_happens(
    bots: Cluster, secret: str | None
) -> None:
    update_id = await bots.emu.send_text(USER, "/start")
    replica = bots.replicas[0]

    status = await bots.emu.deliver(update_id, replica.webhook, secret=secret)

    assert status == 403
    assert bots.messages() == []
    assert await bots.redis.keys("upd:*") == []
    assert [u["update_id"] for u in bots.emu.pending_updates] == [update_id]  # Telegram retries
    metrics = await replica.metrics()
    assert _count(metrics, "twitchcare_webhook_requests_total", result="forbidden") == 1
    assert _count(metrics, "twitchcare_updates_total", type="message") == 0
    # The real secret then gets through.
    assert await bots.emu.deliver(update_id, replica.webhook, secret=Secret.REGISTERED) == 200
    assert len(bots.messages()) == 1


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b"{}", b'{"update_id": "7"}', b'{"update_id": -1}', b"\xff\xfe"],
)
async def test_garbage_gets_400_without_a_stack_trace(bots: Cluster, body: bytes) -> None:
    answer = await bots.replicas[0].post(body)

    assert answer.status_code == 400
    assert answer.content == b""
    assert bots.messages() == []
    assert await bots.redis.keys("upd:*") == []


async def test_only_post_on_the_webhook_path(bots: Cluster) -> None:
    replica = bots.replicas[0]
    assert (await replica.get(replica.server.path)).status_code == 405
    assert (await replica.post(b"{}", path="/elsewhere")).status_code == 404


async def test_health_and_metrics_answer_only_on_the_internal_ops_listener(
    bots: Cluster,
) -> None:
    replica = bots.replicas[0]
    for path in ("/healthz", "/metrics"):
        assert (await replica.get(path)).status_code == 404, path
        assert (await replica.ops(path)).status_code == 200, path
    assert (await replica.get("/app/")).status_code == 404  # no Mini App without its URL


async def test_healthz_is_503_while_redis_is_down_and_recovers(
    bots: Cluster, redis_server: RedisServer
) -> None:
    replica = bots.replicas[1]
    healthy = await replica.ops("/healthz")
    assert healthy.status_code == 200
    assert healthy.json() == {"status": "ok", "redis": True, "queue_lag_seconds": 0.0}
    bots.emu.add_user(NEWCOMER, first_name="Sam")
    update_id = await bots.emu.send_text(NEWCOMER, "/start")

    redis_server.stop()
    try:
        down = await replica.ops("/healthz")
        assert down.status_code == 503
        assert down.json()["status"] == "redis_unreachable"
        # An update meanwhile is refused with 503, so Telegram keeps it and tries again.
        assert await bots.emu.deliver(update_id, replica.webhook) == 503
        assert (await replica.ops("/metrics")).status_code == 200  # counters still readable
    finally:
        redis_server.start()

    assert (await replica.ops("/healthz")).status_code == 200
    assert await bots.emu.deliver(update_id, replica.webhook) == 200
    assert len(bots.messages(NEWCOMER)) == 1


async def test_healthz_is_503_while_a_cluster_master_is_down_and_recovers(
    bots: Cluster, redis_backend: str, request: pytest.FixtureRequest
) -> None:
    """The cluster's equivalent of stopping the server: the master holding the newcomer's keys
    dies. /healthz says so (the queue's lag needs every master) until its replica takes over;
    then an update held meanwhile is handled once."""
    if redis_backend != CLUSTER:
        pytest.skip("one server: see the test above")
    nodes: LocalCluster = request.getfixturevalue("redis_cluster")
    replica = bots.replicas[1]
    assert (await replica.ops("/healthz")).status_code == 200
    bots.emu.add_user(NEWCOMER, first_name="Sam")
    update_id = await bots.emu.send_text(NEWCOMER, "/start")
    redis = bots.redis
    assert isinstance(redis, RedisCluster)
    serving = redis.get_node_from_key(person_key(NEWCOMER, PROFILE))
    assert serving is not None
    master = nodes.node_at(int(serving.port))

    nodes.kill_master(master)
    down = await replica.ops("/healthz")
    assert down.status_code == 503
    assert down.json()["status"] == "redis_unreachable"
    assert (await replica.ops("/metrics")).status_code == 200  # counters still readable
    nodes.fail_over(master)

    assert (await replica.ops("/healthz")).status_code == 200
    assert await bots.emu.deliver(update_id, replica.webhook) == 200
    assert len(bots.messages(NEWCOMER)) == 1


async def test_healthz_is_503_when_the_queue_lags(bots: Cluster) -> None:
    queue = bots.app.bot_data.services.queue
    await queue.schedule(USER, bots.clock.now() - timedelta(minutes=10))

    answer = await bots.replicas[0].ops("/healthz")

    assert answer.status_code == 503
    assert answer.json() == {"status": "lagging", "redis": True, "queue_lag_seconds": 600.0}


async def test_metrics_move_with_traffic(bots: Cluster) -> None:
    first, second = bots.replicas
    start = await first.metrics()
    assert _count(start, "twitchcare_updates_total", type="message") == 0
    assert _count(start, "twitchcare_active_people") == 0

    await enrol(bots)  # six updates, three to each replica
    await check_in(bots)  # nothing worrying
    bots.clock.set(bots.clock.now() + timedelta(days=1))
    bots.emu.inject_fault("sendMessage", chat_id=USER, kind="server_error")
    await bots.tick()  # on the first replica: the morning nudge goes out at the second try
    assert _count(await first.metrics(), "twitchcare_active_people") == 1
    await check_in(bots, signs=("Eyelid or face drooping",))  # a warning sign: an emergency

    one, two = await first.metrics(), await second.metrics()
    messages = _count(one, "twitchcare_updates_total", type="message")
    messages += _count(two, "twitchcare_updates_total", type="message")
    taps = _count(one, "twitchcare_updates_total", type="callback_query")
    taps += _count(two, "twitchcare_updates_total", type="callback_query")
    assert messages == 6  # /start, zone, wake, bed, /checkin twice
    assert taps >= 14
    assert _count(one, "twitchcare_sends_total", outcome="ok") >= 1
    assert _count(one, "twitchcare_sends_total", outcome="retry") == 1
    assert _count(one, "twitchcare_sends_total", outcome="error") == 0
    assert _count(two, "twitchcare_sends_total", outcome="ok") == 0  # it did not tick
    levels = {
        level: _count(one, "twitchcare_red_flag_results_total", level=level)
        + _count(two, "twitchcare_red_flag_results_total", level=level)
        for level in ("none", "see_doctor", "emergency")
    }
    assert levels == {"none": 1, "see_doctor": 0, "emergency": 1}
    assert _count(one, "twitchcare_active_people") == 0  # nudges are on hold after an emergency
    assert _count(one, "twitchcare_due_queue_lag_seconds") == 0
    text = (await first.ops("/metrics")).text
    assert str(USER) not in text
    assert "Robin" not in text
