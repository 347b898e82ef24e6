"""Logging set-up: secrets are redacted from every record, and noisy HTTP loggers that print URLs are quieted.

Every line logged while an update is handled carries its ids (`channel`, `update_id`, `member_id`), bound by the
router for the task handling it (`bind_update`). LOG_FORMAT=json writes one JSON object per line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType

# The ids of the update the current task is handling. Each asyncio task has its own copy.
_UPDATE: ContextVar[Mapping[str, object]] = ContextVar("dondoc_update", default=MappingProxyType({}))
UPDATE_FIELDS = ("channel", "update_id", "member_id")


def bind_update(**fields: object) -> None:
    """Sets ids of the update being handled for every later log line of this task (None removes one)."""
    current = dict(_UPDATE.get())
    for name, value in fields.items():
        if value is None:
            current.pop(name, None)
        else:
            current[name] = value
    _UPDATE.set(MappingProxyType(current))


def update_fields() -> Mapping[str, object]:
    """The ids bound by `bind_update` in this task."""
    return _UPDATE.get()


class UpdateIds(logging.Filter):
    """Copies the bound ids onto the record (`record.update_ids`), for the formatters below."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.update_ids = dict(_UPDATE.get())
        return True


class TextFormatter(logging.Formatter):
    """The classic line, with the update's ids at the end when there are some."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids: Mapping[str, object] = getattr(record, "update_ids", None) or {}
        if not ids:
            return line
        first, newline, rest = line.partition("\n")  # after the message, before any traceback
        tags = " ".join(f"{name}={ids[name]}" for name in UPDATE_FIELDS if name in ids)
        return f"{first} [{tags}]{newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the update's ids when known, and
    the traceback (`exc`) if any. Runs after `RedactSecrets`, whose redacted message and traceback it prints."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "update_ids", None) or {})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RedactSecrets(logging.Filter):
    """Replaces each secret (e.g. the bot token, which is part of every Bot API URL) with '***'."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        for secret in self._secrets:
            message = message.replace(secret, "***")
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self._secrets:
                record.exc_text = record.exc_text.replace(secret, "***")
        return True


def configure_logging(level: str, *, secrets: Iterable[str] = (), log_format: str = "text") -> None:
    """One handler on the root logger: secrets redacted, the update's ids added, as text or JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RedactSecrets(secrets))
    handler.addFilter(UpdateIds())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
