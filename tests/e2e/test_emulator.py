"""The Bot API emulator, driven by the real python-telegram-bot client over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from devtools.emulator import (
    ApiError,
    BotApiEmulator,
    ChatMessage,
    FaultKind,
    RateLimits,
    UserActionError,
    parse_html,
)
from devtools.manual_clock import ManualClock

USER = 1001
OTHER = 1002
TOKEN = "123456789:TEST-token_for-the-emulator"
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def emu(clock: ManualClock) -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(clock, token=TOKEN) as emulator:
        emulator.add_user(USER, "Alex")
        emulator.add_user(OTHER, "Sam", language_code="de")
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as client:
        yield client


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def only_message(emu: BotApiEmulator, chat_id: int = USER) -> ChatMessage:
    messages = emu.chat(chat_id)
    assert len(messages) == 1
    return messages[0]


# identity, commands, transport ---------------------------------------------------------


async def test_get_me_returns_the_bot_user(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456789
    assert me.is_bot
    assert me.username == "twitchcare_bot"


async def test_commands_are_kept_for_tests_to_read(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("help", "Help")])
    assert emu.commands == [("start", "Begin"), ("help", "Help")]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    await bot.delete_my_commands()
    assert emu.commands == []


async def test_invalid_command_name_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start-Now", "Begin")])


async def test_wrong_token_is_unauthorized(emu: BotApiEmulator) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{emu.base_url}1:wrong/getMe") as response,
    ):
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=emu.base_url):
            pass


async def test_unknown_method_is_not_found(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER})
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{emu.base_url}{TOKEN}/sendTelepathy") as response,
    ):
        assert response.status == 404
        body = await response.json()
    assert body["description"] == "Not Found: method not found"


async def test_json_and_query_string_bodies_are_accepted(emu: BotApiEmulator) -> None:
    url = f"{emu.base_url}{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"chat_id": USER, "text": "json"}) as response:
            assert (await response.json())["result"]["text"] == "json"
        async with session.get(url, params={"chat_id": str(USER), "text": "query"}) as response:
            assert (await response.json())["result"]["text"] == "query"
    assert [m.text for m in emu.chat(USER)] == ["json", "query"]


# sending and HTML ----------------------------------------------------------------------


async def test_html_message_stores_plain_text_and_raw_html(bot: Bot, emu: BotApiEmulator) -> None:
    html = '<b>Day 1</b> &amp; <a href="https://example.org/?a=1&amp;b=2">guide</a> &#128564;'
    sent = await bot.send_message(USER, html, parse_mode=ParseMode.HTML)
    shown = only_message(emu)
    assert shown.text == "Day 1 & guide \U0001f634"
    assert shown.html == html
    assert sent.text == shown.text
    assert sent.date == START
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 5),
        ("text_link", 8, 5),
    ]
    assert sent.entities[1].url == "https://example.org/?a=1&b=2"


async def test_plain_text_is_shown_verbatim(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.send_message(USER, "1 < 2 & <b>not bold</b>")
    shown = only_message(emu)
    assert shown.text == "1 < 2 & <b>not bold</b>"
    assert shown.html == "1 &lt; 2 &amp; &lt;b&gt;not bold&lt;/b&gt;"
    assert shown.entities == ()


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("AT&T", "Can't find end of the entity starting at byte offset 2"),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("text</b>", "Unexpected end tag at byte offset 4"),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<code><b>x</b></code>", "can't be nested"),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "can't be nested"),
        ("<b", "Unclosed start tag at byte offset 0"),
        # Stricter than Telegram, so that the emulator and the content checker agree:
        ("<a>x</a>", 'Tag "a" must have attribute "href" at byte offset 0'),
        ('<b class="x">x</b>', 'Unsupported attribute "class" in the tag "b"'),
        ("<b>x</b x>", "Unclosed end tag at byte offset 4"),
    ],
)
async def test_bad_html_is_rejected_with_telegrams_wording(
    bot: Bot, emu: BotApiEmulator, html: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities") as caught:
        await bot.send_message(USER, html, parse_mode=ParseMode.HTML)
    # PTB re-capitalises the description, so compare case-insensitively here ...
    assert reason.lower() in caught.value.message.lower()
    # ... and check Telegram's exact wording on the wire.
    with pytest.raises(ApiError) as wire:
        parse_html(html)
    assert wire.value.status == 400
    assert wire.value.description.startswith("Bad Request: can't parse entities: ")
    assert reason in wire.value.description
    assert emu.chat(USER) == []


@pytest.mark.parametrize(
    ("html", "text", "types"),
    [
        ("<strong>a</strong><em>b</em><ins>c</ins><del>d</del>", "abcd", ["bold", "italic"]),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", ["spoiler"] * 2),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", ["pre"]),
        ("<blockquote expandable>quote</blockquote>", "quote", ["expandable_blockquote"]),
        (
            '<tg-emoji emoji-id="5368324170671202286">\U0001f44d</tg-emoji>',
            "\U0001f44d",
            ["custom_emoji"],
        ),
        ("&lt;&gt;&quot;&#x41;", '<>"A', []),
        ("<B>caps</B>", "caps", ["bold"]),
    ],
)
def test_supported_html_parses_to_entities(html: str, text: str, types: list[str]) -> None:
    parsed = parse_html(html)
    assert parsed.text == text
    assert [e.type for e in parsed.entities][: len(types)] == types


def test_entity_offsets_count_utf16_code_units() -> None:
    parsed = parse_html("\U0001f634 <b>tired</b>")
    assert [(e.offset, e.length) for e in parsed.entities] == [(3, 5)]


async def test_text_limit_applies_after_html_parsing(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "a" * 4097)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "\U0001f634" * 2049)
    assert len(emu.chat(USER)) == 1


async def test_empty_text_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b></b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "   ")


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard([("Yes", "y" * 64)]))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER, "too long", reply_markup=keyboard([("Yes", "y" * 65)]))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER, "multibyte", reply_markup=keyboard([("Yes", "é" * 33)]))
    assert [m.text for m in emu.chat(USER)] == ["ok"]


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hello?")


async def test_group_and_channel_chats(bot: Bot, emu: BotApiEmulator) -> None:
    emu.add_group(-100, "Tired faces", "supergroup")
    emu.add_group(-200, "News", "channel")
    update_id = await emu.send_text(USER, "/start@twitchcare_bot", chat_id=-100)
    await emu.send_text(USER, "post", chat_id=-200)
    updates = await bot.get_updates(offset=update_id)
    assert updates[0].effective_chat is not None
    assert updates[0].effective_chat.type == "supergroup"
    assert updates[1].channel_post is not None
    await bot.send_message(-100, "Please talk to me in private.")
    assert [m.text for m in emu.bot_messages(-100)] == ["Please talk to me in private."]


async def test_a_reply_to_a_message_someone_deleted_fails_unless_allowed(
    bot: Bot, emu: BotApiEmulator
) -> None:
    """As in a group whose anti-spam bot deletes every /command at once."""
    emu.add_group(-100, "Tired faces", "supergroup")
    await emu.send_text(USER, "/start", chat_id=-100)
    command = emu.chat(-100)[-1].message_id
    emu.delete_message(-100, command)

    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(-100, "refused", reply_to_message_id=command)
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(-100, "refused", reply_parameters=ReplyParameters(command))
    allowed = ReplyParameters(command, allow_sending_without_reply=True)
    await bot.send_message(-100, "sent anyway", reply_parameters=allowed)
    assert [m.text for m in emu.bot_messages(-100)] == ["sent anyway"]


# edits, deletes, uploads ---------------------------------------------------------------


async def test_edit_changes_the_message_in_place(
    bot: Bot, emu: BotApiEmulator, clock: ManualClock
) -> None:
    sent = await bot.send_message(USER, "How tired?", reply_markup=keyboard([("Very", "t:3")]))
    clock.advance(timedelta(minutes=1))
    edited = await bot.edit_message_text(
        "Thanks <b>noted</b>",
        chat_id=USER,
        message_id=sent.message_id,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard([("Undo", "u")]),
    )
    assert isinstance(edited, type(sent))
    assert edited.edit_date == START + timedelta(minutes=1)
    shown = only_message(emu)
    assert (shown.text, shown.edited, shown.button_values) == (
        "Thanks noted",
        True,
        [[("Undo", "u")]],
    )
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=None)
    assert only_message(emu).buttons == ()


async def test_edit_text_without_markup_removes_the_keyboard(bot: Bot, emu: BotApiEmulator) -> None:
    sent = await bot.send_message(USER, "Q", reply_markup=keyboard([("A", "a")]))
    await bot.edit_message_text("Q answered", chat_id=USER, message_id=sent.message_id)
    assert only_message(emu).buttons == ()


async def test_identical_edit_is_not_modified(bot: Bot) -> None:
    sent = await bot.send_message(USER, "Same", reply_markup=keyboard([("A", "a")]))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "Same", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard([("A", "a")])
        )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(
            USER, sent.message_id, reply_markup=keyboard([("A", "a")])
        )


async def test_editing_unknown_message_fails(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=42)


async def test_deleted_messages_disappear(bot: Bot, emu: BotApiEmulator) -> None:
    first = await bot.send_message(USER, "first")
    await bot.send_message(USER, "second")
    assert await bot.delete_message(USER, first.message_id)
    assert [m.text for m in emu.chat(USER)] == ["second"]
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, first.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("back?", chat_id=USER, message_id=first.message_id)


async def test_document_upload_is_readable_back(bot: Bot, emu: BotApiEmulator) -> None:
    payload = b'{"days": [1, 2, 3]}\n' * 100
    sent = await bot.send_document(
        USER, payload, filename="export.json", caption="Your <b>data</b>", parse_mode="HTML"
    )
    shown = only_message(emu)
    assert shown.document is not None
    assert (shown.document.filename, shown.document.data) == ("export.json", payload)
    assert shown.caption == "Your data"
    assert sent.document is not None
    assert sent.document.file_size == len(payload)
    assert "export.json" in emu.requests_for("sendDocument")[0].params["document"]
    assert isinstance(emu.requests_for("sendDocument")[0].params["document"], str)
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload


async def test_photo_upload_and_caption_limit(bot: Bot, emu: BotApiEmulator) -> None:
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    sent = await bot.send_photo(USER, image, caption="Face yoga")
    assert sent.photo[-1].file_size == len(image)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(USER, image, caption="x" * 1025)
    shown = only_message(emu)
    assert shown.photo is not None
    assert shown.photo.data == image


async def test_photo_over_10_mb_is_rejected(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(BadRequest):
        await bot.send_photo(USER, b"x" * (10 * 1024 * 1024 + 1))
    assert emu.chat(USER) == []


# updates, the person's actions, callback queries ---------------------------------------


async def test_get_updates_and_offset_acknowledgement(bot: Bot, emu: BotApiEmulator) -> None:
    first = await emu.send_text(USER, "/start now")
    second = await emu.share_location(USER, 52.52, 13.40)
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, second]
    message = updates[0].message
    assert message is not None
    assert message.text == "/start now"
    assert message.parse_entities(["bot_command"]) != {}
    assert updates[1].message is not None
    assert updates[1].message.location is not None
    assert not emu.is_acknowledged(first)
    assert len(await bot.get_updates(offset=second)) == 1
    await emu.wait_acknowledged(first)
    assert not emu.is_acknowledged(second)
    assert await bot.get_updates(offset=second + 1) == ()
    await emu.wait_acknowledged(second)


async def test_long_poll_returns_when_an_update_arrives(bot: Bot, emu: BotApiEmulator) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for_long_poll()
    update_id = await emu.send_text(USER, "hello")
    updates = await poll
    assert [u.update_id for u in updates] == [update_id]


async def test_stop_ends_a_pending_long_poll(clock: ManualClock) -> None:
    emulator = BotApiEmulator(clock, token=TOKEN)
    await emulator.start()
    async with Bot(TOKEN, base_url=emulator.base_url) as client:
        poll = asyncio.create_task(client.get_updates(timeout=30))
        await emulator.wait_for_long_poll()
        await emulator.stop()
        assert await poll == ()


async def test_tap_sends_the_button_data_and_answers_are_recorded(
    bot: Bot, emu: BotApiEmulator
) -> None:
    sent = await bot.send_message(USER, "Sleep?", reply_markup=keyboard([("Good", "s:1")]))
    update_id = await emu.tap(USER, sent.message_id, "Good")
    (update,) = await bot.get_updates(offset=update_id)
    query = update.callback_query
    assert isinstance(query, CallbackQuery)
    assert query.data == "s:1"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    with pytest.raises(BadRequest, match="Message_too_long"):
        await query.answer("x" * 201)
    assert await query.answer("Saved", show_alert=True)
    assert [(a.query_id, a.text, a.show_alert) for a in emu.callback_answers] == [
        (query.id, "Saved", True)
    ]
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("again")


async def test_unknown_query_id_is_too_old(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123")


async def test_tap_needs_a_visible_button(bot: Bot, emu: BotApiEmulator) -> None:
    sent = await bot.send_message(USER, "Q", reply_markup=keyboard([("A", "a")]))
    with pytest.raises(UserActionError, match="no button"):
        await emu.tap(USER, sent.message_id, "B")
    await bot.delete_message(USER, sent.message_id)
    with pytest.raises(UserActionError, match="not visible"):
        await emu.tap(USER, sent.message_id, "A")


async def test_tap_raw_can_forge_data_for_a_deleted_message(bot: Bot, emu: BotApiEmulator) -> None:
    sent = await bot.send_message(USER, "Q", reply_markup=keyboard([("A", "a")]))
    await bot.delete_message(USER, sent.message_id)
    update_id = await emu.tap_raw(USER, sent.message_id, "v9:forged")
    (update,) = await bot.get_updates(offset=update_id)
    assert update.callback_query is not None
    assert update.callback_query.data == "v9:forged"
    assert update.callback_query.message is not None
    assert not update.callback_query.message.is_accessible


async def test_change_notifications(clock: ManualClock) -> None:
    seen: list[int] = []

    async def record(chat_id: int) -> None:
        seen.append(chat_id)

    async with BotApiEmulator(clock, token=TOKEN, on_change=record) as emulator:
        emulator.add_user(USER)
        version = emulator.version
        waiter = asyncio.create_task(emulator.wait_for_change(version))
        await emulator.send_text(USER, "hi")
        assert await waiter > version
    assert seen == [USER]


# blocking, faults, rate limits ---------------------------------------------------------


async def test_blocked_user_gets_403_and_bot_is_told(bot: Bot, emu: BotApiEmulator) -> None:
    update_id = await emu.block_bot(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "Still there?")
    await bot.send_message(OTHER, "unaffected")
    (update,) = await bot.get_updates(offset=update_id)
    assert isinstance(update, Update)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(UserActionError):
        await emu.send_text(USER, "hi")
    await emu.unblock_bot(USER)
    await bot.send_message(USER, "Welcome back")
    assert [m.text for m in emu.chat(USER)] == ["Welcome back"]


async def test_forbidden_fault_fails_once_for_that_chat(bot: Bot, emu: BotApiEmulator) -> None:
    emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.FORBIDDEN)
    await bot.send_message(OTHER, "other chat is fine")
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "one")
    await bot.send_message(USER, "two")
    assert [m.text for m in emu.chat(USER)] == ["two"]


async def test_server_error_fault(bot: Bot, emu: BotApiEmulator) -> None:
    emu.inject_fault("sendMessage", kind="server_error", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER, "lost")
    await bot.send_message(USER, "kept")
    assert [m.text for m in emu.chat(USER)] == ["kept"]


async def test_flood_fault_answers_429_with_its_retry_after(bot: Bot, emu: BotApiEmulator) -> None:
    emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.FLOOD, retry_after=7)
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(USER, "lost")
    assert refused.value.retry_after in (7, timedelta(seconds=7))
    await bot.send_message(USER, "kept")
    assert [m.text for m in emu.chat(USER)] == ["kept"]


async def test_timeout_fault_delivers_but_never_answers(emu: BotApiEmulator) -> None:
    emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.TIMEOUT)
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(TOKEN, base_url=emu.base_url, request=request) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(USER, "Did this arrive?")
    assert [m.text for m in emu.chat(USER)] == ["Did this arrive?"]
    assert emu.hung_requests == 1
    emu.release_hung()


async def test_disconnect_fault_records_nothing(bot: Bot, emu: BotApiEmulator) -> None:
    emu.inject_fault("sendMessage", kind=FaultKind.DISCONNECT)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "gone")
    assert emu.chat(USER) == []
    await bot.send_message(USER, "retry")
    assert [m.text for m in emu.chat(USER)] == ["retry"]


async def test_hang_fault_holds_the_request_and_delivers_nothing(
    bot: Bot, emu: BotApiEmulator
) -> None:
    emu.inject_fault("sendMessage", chat_id=USER, kind=FaultKind.HANG)
    send = asyncio.create_task(bot.send_message(USER, "in flight"))
    await asyncio.wait_for(emu.wait_hung(1), timeout=10)
    assert emu.hung_requests == 1
    assert not send.done()
    assert emu.chat(USER) == []
    emu.release_hung()
    with pytest.raises(NetworkError):
        await send
    assert emu.chat(USER) == []
    assert emu.hung_requests == 0
    await bot.send_message(USER, "next")
    assert [m.text for m in emu.chat(USER)] == ["next"]


@pytest.fixture
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta `retry_after`; otherwise RetryAfter() warns (v22.2+)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_per_chat_rate_limit_lifts_when_the_clock_moves(
    bot: Bot, emu: BotApiEmulator, clock: ManualClock
) -> None:
    emu.set_limits(RateLimits(per_chat_rate=1.0, per_chat_burst=1))
    await bot.send_message(USER, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "two")
    assert caught.value.retry_after == timedelta(seconds=1)
    await bot.send_message(OTHER, "other chat has its own bucket")
    clock.advance(timedelta(seconds=1))
    await bot.send_message(USER, "two")
    assert [m.text for m in emu.chat(USER)] == ["one", "two"]


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_global_rate_limit(bot: Bot, emu: BotApiEmulator, clock: ManualClock) -> None:
    emu.set_limits(RateLimits(per_chat_burst=5, global_rate=2.0, global_burst=2))
    await bot.send_message(USER, "1")
    await bot.send_message(OTHER, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "3")
    clock.advance(timedelta(milliseconds=500))
    await bot.send_message(USER, "3")
    assert [m.text for m in emu.chat(USER)] == ["1", "3"]


async def test_retry_after_on_the_wire(emu: BotApiEmulator) -> None:
    emu.set_limits(RateLimits(per_chat_rate=0.25, per_chat_burst=1))
    url = f"{emu.base_url}{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as session:
        await session.post(url, json={"chat_id": USER, "text": "1"})
        async with session.post(url, json={"chat_id": USER, "text": "2"}) as response:
            assert response.status == 429
            assert await response.json() == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 4",
                "parameters": {"retry_after": 4},
            }


async def test_rate_limits_are_off_by_default(bot: Bot, emu: BotApiEmulator) -> None:
    for n in range(40):
        await bot.send_message(USER, str(n))
    assert len(emu.requests_for("sendMessage")) == 40


# the real Application in polling mode --------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        "<b>Welcome!</b> How tired are you?",
        reply_markup=keyboard([("Very", "t:3"), ("A bit", "t:1")]),
    )


async def tired(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    await query.answer("Noted")
    await query.edit_message_text(f"Noted: {query.data}")


async def test_application_polling_end_to_end(emu: BotApiEmulator) -> None:
    app: Application = (  # type: ignore[type-arg]
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(tired))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=10)
        update_id = await emu.send_text(USER, "/start")
        await emu.wait_acknowledged(update_id)
        await app.update_queue.join()
        reply = emu.last_bot_message(USER)
        assert reply.text == "Welcome! How tired are you?"
        assert reply.button_values == [[("Very", "t:3"), ("A bit", "t:1")]]

        tap_id = await emu.tap(USER, reply.message_id, "Very")
        await emu.wait_acknowledged(tap_id)
        await app.update_queue.join()
        assert [a.text for a in emu.callback_answers] == ["Noted"]
        assert emu.last_bot_message(USER).text == "Noted: t:3"
        assert emu.last_bot_message(USER).message_id == reply.message_id

        await app.updater.stop()
        await app.stop()
