"""Logs stay clean: JSON lines, and never what people typed, their names, the token or the secret.

The whole conversation runs in webhook mode (so the secret is in play) with JSON logs at DEBUG,
the most talkative setting an operator can choose.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.core.config import Settings
from bot.core.context import Context
from bot.ops.logs import LIBRARY_LEVELS, REDACTED, configure_logging
from bot.storage.client import RedisClient
from devtools.emulator.emulator import DEFAULT_TOKEN
from tests.e2e.harness import USER
from tests.e2e.replicas import SECRET, Cluster, cluster
from tests.e2e.steps import check_in, enrol

FIRST_NAME = "Robin"
TYPED = "my neighbour Quentin keeps me awake xyzzy"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger writes to a buffer for the test; everything is put back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    libraries = {name: logging.getLogger(name).level for name in LIBRARY_LEVELS}
    buffer = io.StringIO()
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in libraries.items():
            logging.getLogger(name).setLevel(old)


@pytest.fixture
async def bots(
    redis_url: str, redis_client: RedisClient, captured: io.StringIO
) -> AsyncIterator[Cluster]:
    async with cluster(redis_url, redis_client, log_json=True, log_level="DEBUG") as running:
        configure_logging(running.app.bot_data.services.settings, stream=captured)
        yield running


def _forbidden() -> list[str]:
    token_secret = DEFAULT_TOKEN.split(":", 1)[1]
    return [DEFAULT_TOKEN, token_secret, SECRET, FIRST_NAME, "Quentin", "xyzzy"]


def _lines(buffer: io.StringIO) -> list[dict[str, object]]:
    lines = buffer.getvalue().splitlines()
    assert lines, "nothing was logged"
    parsed = []
    for line in lines:
        entry = json.loads(line)  # every line is one JSON object
        assert isinstance(entry, dict)
        assert {"time", "level", "logger", "message"} <= entry.keys()
        parsed.append(entry)
    return parsed


async def test_a_whole_conversation_logs_no_text_names_token_or_secret(
    bots: Cluster, captured: io.StringIO
) -> None:
    bots.emu.add_user(USER, first_name=FIRST_NAME)
    await enrol(bots)
    await check_in(bots, signs=("Pain with the twitch",))
    await bots.send(TYPED)
    # A failure on the way out, so the error path logs too.
    bots.emu.inject_fault("sendMessage", chat_id=USER, kind="server_error")
    await bots.send("/today")
    # A forged webhook call and a scheduled nudge.
    assert (await bots.replicas[0].post(b"{}", secret="not-the-secret")).status_code == 403
    bots.advance(days=1)
    await bots.tick()

    entries = _lines(captured)
    text = captured.getvalue()
    for secret in _forbidden():
        assert secret not in text, f"{secret!r} was logged"
    loggers = {str(e["logger"]) for e in entries}
    assert "uvicorn.access" in loggers  # the server's own lines come through the same filter
    assert any(e["level"] == "ERROR" for e in entries)  # the failed send was logged


async def test_secrets_are_redacted_in_arguments_exceptions_and_stacks(
    bots: Cluster, captured: io.StringIO
) -> None:
    log = logging.getLogger("tests.leaky")
    log.warning("calling %s with %s", f"https://api.telegram.org/bot{DEFAULT_TOKEN}/getMe", SECRET)
    try:
        raise RuntimeError(f"request to /bot{DEFAULT_TOKEN}/sendMessage failed ({SECRET})")
    except RuntimeError:
        log.exception("failed")
    log.info("where %s", SECRET, stack_info=True)

    entries = _lines(captured)
    text = captured.getvalue()
    assert DEFAULT_TOKEN not in text
    assert SECRET not in text
    leaky = [e for e in entries if e["logger"] == "tests.leaky"]
    assert len(leaky) == 3
    assert REDACTED in str(leaky[0]["message"])
    assert REDACTED in str(leaky[1]["exception"])
    assert "RuntimeError" in str(leaky[1]["exception"])
    assert "stack" in leaky[2]


async def _handle(update: Update, context: Context) -> None:
    """A handler whose failure is several calls deep and chained, and quotes the person."""
    assert update.effective_message is not None
    assert update.effective_user is not None
    _look_up(update.effective_message.text or "", update.effective_user.first_name)


def _look_up(text: str, name: str) -> None:
    try:
        _parse(text, name)
    except KeyError as exc:
        raise RuntimeError(f"could not read {text!r} from {name} (bot{DEFAULT_TOKEN})") from exc


def _parse(text: str, name: str) -> None:
    _innermost({}, f"{name}: {text}")


def _innermost(answers: dict[str, str], key: str) -> None:
    answers[key]  # noqa: B018 - the KeyError quotes the key: the person's name and words


async def test_a_failed_update_logs_its_whole_traceback_and_never_what_it_quotes(
    bots: Cluster, captured: io.StringIO
) -> None:
    bots.emu.add_user(USER, first_name=FIRST_NAME)
    for replica in bots.replicas:  # whichever replica takes the update
        replica.app.add_handler(MessageHandler(filters.Regex("xyzzy"), _handle), group=1)

    await bots.send(TYPED)

    [failed] = [e for e in _lines(captured) if str(e["message"]).startswith("update failed")]
    logged = str(failed["message"])
    for secret in _forbidden():
        assert secret not in captured.getvalue(), f"{secret!r} was logged"
    # Every frame, from the handler down to where it failed, and both exceptions of the chain.
    for frame in ("in _handle", "in _look_up", "in _parse", "in _innermost"):
        assert frame in logged
    assert logged.index("builtins.KeyError") < logged.index("builtins.RuntimeError")
    assert bots.last().text == bots.app.bot_data.services.content.ui.error_generic  # told


def test_plain_logs_are_redacted_too(captured: io.StringIO) -> None:
    settings = Settings(_env_file=None, bot_token=DEFAULT_TOKEN, log_level="DEBUG")  # type: ignore[arg-type]
    configure_logging(settings, stream=captured)
    logging.getLogger("tests.plain").debug("token %s", DEFAULT_TOKEN)
    assert captured.getvalue().strip().endswith(f"tests.plain: token {REDACTED}")
