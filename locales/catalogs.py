"""Maintain the gettext catalogs: `python -m locales.catalogs` extracts every message from the code, merges it into
the vi and en catalogs (English msgids are their own English translation), and compiles the .mo files.

Vietnamese translations are written by hand in `locales/vi/LC_MESSAGES/dondoc.po`; a new message shows up there
with an empty msgstr until translated (tests/test_i18n.py fails on any missing or fuzzy entry).
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = Path(__file__).resolve().parent
DOMAIN = "dondoc"
SOURCES = ("bot", "handlers", "scheduler")
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}


def extract() -> Catalog:
    """Every translatable message in the code."""
    template = Catalog(project="dondoc", domain=DOMAIN)
    for source in SOURCES:
        found = extract_from_dir(
            ROOT / source, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        )
        for filename, lineno, message, comments, context in found:
            template.add(message, locations=[(f"{source}/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def po_path(locale: str) -> Path:
    return LOCALES / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN, project="dondoc")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def update() -> None:
    template = extract()
    for locale in ("vi", "en"):
        catalog = load(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == "en":
            for message in catalog:
                if isinstance(message.id, tuple) and not all(message.string):
                    message.string = tuple(message.id)
                elif message.id and not message.string:
                    message.string = message.id
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=110, sort_output=False, include_previous=False)
        path.with_suffix(".mo").write_bytes(compiled(load(locale)))


if __name__ == "__main__":
    update()
    print("catalogs updated: locales/vi and locales/en (translate empty msgstr entries in vi, then run again)")
