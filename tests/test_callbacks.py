"""Callback data: compact, within Telegram's 64 bytes, and anything else is refused."""

from __future__ import annotations

import pytest

from bot.callbacks import MAX_CALLBACK_BYTES, Callback, decode, encode


def test_round_trip_and_size() -> None:
    data = encode("set_status", 2_147_483_647, status="in_progress")
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert decode(data) == Callback("set_status", (2_147_483_647,), "in_progress")
    assert decode(encode("page", 3, 1)) == Callback("page", (3, 1))


@pytest.mark.parametrize(
    "forged",
    ["", "x:1", "s:1", "s:1:z", "t:abc", "t:-1", "t:1" + "1" * 70, "t:1:2:3:99999999999", "s:12:d:extra:d", "t:１２"],
)
def test_forged_or_stale_data_is_not_ours(forged: str) -> None:
    assert decode(forged) is None
