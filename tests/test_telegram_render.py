"""Telegram HTML rendering and splitting: user text never breaks formatting, no message exceeds 4096."""

from __future__ import annotations

import pytest

from bot.adapters.telegram_render import TELEGRAM_TEXT_LIMIT, split_for_telegram, to_html
from bot.messaging import BOLD_CLOSE, BOLD_OPEN, bold
from tests.fakes.telegram_api import parse_html, utf16_len


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        (bold("<b>x</b>") + " *y* _z_", "<b>&lt;b&gt;x&lt;/b&gt;</b> *y* _z_"),
        (BOLD_OPEN + "unclosed", "<b>unclosed</b>"),
        ("stray" + BOLD_CLOSE + " close", "stray close"),
    ],
)
def test_html_is_escaped_and_balanced(text: str, expected: str) -> None:
    html = to_html(text)
    assert html == expected
    parse_html(html)  # the fake's Telegram-faithful parser accepts it


def test_long_text_is_split_within_the_limit_without_losing_anything() -> None:
    lines = [bold(f"#{i} · Nhiệm vụ <số> {i} & việc") + "\n   Hạn 20/10/2023 · quá hạn 3 ngày " + "x" * (i % 50) for i in range(400)]
    text = "\n\n".join(lines)
    chunks = split_for_telegram(text)
    assert len(chunks) > 1
    visible = []
    for chunk in chunks:
        plain, _ = parse_html(to_html(chunk))
        assert utf16_len(plain) <= TELEGRAM_TEXT_LIMIT
        visible.append(plain)
    joined = "\n".join(visible)
    for i in range(400):
        assert f"#{i} · Nhiệm vụ <số> {i} & việc" in joined


def test_a_single_huge_line_is_cut_at_words() -> None:
    chunks = split_for_telegram(("từ " * 5000).strip())
    assert all(utf16_len(parse_html(to_html(c))[0]) <= TELEGRAM_TEXT_LIMIT for c in chunks)
    assert sum(len(c.split()) for c in chunks) == 5000


def test_emoji_count_as_two_utf16_units() -> None:
    chunks = split_for_telegram("😀" * 3000)
    assert all(utf16_len(parse_html(to_html(c))[0]) <= TELEGRAM_TEXT_LIMIT for c in chunks)
    assert "".join(chunks) == "😀" * 3000
