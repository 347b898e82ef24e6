"""The Zalo API client against the fake server: results, error shapes, retries with backoff, and a token that
never reaches a log line or an exception text."""

from __future__ import annotations

import logging

import pytest

from bot.adapters.zalo_channel import ZaloDelivery
from bot.adapters.zalo_client import ZaloApiError, ZaloClient, ZaloTransportError
from bot.adapters.zalo_sender import ZaloSender
from bot.messaging import Button, Outgoing
from scheduler.sending import TemporaryFailure, Unreachable
from tests.fakes.zalo_api import FakeZalo


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(zalo: FakeZalo, sleeps: Sleeps, **options: object) -> ZaloClient:
    return ZaloClient(zalo.token, base_url=zalo.base_url, sleep=sleeps, **options)  # type: ignore[arg-type]


async def test_calls_return_the_result_and_errors_raise_with_code_and_description() -> None:
    async with FakeZalo() as zalo:
        client = client_for(zalo, Sleeps())
        try:
            me = await client.get_me()
            assert me["id"] == zalo.token.split(":")[0]
            zalo.user("42", "Lan")
            sent = await client.send_message("42", "Xin chào")
            assert sent["message_id"] and isinstance(sent["date"], int)
            with pytest.raises(ZaloApiError) as too_long:
                await client.send_message("42", "x" * 2001)
            assert (too_long.value.error_code, too_long.value.temporary) == (400, False)
            assert "2000" in too_long.value.description
            assert await client.get_update(timeout=0) is None  # 408: nothing came within the timeout
        finally:
            await client.aclose()


async def test_429_and_5xx_are_retried_with_backoff_then_succeed() -> None:
    async with FakeZalo() as zalo:
        sleeps = Sleeps()
        client = client_for(zalo, sleeps)
        zalo.user("42")
        zalo.fail_next("sendMessage", error_code=429, description="Too many requests", retry_after=3)
        zalo.fail_next("sendMessage", error_code=500, description="Internal Server Error", times=2)
        try:
            await client.send_message("42", "một")
        finally:
            await client.aclose()
        assert sleeps == [3.0, 1.0, 2.0]  # Zalo's own wait first, then backoff 0.5·2ⁿ
        assert [m["text"] for m in zalo.messages_to("42")] == ["một"]


async def test_retries_stop_after_the_last_attempt() -> None:
    async with FakeZalo() as zalo:
        sleeps = Sleeps()
        client = client_for(zalo, sleeps, attempts=3)
        zalo.user("42")
        zalo.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=5)
        try:
            with pytest.raises(ZaloApiError) as failed:
                await client.send_message("42", "hai")
        finally:
            await client.aclose()
        assert failed.value.error_code == 502 and len(sleeps) == 2
        assert zalo.messages_to("42") == []


async def test_transport_errors_are_retried_and_reported_without_the_url() -> None:
    sleeps = Sleeps()
    token = "99999:unreachable-token-secret"
    client = ZaloClient(token, base_url="http://127.0.0.1:9/bot", sleep=sleeps, attempts=2)
    try:
        with pytest.raises(ZaloTransportError) as failed:
            await client.get_me()
    finally:
        await client.aclose()
    assert len(sleeps) == 1
    assert token not in str(failed.value) and failed.value.__cause__ is None and failed.value.__suppress_context__


async def test_the_token_never_appears_in_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # httpx logs each request URL at INFO, httpcore more at DEBUG
    caplog.set_level(logging.DEBUG, logger="httpx")  # whatever an earlier configure_logging left on it
    async with FakeZalo() as zalo:
        client = client_for(zalo, Sleeps())
        zalo.user("42")
        zalo.fail_next("sendMessage", error_code=500, description=f"boom near bot{zalo.token}/sendMessage")
        try:
            await client.send_message("42", "ba")
            with pytest.raises(ZaloApiError) as refused:
                await client.send_message("404", "bốn")
        finally:
            await client.aclose()
        assert any("HTTP Request" in record.getMessage() for record in caplog.records)  # httpx did log URLs
        assert zalo.token not in caplog.text
        assert zalo.token not in str(refused.value) and zalo.token not in repr(client)


async def test_a_wrong_token_is_401() -> None:
    async with FakeZalo() as zalo:
        client = ZaloClient("1:wrong", base_url=zalo.base_url, sleep=Sleeps())
        try:
            with pytest.raises(ZaloApiError) as refused:
                await client.get_me()
        finally:
            await client.aclose()
        assert refused.value.error_code == 401


# ------------------------------------------------------------------------------------------- the sender


@pytest.fixture
async def sender_and_fake(sqlite_deps):  # type: ignore[no-untyped-def]
    async with FakeZalo() as zalo:
        client = ZaloClient(zalo.token, base_url=zalo.base_url, sleep=Sleeps(), attempts=2)
        delivery = ZaloDelivery(client, sqlite_deps.sessions, default_locale="vi")
        try:
            yield ZaloSender(delivery), zalo
        finally:
            await client.aclose()


async def test_sender_maps_blocked_and_unknown_chats_to_unreachable(sender_and_fake) -> None:  # type: ignore[no-untyped-def]
    sender, zalo = sender_and_fake
    zalo.user("7")
    zalo.block("7")
    with pytest.raises(Unreachable):
        await sender.send("7", Outgoing("Nhắc việc"))
    with pytest.raises(Unreachable):
        await sender.send("never-wrote", Outgoing("Nhắc việc"))


async def test_sender_maps_rate_limits_and_server_errors_to_temporary_failures(sender_and_fake) -> None:  # type: ignore[no-untyped-def]
    sender, zalo = sender_and_fake
    zalo.user("7")
    zalo.fail_next("sendMessage", error_code=429, description="Too many requests", retry_after=9, times=2)
    with pytest.raises(TemporaryFailure) as limited:
        await sender.send("7", Outgoing("Nhắc việc"))
    assert limited.value.retry_after == 9
    zalo.fail_next("sendMessage", error_code=503, description="Service Unavailable", times=2)
    with pytest.raises(TemporaryFailure):
        await sender.send("7", Outgoing("Nhắc việc"))
    message_id = await sender.send("7", Outgoing("Nhắc việc", buttons=[[Button("Xong", "s:1:d")]]))
    [sent] = zalo.messages_to("7")
    assert sent["message_id"] == message_id and sent["text"].endswith("1 · Xong")
