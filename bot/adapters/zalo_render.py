"""Zalo both ways, as pure functions: updates into `Incoming`, and our marked-up text into plain Zalo text.

Zalo shows plain text only (no bold, no buttons) and refuses texts over 2,000 characters. Buttons become
numbered choices under the text ("1 · Hoàn thành"); the channel remembers their actions so that a bare "1"
sent next is that button's press (`choice_action`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.i18n import Translator
from bot.messaging import BOLD_CLOSE, BOLD_OPEN, Attachment, Button, Incoming

CHANNEL = "zalo"
ZALO_TEXT_LIMIT = 2000
MAX_CHOICE_DIGITS = 2

EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"
# What `Incoming.unsupported` says for events that carry neither text nor a photo. Zalo's "unsupported" event is
# what a user's file (a document) arrives as: the bot cannot download it, so it is reported as "file".
_UNSUPPORTED = {EVENT_STICKER: "sticker", EVENT_UNSUPPORTED: "file"}

Fetch = Callable[[], Awaitable[bytes]]


@dataclass(frozen=True)
class ZaloUpdate:
    """The parts of one Zalo update the bot uses. Ids are strings; `date` is in milliseconds."""

    event_name: str
    message_id: str
    chat_id: str
    sender_id: str
    sender_name: str
    is_bot: bool
    received_at: datetime
    text: str | None
    photo_url: str | None


def unwrap(body: Any) -> dict[str, Any] | None:
    """The update in a webhook body or getUpdates result: wrapped as `{ok, result}` or flat."""
    if isinstance(body, dict) and isinstance(body.get("result"), dict) and "event_name" not in body:
        body = body["result"]
    return body if isinstance(body, dict) and isinstance(body.get("event_name"), str) else None


def parse_update(raw: Mapping[str, Any], *, now: datetime) -> ZaloUpdate | None:
    """The update, or None when it is not a message we can answer (no chat, no sender)."""
    message = raw.get("message")
    if not isinstance(message, Mapping):
        return None
    chat = message.get("chat") if isinstance(message.get("chat"), Mapping) else {}
    sender = message.get("from") if isinstance(message.get("from"), Mapping) else {}
    chat_id, sender_id = str(chat.get("id") or ""), str(sender.get("id") or "")
    if not chat_id or not sender_id:
        return None
    date = message.get("date")
    received_at = _sent_at(date, now=now)
    text = message.get("text") if raw["event_name"] == EVENT_TEXT else message.get("caption")
    photo = message.get("photo_url") or message.get("photo")  # both spellings are seen in Zalo's payloads
    return ZaloUpdate(
        event_name=str(raw["event_name"]),
        message_id=str(message.get("message_id") or ""),
        chat_id=chat_id,
        sender_id=sender_id,
        sender_name=str(sender.get("display_name") or sender.get("name") or ""),
        is_bot=bool(sender.get("is_bot")),
        received_at=received_at,
        text=text if isinstance(text, str) and text else None,
        photo_url=photo if isinstance(photo, str) and photo else None,
    )


def _sent_at(date: object, *, now: datetime) -> datetime:
    """When the message was sent (Zalo's `date`, in milliseconds); `now` when it is missing or no real time: a
    value out of datetime's range, or too near its ends to be shown in the office's zone, can never succeed."""
    if not isinstance(date, int | float) or isinstance(date, bool) or not date > 0:
        return now
    try:
        sent = datetime.fromtimestamp(date / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return now
    return sent if sent.year < 9999 else now


def choice_number(text: str | None) -> int | None:
    """The number of a bare choice reply (" 2 " → 2); None for any other text."""
    if text is None:
        return None
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit() or len(stripped) > MAX_CHOICE_DIGITS:
        return None
    return int(stripped)


def choice_action(text: str | None, choices: Sequence[str]) -> str | None:
    """The action a bare number picks among the stored choices; None when out of range or not a number."""
    number = choice_number(text)
    if number is None or not 1 <= number <= len(choices):
        return None
    return choices[number - 1]


def to_incoming(update: ZaloUpdate, *, action: str | None, fetch_photo: Callable[[str], Fetch]) -> Incoming:
    """The neutral event: a text, a pressed choice (`action`), a photo, or something unsupported."""
    attachment = None
    if update.event_name == EVENT_IMAGE and update.photo_url is not None:
        attachment = Attachment("photo", None, "image/jpeg", None, fetch_photo(update.photo_url))
    unsupported = None
    if attachment is None and update.event_name != EVENT_TEXT:
        unsupported = _UNSUPPORTED.get(update.event_name) or _kind(update.event_name)
    return Incoming(
        channel=CHANNEL,
        chat_id=update.chat_id,
        sender_id=update.sender_id,
        sender_name=update.sender_name,
        received_at=update.received_at,
        text=None if action is not None or unsupported is not None else update.text,
        action=action,
        attachment=attachment,
        unsupported=unsupported,
        update_id=f"{update.event_name}:{update.message_id}" if update.message_id else None,
    )


def _kind(event_name: str) -> str:
    """'voice' for 'message.voice.received'; the event name itself when it has another shape."""
    parts = event_name.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == "message" else event_name


# ------------------------------------------------------------------------------------------- outgoing


def plain_text(text: str) -> str:
    """Our bold marks dropped: Zalo shows plain text."""
    return text.replace(BOLD_OPEN, "").replace(BOLD_CLOSE, "")


def choice_block(buttons: Sequence[Sequence[Button]], *, first: int, t: Translator) -> tuple[str, list[str]]:
    """The numbered lines for `buttons` (numbering from `first`) under a translated header, and their actions."""
    flat = [button for row in buttons for button in row]
    if not flat:
        return "", []
    lines = [t._("Reply with a number:")]
    lines += [f"{first + index} · {plain_text(button.label)}" for index, button in enumerate(flat)]
    return "\n".join(lines), [button.action for button in flat]


def compose(text: str, *, extras: Sequence[str]) -> str:
    """The message's plain text with extra paragraphs (file links, choices) after it."""
    parts = [plain_text(text).strip("\n")] + [extra for extra in extras if extra]
    return "\n\n".join(part for part in parts if part)


def split_text(text: str, limit: int = ZALO_TEXT_LIMIT) -> list[str]:
    """Chunks within `limit` characters, cut at blank lines, then at line ends, then between words (a word
    longer than a message, such as a URL, is cut where it must be)."""
    if len(text) <= limit:
        return [text] if text.strip() else []
    for separator in ("\n\n", "\n", " "):
        parts = text.split(separator)
        if len(parts) > 1:
            return _pack(parts, separator, limit)
    return [text[start:start + limit] for start in range(0, len(text), limit)]


def _pack(parts: Sequence[str], separator: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current: str | None = None
    for part in parts:
        candidate = part if current is None else f"{current}{separator}{part}"
        if len(candidate) <= limit:
            current = candidate
            continue
        if current is not None and current.strip():
            chunks.append(current.strip("\n"))
        current = part
        if len(part) > limit:
            chunks.extend(split_text(part, limit))
            current = None
    if current is not None and current.strip():
        chunks.append(current.strip("\n"))
    return chunks
