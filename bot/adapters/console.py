"""The console channel: talk to the same conversation logic in a terminal, as one member.

Buttons are shown as numbered choices; typing the number presses the button. When standard input is not a
terminal, every line is one message, so sessions can be scripted.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.messaging import BOLD_CLOSE, BOLD_OPEN, Button, Incoming, OutgoingFile, Response
from bot.metrics import METRICS

CHANNEL = "console"
Handle = Callable[[Incoming], Awaitable[Response]]


@dataclass
class ConsoleChannel:
    handle: Handle
    sender_id: str
    sender_name: str
    out: TextIO = field(default_factory=lambda: sys.stdout)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    styled: bool = False
    files_dir: Path | None = None  # where files the bot sends are written (a new temporary directory if None)
    _choices: list[Button] = field(default_factory=list)

    async def say(self, line: str) -> None:
        """One line typed by the member: a numbered choice, a command or free text."""
        line = line.strip()
        if not line:
            return
        choice = int(line) if line.isdigit() and len(line) <= 3 else 0
        if 1 <= choice <= len(self._choices):
            incoming = self._incoming(action=self._choices[choice - 1].action)
        else:
            incoming = self._incoming(text=line)
        self.show(await self.handle(incoming))
        METRICS.replies.labels(CHANNEL).inc()

    def _incoming(self, *, text: str | None = None, action: str | None = None) -> Incoming:
        return Incoming(
            channel=CHANNEL,
            chat_id=self.sender_id,
            sender_id=self.sender_id,
            sender_name=self.sender_name,
            received_at=self.clock(),
            text=text,
            action=action,
        )

    def render(self, text: str) -> str:
        on, off = ("\x1b[1m", "\x1b[0m") if self.styled else ("", "")
        return text.replace(BOLD_OPEN, on).replace(BOLD_CLOSE, off)

    def show(self, response: Response) -> None:
        if response.notice:
            self.out.write(f"» {self.render(response.notice)}\n")
        shown: list[Button] = []
        for message in response.messages:
            self.out.write(self.render(message.text) + "\n")
            for outgoing_file in message.files:
                self.out.write(f"📎 {self.save_file(outgoing_file)}\n")
            for row in message.buttons:
                labels = []
                for button in row:
                    shown.append(button)
                    labels.append(f"[{len(shown)}] {button.label}")
                self.out.write("   ".join(labels) + "\n")
            self.out.write("\n")
        if shown or response.messages:
            self._choices = shown
        self.out.flush()


    def save_file(self, outgoing_file: OutgoingFile) -> Path:
        """Writes a file the bot sent into `files_dir` and returns its path (the console's "document")."""
        if self.files_dir is None:
            self.files_dir = Path(tempfile.mkdtemp(prefix="dondoc-files-"))
        path = self.files_dir / Path(outgoing_file.name).name
        path.write_bytes(outgoing_file.content)
        return path


async def run_console(channel: ConsoleChannel, source: TextIO, *, prompt: str) -> None:
    """Reads lines until end of input (Ctrl-D) or /quit."""
    interactive = source.isatty()
    while True:
        if interactive:
            channel.out.write(prompt)
            channel.out.flush()
        line = await asyncio.to_thread(source.readline)
        if not line or line.strip() in ("/quit", "/exit"):
            break
        if not interactive:
            channel.out.write(f"> {line.strip()}\n")
        await channel.say(line)
