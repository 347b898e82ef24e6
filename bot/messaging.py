"""The channel-neutral conversation contract: what an adapter hands in and what it must deliver.

Adapters (Telegram, Zalo, console) translate platform payloads into `Incoming` and render `Outgoing`;
handlers never see a platform object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# Bold marks inside outgoing text. Control characters no user can type into a task title survive rendering:
# Telegram turns them into <b>…</b> (after escaping everything else), plain-text channels drop them.
BOLD_OPEN = "\x02"
BOLD_CLOSE = "\x03"


def bold(text: str) -> str:
    return f"{BOLD_OPEN}{plain(text)}{BOLD_CLOSE}"


def plain(text: str) -> str:
    """User-supplied text with our markup characters removed, so it can never open or close bold."""
    return text.replace(BOLD_OPEN, "").replace(BOLD_CLOSE, "")


AttachmentKind = Literal["document", "photo"]


class AttachmentTooBig(Exception):
    """The platform refuses to hand the bot this file (Telegram: over 20 MB)."""


@dataclass(frozen=True)
class Attachment:
    """A file the user sent. `fetch` downloads it lazily, only once the bot decides to keep it."""

    kind: AttachmentKind
    file_name: str | None
    mime_type: str | None
    size: int | None
    fetch: Callable[[], Awaitable[bytes]]


@dataclass(frozen=True)
class Incoming:
    """One thing a user did: a text, a button press (`action`), or a file."""

    channel: str
    chat_id: str
    sender_id: str
    sender_name: str
    received_at: datetime
    text: str | None = None
    action: str | None = None
    attachment: Attachment | None = None
    reply_to_message_id: str | None = None
    language_hint: str | None = None
    # Something the channel cannot hand over as text or a file ("sticker", "file", "voice"…; Zalo only).
    unsupported: str | None = None
    # The platform's id of the update (for logs): Telegram's update_id, Zalo's event and message id.
    update_id: str | None = None
    # The adapter claimed `update_id` (storage.updates, webhook deliveries): the router marks it done in the
    # same commit as what the update recorded.
    claimed: bool = False


@dataclass(frozen=True)
class Button:
    label: str
    action: str


@dataclass(frozen=True)
class Photo:
    """An image the bot sends (a PNG chart). `caption` is marked-up text like `Outgoing.text`; channels cut it to
    their caption limit (Telegram: 1024 characters)."""

    content: bytes = field(repr=False)
    caption: str = ""
    file_name: str = "chart.png"


@dataclass(frozen=True)
class OutgoingFile:
    """A file the bot sends (a report, an appendix): shown as a document after the message's text."""

    name: str
    mime_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Outgoing:
    """One message to show. `task_id` marks a message about one task (a reply to it then refers to that task).

    `replace` asks the adapter to edit the message the pressed button was on instead of sending a new one.
    `files` are sent as documents after the text (an empty text sends only the files).
    """

    text: str
    buttons: Sequence[Sequence[Button]] = field(default_factory=tuple)
    task_id: int | None = None
    replace: bool = False
    files: Sequence[OutgoingFile] = field(default_factory=tuple)
    # An image shown before the text (its own caption under it); the text, if any, follows with the buttons.
    photo: Photo | None = None


@dataclass(frozen=True)
class Response:
    """Everything one event produces. `notice` is a short toast for a button press (Telegram's callback
    answer); channels without toasts show it as a message."""

    messages: Sequence[Outgoing] = ()
    notice: str | None = None
