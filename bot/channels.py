"""What each channel can carry, for the few handlers whose reply depends on it (documents on Zalo).

Everything else about a channel stays in its adapter; handlers ask only these questions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    receives_documents: bool = True  # a user can send the bot a document (Zalo bots get no download link)


_KNOWN = {
    "zalo": Capabilities(receives_documents=False),
}


def capabilities(channel: str) -> Capabilities:
    """Telegram, the console and tests carry everything; Zalo does not take documents."""
    return _KNOWN.get(channel, Capabilities())
