"""The fake Zalo Bot API keeps Zalo's documented shapes and limits (the e2e tests are only as good as it is)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.zalo_api import FakeZalo, serve, stop


async def call(zalo: FakeZalo, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(f"{zalo.base_url}{zalo.token}/{method}", json=params)
    return response.status_code, response.json()


async def test_get_updates_returns_one_update_per_call_and_408_when_none_comes() -> None:
    async with FakeZalo() as zalo:
        zalo.user("42", "Lan")
        zalo.send_text("42", "một")
        zalo.send_text("42", "hai")
        status, first = await call(zalo, "getUpdates", timeout="1")
        assert status == 200 and first["ok"] is True
        update = first["result"]
        assert update["event_name"] == "message.text.received"
        message = update["message"]
        assert message["text"] == "một" and message["chat"] == {"id": "42", "chat_type": "PRIVATE"}
        assert message["from"] == {"id": "42", "display_name": "Lan", "is_bot": False}
        assert isinstance(message["message_id"], str) and message["date"] > 10**12  # milliseconds
        assert (await call(zalo, "getUpdates", timeout="1"))[1]["result"]["message"]["text"] == "hai"
        status, empty = await call(zalo, "getUpdates", timeout="0.2")
        assert (status, empty) == (408, {"ok": False, "error_code": 408, "description": "Request timeout"})


async def test_long_polling_answers_as_soon_as_an_update_arrives() -> None:
    async with FakeZalo() as zalo:
        waiting = asyncio.create_task(call(zalo, "getUpdates", timeout="5"))
        await asyncio.sleep(0.1)
        zalo.send_sticker("42")
        status, body = await asyncio.wait_for(waiting, 2)
        assert status == 200 and body["result"]["event_name"] == "message.sticker.received"


async def test_send_message_limits_and_error_shapes() -> None:
    async with FakeZalo() as zalo:
        zalo.user("42")
        assert (await call(zalo, "sendMessage", chat_id="42", text="x" * 2000))[0] == 200
        status, body = await call(zalo, "sendMessage", chat_id="42", text="x" * 2001)
        assert status == 400 and body == {"ok": False, "error_code": 400,
                                          "description": "text must not exceed 2000 characters"}
        assert (await call(zalo, "sendMessage", chat_id="43", text="hi"))[1]["description"] == "Chat not found"
        zalo.block("42")
        assert (await call(zalo, "sendMessage", chat_id="42", text="hi"))[0] == 403
        assert (await call(zalo, "noSuchMethod"))[0] == 404
        async with httpx.AsyncClient() as http:
            wrong = await http.post(f"{zalo.base_url}1:bad/getMe", json={})
        assert wrong.status_code == 401 and wrong.json()["ok"] is False


async def test_send_photo_fetches_the_url_and_refuses_one_that_is_not_an_image() -> None:
    async with FakeZalo() as zalo:
        zalo.user("42")
        url = zalo.host(b"\x89PNG fake")
        status, body = await call(zalo, "sendPhoto", chat_id="42", photo=url, caption="Biểu đồ")
        assert status == 200 and body["result"]["message_id"]
        [sent] = zalo.messages_to("42")
        assert (sent["caption"], sent["photo_bytes"]) == ("Biểu đồ", b"\x89PNG fake")
        missing = await call(zalo, "sendPhoto", chat_id="42", photo=f"{zalo.origin}/photos/none.png")
        assert missing == (400, {"ok": False, "error_code": 400, "description": "Photo URL is not accessible"})
        assert (await call(zalo, "sendChatAction", chat_id="42", action="typing"))[0] == 200
        assert (await call(zalo, "sendChatAction", chat_id="42", action="dancing"))[0] == 400


async def test_rate_limit_answers_429_with_retry_after() -> None:
    async with FakeZalo(rate_limit_per_second=2) as zalo:
        zalo.user("42")
        for _ in range(2):
            assert (await call(zalo, "sendMessage", chat_id="42", text="ok"))[0] == 200
        status, body = await call(zalo, "sendMessage", chat_id="42", text="ok")
        assert status == 429 and body["error_code"] == 429 and body["parameters"]["retry_after"] >= 1


async def test_webhook_secret_length_delivery_header_body_shape_and_redelivery() -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    answers = [500, 200]

    async def hook(request: Request) -> JSONResponse:
        received.append((request.headers.get("X-Bot-Api-Secret-Token"), await request.json()))
        return JSONResponse({}, status_code=answers.pop(0) if answers else 200)

    server, task, port = await serve(Starlette(routes=[Route("/hook", hook, methods=["POST"])]))
    try:
        async with FakeZalo(webhook_wrapped=True) as zalo:
            url = f"http://127.0.0.1:{port}/hook"
            assert (await call(zalo, "setWebhook", url=url, secret_token="short"))[0] == 400
            assert (await call(zalo, "setWebhook", url=url, secret_token="s" * 257))[0] == 400
            assert (await call(zalo, "setWebhook", url=url, secret_token="secret-123"))[0] == 200
            assert (await call(zalo, "getWebhookInfo"))[1]["result"]["url"] == url
            assert (await call(zalo, "getUpdates", timeout="0"))[0] == 409  # not while a webhook is set
            zalo.send_text("42", "xin chào")
            await zalo.wait_for_idle()
            assert [(d.attempt, d.status) for d in zalo.deliveries] == [(1, 500), (2, 200)]
            assert [secret for secret, _ in received] == ["secret-123", "secret-123"]
            assert received[0][1]["ok"] is True and received[0][1]["result"]["message"]["text"] == "xin chào"
            zalo.webhook_wrapped = False
            zalo.send_text("42", "phẳng")
            await zalo.wait_for_idle()
            assert received[-1][1]["event_name"] == "message.text.received" and "ok" not in received[-1][1]
            assert (await call(zalo, "deleteWebhook"))[0] == 200
            assert (await call(zalo, "getWebhookInfo"))[1]["result"]["url"] == ""
    finally:
        await stop(server, task)


async def test_image_events_carry_a_photo_url_the_fake_serves_and_files_arrive_unsupported() -> None:
    async with FakeZalo() as zalo:
        update = zalo.send_image("42", b"JPEGDATA", caption="#12")
        message = update["message"]
        async with httpx.AsyncClient() as http:
            assert (await http.get(message["photo_url"])).content == b"JPEGDATA"
        assert message["caption"] == "#12"
        document = zalo.send_file("42")
        assert document["event_name"] == "message.unsupported.received" and "text" not in document["message"]
