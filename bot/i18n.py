"""Translations (gettext catalogs compiled by Babel) and locale-aware dates and numbers.

A `Translator` is resolved once per event from the member's language and passed down.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations

import locales

DOMAIN = "dondoc"
LOCALES_DIR = Path(locales.__file__).parent
SUPPORTED = ("vi", "en")
_DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


class MissingCatalog(RuntimeError):
    pass


@cache
def _catalog(locale: str) -> Translations:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.is_file():
        raise MissingCatalog(f"compiled catalog missing: {path} (run: pybabel compile -d locales -D {DOMAIN})")
    with path.open("rb") as handle:
        return Translations(handle, domain=DOMAIN)


class Translator:
    """Messages, dates and numbers in one locale. Placeholders are named: `_("Due {date}", date=…)`."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in SUPPORTED else SUPPORTED[0]
        self._translations = _catalog(self.locale)

    def _(self, message: str, **values: Any) -> str:
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        text = self._translations.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **values)

    def date(self, value: date) -> str:
        return format_date(value, _DATE_PATTERNS[self.locale], locale=self.locale)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)


def check_catalogs() -> None:
    """Fail fast at start-up when a compiled catalog is missing."""
    for locale in SUPPORTED:
        _catalog(locale)


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later (e.g. labels in a table)."""
    return message
