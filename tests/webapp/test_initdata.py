"""initData is accepted only as Telegram signs it for this bot, within its maximum age."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode

import pytest

from bot.domain.initdata import (
    MAX_LENGTH,
    InitDataError,
    Refusal,
    verify_init_data,
)
from tests.webapp.initdata import sign_fields, signed_init_data

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX"
OTHER_TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawY"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
USER_ID = 424242


def _signed(age: timedelta = timedelta(0), token: str = TOKEN) -> str:
    return signed_init_data(token, USER_ID, auth_date=int((NOW - age).timestamp()))


def _verify(raw: str) -> int:
    return verify_init_data(raw, TOKEN, now=NOW, max_age=DAY).id


def _refusal(raw: str) -> Refusal:
    with pytest.raises(InitDataError) as raised:
        _verify(raw)
    return raised.value.refusal


def _fields(raw: str) -> list[tuple[str, str]]:
    return parse_qsl(raw, keep_blank_values=True)


def _encode(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs, quote_via=quote)


def test_valid_init_data_names_the_signed_user() -> None:
    user = verify_init_data(_signed(), TOKEN, now=NOW, max_age=DAY)
    assert user.id == USER_ID
    assert user.language_code == "en"
    assert user.auth_date == NOW


def test_a_day_old_is_still_valid_and_a_little_clock_skew_too() -> None:
    assert _verify(_signed(DAY)) == USER_ID
    assert _verify(_signed(-timedelta(seconds=59))) == USER_ID


def test_the_telegram_documented_example_field_set_verifies() -> None:
    """Every field counts, `signature` included: only `hash` is left out of the check string."""
    fields = {
        "auth_date": str(int(NOW.timestamp())),
        "chat_instance": "8134722200314281151",
        "chat_type": "private",
        "signature": "TYJxVcisqbWjtodPepiJ6ghziUL94",
        "user": json.dumps({"id": 279058397, "first_name": "Vladislav + - ? \\/"}),
    }
    assert _verify(sign_fields(TOKEN, fields)) == 279058397


def test_a_forged_hash_is_refused() -> None:
    pairs = [(k, "0" * 64 if k == "hash" else v) for k, v in _fields(_signed())]
    assert _refusal(_encode(pairs)) is Refusal.BAD_HASH


@pytest.mark.parametrize("field", ["user", "auth_date", "query_id", "signature"])
def test_an_altered_field_is_refused(field: str) -> None:
    pairs = _fields(_signed())
    altered = [
        (k, v.replace("424242", "434343") if k == "user" else v + "1") if k == field else (k, v)
        for k, v in pairs
    ]
    assert _refusal(_encode(altered)) is Refusal.BAD_HASH


def test_an_added_field_is_refused() -> None:
    assert _refusal(_signed() + "&start_param=x") is Refusal.BAD_HASH


def test_expired_init_data_is_refused() -> None:
    assert _refusal(_signed(DAY + timedelta(seconds=1))) is Refusal.EXPIRED


def test_init_data_from_the_future_is_refused() -> None:
    assert _refusal(_signed(-timedelta(minutes=2))) is Refusal.FUTURE


def test_missing_hash_is_refused() -> None:
    pairs = [(k, v) for k, v in _fields(_signed()) if k != "hash"]
    assert _refusal(_encode(pairs)) is Refusal.NO_HASH


def test_another_bots_token_is_refused() -> None:
    assert _refusal(_signed(token=OTHER_TOKEN)) is Refusal.BAD_HASH


def test_duplicated_keys_are_refused_even_when_one_copy_is_signed() -> None:
    raw = _signed()
    forged_user = quote(json.dumps({"id": 1, "first_name": "Eve"}))
    assert _refusal(f"user={forged_user}&{raw}") is Refusal.MALFORMED
    assert _refusal(f"{raw}&hash={'0' * 64}") is Refusal.MALFORMED


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "x" * (MAX_LENGTH + 1),
        "&".join(f"k{i}=v" for i in range(1000)),
        "no equals sign",
        "a=1&&b=2",
    ],
)
def test_huge_or_malformed_input_is_refused(raw: str) -> None:
    assert _refusal(raw) is Refusal.MALFORMED


@pytest.mark.parametrize(
    "user", ["", "[]", '"x"', "{}", '{"id": "424242"}', '{"id": true}', '{"id": -5}', "{"]
)
def test_a_signed_field_set_without_a_proper_user_is_refused(user: str) -> None:
    fields = {"auth_date": str(int(NOW.timestamp())), "user": user}
    assert _refusal(sign_fields(TOKEN, fields)) is Refusal.NO_USER


@pytest.mark.parametrize("auth_date", ["", "abc", "-5", "1e9", "١٢٣", "9" * 20])
def test_a_signed_field_set_with_a_bad_auth_date_is_refused(auth_date: str) -> None:
    fields = {"auth_date": auth_date, "user": json.dumps({"id": USER_ID})}
    assert _refusal(sign_fields(TOKEN, fields)) is Refusal.NO_AUTH_DATE
