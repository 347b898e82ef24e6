"""Settings from the environment and `.env`: one `Settings` object, built once by the composition root."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/dondoc.sqlite3"


class Settings(BaseSettings):
    """Everything that differs between installations. Tokens are `SecretStr` so they never print."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    telegram_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    telegram_bot_username: str | None = None
    telegram_poll_timeout: int = Field(default=30, ge=0, le=50)
    # Webhook mode (`dondoc run --webhook`): Telegram checks this secret in every delivery (1-256 of A-Z a-z 0-9 _ -).
    telegram_webhook_secret: SecretStr | None = None
    # Telegram and Zalo deliver updates to the web server at PUBLIC_BASE_URL/webhook/<channel> instead of being
    # polled; needs PUBLIC_BASE_URL and the webhook secret of each channel whose token is set.
    webhook_mode: bool = False
    # An update claimed by a process that died while handling it is handled by the platform's redelivery once the
    # claim is this many seconds old (longer than any handling takes, a file download included).
    update_claim_lease_seconds: float = Field(default=120, gt=0)
    # Zalo Bot Platform: polling when only the token is set; the webhook checks `zalo_webhook_secret` (8-256 chars).
    zalo_token: SecretStr | None = None
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_webhook_secret: SecretStr | None = None
    zalo_poll_timeout: int = Field(default=30, ge=1, le=60)
    evidence_dir: Path = Path("./data/evidence")
    evidence_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    invite_ttl_days: int = Field(default=14, gt=0)
    page_size: int = Field(default=8, ge=1, le=20)
    log_level: str = "INFO"
    # "json": one JSON object per log line (time, level, logger, message, channel, update_id, member_id).
    log_format: Literal["text", "json"] = "text"
    # Reminders (scheduler/). Times are office-local.
    reminders_enabled: bool = True
    reminder_time: time = time(8, 0)
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(7, 0)
    reminder_tick_seconds: float = Field(default=60, gt=0)
    # Our own cap on sends per second for one bot token (Telegram allows about 30), and the per-chat spacing
    # (Telegram: 1 message per second in a private chat, 20 per minute in a group).
    send_rate_per_second: float = Field(default=25, gt=0, le=30)
    outbox_lease_seconds: float = Field(default=120, gt=0)
    # Summaries (/tonghop, the weekly digest). "approved": late is judged against the approved extension date
    # (the plan's date is shown too); "original": always against the plan's own date.
    late_rule: str = "approved"
    # A unit with open tasks and no reply for more than this many working days is listed as silent.
    silent_after_working_days: int = Field(default=10, ge=1)
    # The weekly digest to the chief and opted-in leadership: weekday (0 Monday … 4 Friday; moved to the week's
    # next working day when that day is off) and office-local time.
    digest_enabled: bool = True
    digest_weekday: int = Field(default=0, ge=0, le=6)
    digest_time: time = time(8, 0)
    # The web server (bot/web/): upload and download links, chart URLs, webhooks, /healthz and /readyz.
    # `dondoc run` starts it when PUBLIC_BASE_URL, the address phones and platforms reach it at, is set.
    public_base_url: str | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    # Signs link tokens (32+ characters). Required when PUBLIC_BASE_URL is https; otherwise each process makes
    # a random one (links then stop working at a restart and are not shared between processes).
    link_secret: SecretStr | None = None
    upload_link_hours: float = Field(default=24, gt=0)
    download_link_hours: float = Field(default=72, gt=0)

    @field_validator("public_base_url", "link_secret", mode="before")
    @classmethod
    def _empty_web_setting_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("public_base_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("public_base_url must start with https:// (or http:// for a local test)")
        return value.rstrip("/") if value else value

    @field_validator("link_secret")
    @classmethod
    def _strong_link_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("link_secret must have at least 32 characters "
                             "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')")
        return value

    @model_validator(mode="after")
    def _links_signed_in_production(self) -> Settings:
        if self.public_base_url and self.public_base_url.startswith("https://") and self.link_secret is None:
            raise ValueError("LINK_SECRET is required when PUBLIC_BASE_URL is https: links must survive a restart "
                             "and work in every process")
        return self

    @field_validator("telegram_token", "zalo_token", "zalo_webhook_secret", "telegram_webhook_secret", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("telegram_webhook_secret must be 1 to 256 characters of A-Z a-z 0-9 _ - (Telegram's rule)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone name
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("default_locale must be 'vi' or 'en'")
        return value

    @field_validator("late_rule")
    @classmethod
    def _known_late_rule(cls, value: str) -> str:
        if value not in ("approved", "original"):
            raise ValueError("late_rule must be 'approved' or 'original'")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
