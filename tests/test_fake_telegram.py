"""Fidelity checks of tests/fakes/telegram_api.FakeTelegram, driven by the real PTB ``telegram.Bot``."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import struct
import time
import zlib

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakes.telegram_api import FakeTelegram, parse_html

USER = 1001


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture
async def tg():
    async with FakeTelegram() as fake:
        fake.user(USER, first_name="Lan", username="lan_nguyen")
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram):
    async with Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url) as b:
        yield b


# ------------------------------------------------------------------------------------- basics


async def test_get_me(tg: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "dondoc_test_bot"
    assert me.id == 123456
    assert ("getMe", {}) in tg.requests


async def test_send_message_returns_message_and_is_recorded(tg: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_message(USER, "Xin chào <b>Lan</b> 😀", parse_mode="HTML")
    assert msg.text == "Xin chào Lan 😀"
    assert msg.chat.id == USER and msg.chat.type == "private"
    assert msg.from_user.id == bot.id
    assert [(e.type, e.offset, e.length) for e in msg.entities] == [("bold", 9, 3)]
    assert tg.messages_to(USER)[0]["text"] == "Xin chào Lan 😀"
    method, params = tg.requests[-1]
    assert method == "sendMessage"
    assert params["chat_id"] == USER and params["parse_mode"] == "HTML"


async def test_message_ids_are_shared_per_chat_and_dates_are_unix_seconds(tg: FakeTelegram, bot: Bot) -> None:
    first = await bot.send_message(USER, "một")
    update = tg.send_text(USER, "hai")
    second = await bot.send_message(USER, "ba")
    assert (first.message_id, update["message"]["message_id"], second.message_id) == (1, 2, 3)
    assert isinstance(update["message"]["date"], int)
    assert abs(update["message"]["date"] - time.time()) < 5


async def test_unknown_method_wrong_token_and_bad_chat(tg: FakeTelegram, bot: Bot) -> None:
    async with httpx.AsyncClient() as client:
        res = await client.post(f"{tg.base_url}{tg.token}/noSuchMethod")
        assert res.status_code == 404
        assert res.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        res = await client.get(f"{tg.base_url}{tg.token}/GETME")  # methods are case-insensitive
        assert res.json()["ok"] is True
    wrong_bot = Bot("999:wrong", base_url=tg.base_url)
    try:
        with pytest.raises(InvalidToken, match="was rejected by the server"):
            await wrong_bot.initialize()
    finally:
        await wrong_bot.shutdown()
    assert tg.errors[-1] == ("getMe", 401, "Unauthorized")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hello")


# ------------------------------------------------------------------------------ validation


async def test_message_length_limit(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="^Message is too long$"):
        await bot.send_message(USER, "a" * 4097)
    ok = await bot.send_message(USER, "a" * 4096)
    assert len(ok.text) == 4096


async def test_length_counts_visible_html_text_in_utf16(bot: Bot) -> None:
    # tags and entity escapes do not count: 4000 + 96 visible characters
    html = "<b>" + "a" * 4000 + "</b><i>" + "&lt;" * 96 + "</i>"
    msg = await bot.send_message(USER, html, parse_mode="HTML")
    assert len(msg.text) == 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, html + "&amp;", parse_mode="HTML")
    # an emoji outside the BMP is 2 UTF-16 code units
    await bot.send_message(USER, "😀" * 2048)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "😀" * 2048 + "a")


async def test_empty_and_whitespace_text(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="^Message text is empty$"):
        await bot.send_message(USER, " \n ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
    msg = await bot.send_message(USER, "\n  xin chào \n\n")
    assert msg.text == "xin chào"


async def test_unbalanced_html_is_rejected(tg: FakeTelegram, bot: Bot) -> None:
    expected = 'Can\'t parse entities: can\'t find end tag corresponding to start tag "b"'
    with pytest.raises(BadRequest, match=expected):
        await bot.send_message(USER, "<b>đậm", parse_mode="HTML")
    assert tg.errors[-1] == (
        "sendMessage",
        400,
        'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
    )
    with pytest.raises(BadRequest, match="unmatched end tag"):
        await bot.send_message(USER, "<b>x</i>", parse_mode="HTML")
    assert tg.messages_to(USER) == []


async def test_unescaped_lt_and_unsupported_tags_are_rejected(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match='unsupported start tag "" at byte offset 2'):
        await bot.send_message(USER, "1 < 2", parse_mode="HTML")
    with pytest.raises(BadRequest, match='unsupported start tag "br" at byte offset 7'):
        await bot.send_message(USER, "dòng 1<br>dòng 2", parse_mode="HTML")  # byte offsets are UTF-8
    with pytest.raises(BadRequest, match="unclosed start tag"):
        await bot.send_message(USER, "a <b", parse_mode="HTML")
    # like Telegram, a bare "&" and unknown named entities are kept literally
    msg = await bot.send_message(USER, "Sở VH&TT &nbsp; &#7853; &lt;3", parse_mode="HTML")
    assert msg.text == "Sở VH&TT &nbsp; ậ <3"


async def test_all_supported_html_tags(bot: Bot) -> None:
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>"
        '<del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        '<a href="https://example.vn/x">a</a><code>c</code>'
        '<pre><code class="language-python">x=1</code></pre>'
        "<blockquote>z</blockquote><blockquote expandable>y</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    msg = await bot.send_message(USER, html, parse_mode="HTML")
    types = [e.type for e in msg.entities]
    assert types == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough", "strikethrough",
        "strikethrough", "spoiler", "spoiler", "text_link", "code", "pre", "blockquote",
        "expandable_blockquote", "custom_emoji",
    ]
    pre = msg.entities[13]
    assert pre.language == "python"
    assert msg.entities[11].url == "https://example.vn/x"


def test_parse_html_matches_tdlib_cases() -> None:
    assert parse_html("🏟 🏟<i>🏟 &lt🏟</i>") == ("🏟 🏟🏟 <🏟", [{"type": "italic", "offset": 5, "length": 6}])
    assert parse_html("<a>telegram.org</a>")[1] == [
        {"type": "text_link", "offset": 0, "length": 12, "url": "http://telegram.org/"}
    ]
    assert parse_html("<i>a</    >") == ("a", [{"type": "italic", "offset": 0, "length": 1}])


async def test_callback_data_limits(tg: FakeTelegram, bot: Bot) -> None:
    def kb(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Xong", callback_data=data)]])

    with pytest.raises(BadRequest, match="^Button_data_invalid$"):
        await bot.send_message(USER, "x", reply_markup=kb("a" * 65))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER, "x", reply_markup=kb("ệ" * 22))  # 22 chars but 66 UTF-8 bytes
    assert tg.errors[-1][2] == "Bad Request: BUTTON_DATA_INVALID"
    msg = await bot.send_message(USER, "x", reply_markup=kb("a" * 64))
    assert msg.reply_markup.inline_keyboard[0][0].callback_data == "a" * 64
    with pytest.raises(BadRequest, match="text buttons are unallowed in the inline keyboard"):
        await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("t")]]))


async def test_captions_and_reply_markup_in_multipart(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="^Message caption is too long$"):
        await bot.send_document(USER, b"data", filename="a.txt", caption="c" * 1025)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Tải", callback_data="dl:1")]])
    msg = await bot.send_document(
        USER, b"%PDF-1.4", filename="Báo cáo quý 1.pdf", caption="<b>Báo cáo</b>", parse_mode="HTML",
        reply_markup=markup,
    )
    assert msg.document.file_name == "Báo cáo quý 1.pdf"
    assert msg.document.mime_type == "application/pdf"
    assert msg.document.file_size == 8
    assert msg.caption == "Báo cáo" and msg.caption_entities[0].type == "bold"
    assert msg.reply_markup == markup
    method, params = tg.requests[-1]
    assert method == "sendDocument"
    assert params["document"].content == b"%PDF-1.4"
    assert params["reply_markup"] == {"inline_keyboard": [[{"text": "Tải", "callback_data": "dl:1"}]]}
    # re-send by file_id
    again = await bot.send_document(USER, msg.document.file_id)
    assert again.document.file_unique_id == msg.document.file_unique_id
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.send_document(USER, "nope")


async def test_send_photo_has_several_sizes(tg: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_photo(USER, _png(1000, 500), caption="biểu đồ")
    sizes = [(p.width, p.height) for p in msg.photo]
    assert sizes == [(90, 45), (320, 160), (800, 400), (1000, 500)]
    assert len({p.file_id for p in msg.photo}) == 4
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(USER, b"not an image")
    again = await bot.send_photo(USER, msg.photo[-1].file_id)
    assert [p.file_id for p in again.photo] == [p.file_id for p in msg.photo]


# ----------------------------------------------------------------------------- getUpdates


async def test_get_updates_long_poll_and_offset(tg: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()  # held open
    tg.send_text(USER, "/start@dondoc_test_bot xin chào")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1.5
    assert len(updates) == 1
    message = updates[0].message
    assert message.text == "/start@dondoc_test_bot xin chào"
    assert message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/start@dondoc_test_bot")
    assert message.from_user.language_code == "vi"
    # not confirmed yet: fetched again
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]
    # offset confirms it
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    assert tg.pending_updates() == []
    # limit, and the timeout expiring with nothing to deliver
    for i in range(3):
        tg.send_text(USER, f"tin {i}")
    batch = await bot.get_updates(limit=2, timeout=0)
    assert [u.message.text for u in batch] == ["tin 0", "tin 1"]
    assert [u.update_id for u in batch] == [updates[0].update_id + 1, updates[0].update_id + 2]
    rest = await bot.get_updates(offset=batch[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in rest] == ["tin 2"]
    await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0)
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2


async def test_allowed_updates_and_webhook_conflict(tg: FakeTelegram, bot: Bot) -> None:
    tg.send_text(USER, "a")
    assert await bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == ()
    assert tg.pending_updates() == []
    await bot.get_updates(timeout=0, allowed_updates=[])  # back to the default set

    assert await bot.set_webhook("https://example.vn/hook")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.vn/hook"
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates(timeout=0)
    tg.send_text(USER, "b")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates(timeout=0) == ()
    with pytest.raises(BadRequest, match="an https url must be provided for webhook"):
        await bot.set_webhook("http://insecure.example.vn/hook")


async def test_second_get_updates_terminates_the_first(tg: FakeTelegram, bot: Bot) -> None:
    # (one Bot has a single getUpdates connection, so a second poller needs its own Bot)
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with Bot(tg.token, base_url=tg.base_url) as other:
        second = asyncio.create_task(other.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 2)
        assert await second == ()


# ------------------------------------------------------------------------------------ files


async def test_get_file_and_download_round_trip(tg: FakeTelegram, bot: Bot) -> None:
    content = "Danh sách nhiệm vụ\n".encode() * 100
    update = tg.send_document(
        USER, content, file_name="nhiem_vu.txt", mime_type="text/plain", caption="/import"
    )
    doc = Update.de_json(update, bot).message.document
    assert doc.file_size == len(content)
    assert update["message"]["caption_entities"][0]["type"] == "bot_command"
    file = await bot.get_file(doc.file_id)
    assert file.file_path.startswith(f"{tg.base_file_url}{tg.token}/documents/")
    assert bytes(await file.download_as_bytearray()) == content
    photo_update = tg.send_photo(USER, _png(40, 30))
    photo = Update.de_json(photo_update, bot).message.photo
    assert [(p.width, p.height) for p in photo] == [(40, 30)]
    assert bytes(await (await bot.get_file(photo[-1].file_id)).download_as_bytearray()) == _png(40, 30)


async def test_get_file_too_big(tg: FakeTelegram, bot: Bot) -> None:
    update = tg.send_document(
        USER, b"tiny", file_name="big.xlsx", mime_type="application/vnd.ms-excel", file_size=25 * 1024 * 1024
    )
    assert update["message"]["document"]["file_size"] == 25 * 1024 * 1024
    with pytest.raises(BadRequest, match="^File is too big$"):
        await bot.get_file(update["message"]["document"]["file_id"])
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("garbage")


# ----------------------------------------------------------------------- injected failures


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_429_raises_retry_after(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER, "x")
    assert _seconds(info.value.retry_after) == 7
    await bot.send_message(USER, "x")  # only once

    tg.fail_next("sendmessage", error_code=500, description="Internal Server Error", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(USER, "x")
    assert len(tg.messages_to(USER)) == 1


async def test_blocked_user_raises_forbidden(tg: FakeTelegram, bot: Bot) -> None:
    tg.block(USER)
    with pytest.raises(Forbidden, match="^Forbidden: bot was blocked by the user$"):
        await bot.send_message(USER, "nhắc việc")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(USER, "typing")
    tg.unblock(USER)
    await bot.send_message(USER, "nhắc việc")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limits() -> None:
    async with FakeTelegram(rate_limit_per_chat_per_second=1, rate_limit_per_second=3) as tg:
        for uid in (1, 2, 3, 4):
            tg.user(uid)
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            await bot.send_message(1, "a")
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(1, "b")
            assert _seconds(info.value.retry_after) == 1
            assert tg.errors[-1] == ("sendMessage", 429, "Too Many Requests: retry after 1")
            await bot.send_message(2, "a")
            await bot.send_message(3, "a")
            with pytest.raises(RetryAfter):
                await bot.send_message(4, "a")  # 4th message within a second overall


# --------------------------------------------------------------------- edits and callbacks


async def test_edit_message_text_and_not_modified(tg: FakeTelegram, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Xong", callback_data="done:1")]])
    msg = await bot.send_message(USER, "<b>Việc 1</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="^Message is not modified: specified new message content"):
        await bot.edit_message_text(
            "<b>Việc 1</b>", USER, msg.message_id, parse_mode="HTML", reply_markup=markup
        )
    # same text without the markup is a modification (it removes the keyboard), like Telegram
    edited = await bot.edit_message_text("<b>Việc 1</b>", USER, msg.message_id, parse_mode="HTML")
    assert edited.reply_markup is None and edited.edit_date is not None
    assert "reply_markup" not in tg.messages_to(USER)[0]
    await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=markup)
    assert tg.messages_to(USER)[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "done:1"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="^Message to edit not found$"):
        await bot.edit_message_text("x", USER, 999)
    user_msg = tg.send_text(USER, "của người dùng")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", USER, user_msg["message"]["message_id"])


async def test_press_button_and_answer_callback_query(tg: FakeTelegram, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Xong", callback_data="done:7")]])
    msg = await bot.send_message(USER, "Việc 7", reply_markup=markup)
    tg.press_button(USER, msg.message_id, "forged:../../x")
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query.data == "forged:../../x"
    assert query.message.message_id == msg.message_id
    assert query.message.reply_markup == markup
    assert await query.answer("Đã ghi nhận", show_alert=True)
    assert tg.callback_answers == [
        {
            "callback_query_id": query.id,
            "text": "Đã ghi nhận",
            "show_alert": True,
            "url": None,
            "cache_time": None,
        }
    ]
    too_old = "^Query is too old and response timeout expired or query id is invalid$"
    with pytest.raises(BadRequest, match=too_old):
        await query.answer()
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")


async def test_commands_chat_action_and_misc(tg: FakeTelegram, bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeAllPrivateChats

    await bot.set_my_commands([BotCommand("start", "Bắt đầu"), BotCommand("viec", "Việc của tôi")])
    private = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([BotCommand("help", "Trợ giúp")], scope=private, language_code="vi")
    assert tg.commands == [{"command": "help", "description": "Trợ giúp"}]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "viec"]
    scoped = await bot.get_my_commands(scope=private, language_code="vi")
    assert [c.command for c in scoped] == ["help"]
    assert tg.commands_for() == [
        {"command": "start", "description": "Bắt đầu"},
        {"command": "viec", "description": "Việc của tôi"},
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.send_chat_action(USER, "typing")
    assert tg.chat_actions == [(USER, "typing")]
    msg = await bot.send_message(USER, "xoá tôi")
    assert await bot.delete_message(USER, msg.message_id)
    assert tg.deleted == [(USER, msg.message_id)]
    assert await bot.log_out() and await bot.close()


async def test_json_body_requests_are_accepted(tg: FakeTelegram) -> None:
    async with httpx.AsyncClient() as client:
        res = await client.post(
            f"{tg.base_url}{tg.token}/sendMessage",
            json={
                "chat_id": USER,
                "text": "<i>json</i>",
                "parse_mode": "HTML",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
            },
        )
        body = res.json()
        assert body["ok"] and body["result"]["entities"] == [{"type": "italic", "offset": 0, "length": 4}]
        res = await client.post(
            f"{tg.base_url}{tg.token}/sendMessage",
            json={
                "chat_id": USER,
                "text": "x",
                "reply_markup": json.dumps({"inline_keyboard": [[{"text": "A"}]]}),
            },
        )
        assert res.status_code == 400
        assert res.json()["description"].startswith("Bad Request: can't parse inline keyboard button")


# ------------------------------------------------------------------------ full Application


async def test_application_replies_to_start_and_shuts_down_cleanly(tg: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Việc của tôi", callback_data="tasks")]])
        await update.effective_message.reply_html(
            f"Chào <b>{update.effective_user.first_name}</b>!", reply_markup=keyboard, do_quote=True
        )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("OK")
        await update.callback_query.edit_message_text(f"Bạn chọn: {update.callback_query.data}")

    app: Application = (
        Application.builder().token(tg.token).base_url(tg.base_url).base_file_url(tg.base_file_url).build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))

    started = time.monotonic()
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        tg.send_text(USER, "/start")
        (reply,) = await tg.wait_for_messages(USER, 1)
        assert reply["text"] == "Chào Lan!"
        assert reply["entities"] == [{"type": "bold", "offset": 5, "length": 3}]
        assert reply["reply_to_message"]["text"] == "/start"
        assert FakeTelegram.buttons(reply) == [[{"text": "Việc của tôi", "callback_data": "tasks"}]]

        tg.press_button(USER, reply["message_id"], "tasks")
        await tg.wait_for_idle()
        (edited,) = tg.messages_to(USER)
        assert edited["text"] == "Bạn chọn: tasks"
        assert "reply_markup" not in edited
        assert tg.callback_answers[-1]["text"] == "OK"

        with pytest.raises(AssertionError, match="expected >= 2 bot message"):
            await tg.wait_for_messages(USER, 2, timeout=0.3)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert time.monotonic() - started < 4
    # the last getUpdates confirmed everything, so nothing is fetched twice on restart
    assert tg.pending_updates() == []
    assert [m for m, _ in tg.requests].count("deleteWebhook") == 1
