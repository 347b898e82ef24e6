"""The catalogs: every message in the code is translated in vi and en, placeholders agree, .mo files are current."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest

from bot.i18n import Translator
from locales.catalogs import compiled, extract, load, po_path

LOCALES = ("vi", "en")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _strings(message) -> list[str]:  # type: ignore[no-untyped-def]
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_in_the_code_is_translated(locale: str) -> None:
    catalog = load(locale)
    missing = [m.id for m in extract() if m.id and (catalog.get(m.id) is None or not all(_strings(catalog.get(m.id))))]
    assert missing == [], f"run `python -m locales.catalogs` and translate: {missing}"
    assert [m.id for m in catalog if m.fuzzy and m.id] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match_the_source(locale: str) -> None:
    for message in load(locale):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[-1]
        for translated in _strings(message):
            assert _fields(translated) == _fields(source), (message.id, translated)


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogs_are_up_to_date(locale: str) -> None:
    assert po_path(locale).with_suffix(".mo").read_bytes() == compiled(load(locale)), "run `python -m locales.catalogs`"


def test_vietnamese_is_a_real_translation() -> None:
    vi = Translator("vi")
    assert vi._("In progress, overdue") == "Đang thực hiện quá hạn"
    assert vi._("Done on time") == "Đã hoàn thành đúng hạn"
    untranslated = [
        m.id for m in load("vi")
        if isinstance(m.id, str) and m.string == m.id and re.search(r"[a-z]{4}", re.sub(r"\{\w+\}", "", m.id))
    ]
    assert untranslated == []


@pytest.mark.parametrize(
    ("locale", "expected_date", "expected_number"),
    [("vi", "20/10/2023", "1.234"), ("en", "20 Oct 2023", "1,234")],
)
def test_dates_and_numbers_follow_the_locale(locale: str, expected_date: str, expected_number: str) -> None:
    t = Translator(locale)
    assert t.date(date(2023, 10, 20)) == expected_date
    assert t.number(1234) == expected_number


def test_plurals() -> None:
    assert Translator("en").ngettext("Due {date} · {n} day left", "Due {date} · {n} days left", 1, date="x") == "Due x · 1 day left"
    assert Translator("en").ngettext("Due {date} · {n} day left", "Due {date} · {n} days left", 3, date="x") == "Due x · 3 days left"
    assert Translator("vi").ngettext("Due {date} · {n} day left", "Due {date} · {n} days left", 3, date="x") == "Hạn x · còn 3 ngày"
