"""The evidence pack: a .zip of the evidence files as dimension / task / unit / file, with an index (CSV)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from pathlib import PurePosixPath

from bot.reports import text_vi
from bot.reports.data import ReportData, area_of
from bot.services.evidence_store import EvidenceStore, sanitise_file_name

_FOLDER_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
FOLDER_LENGTH = 60


def folder_name(text: str) -> str:
    """A folder name that is safe on Windows and macOS (no separators or reserved characters), bounded."""
    cleaned = re.sub(r"\s+", " ", _FOLDER_UNSAFE.sub("-", text)).strip(" .-")
    return cleaned[:FOLDER_LENGTH].rstrip(" .-") or "_"


def build_evidence_zip(data: ReportData, store: EvidenceStore) -> bytes:
    """Every evidence file of the report (received by its as-of day), with the index as its first entry."""
    out = io.BytesIO()
    rows: list[list[str]] = []
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        files: list[tuple[str, bytes]] = []
        for item in data.evidence:
            row = item.evidence
            folder = PurePosixPath(folder_name(area_of(item.task)),
                                   folder_name(f"{item.task.code} {item.task.title}"),
                                   folder_name(item.unit.short_name or item.unit.name))
            path = _unique(folder, sanitise_file_name(row.file_name, fallback=f"minh-chung-{row.id}"), used)
            stored = store.path_for(row.sha256)
            note = ""
            if stored.is_file():
                content = stored.read_bytes()
                if hashlib.sha256(content).hexdigest() != row.sha256:
                    note = text_vi.MISSING_FILE
                else:
                    files.append((path, content))
            else:
                note = text_vi.MISSING_FILE
            sent = data.local(row.created_at).strftime("%d/%m/%Y %H:%M")
            rows.append([path if not note else "", row.file_name, area_of(item.task), item.task.code, item.task.title,
                         item.unit.name, item.sender or text_vi.UNKNOWN_SENDER, sent, row.sha256, str(row.size), note])
        index = io.StringIO()
        writer = csv.writer(index)
        writer.writerow(text_vi.INDEX_COLUMNS)
        writer.writerows(rows)
        archive.writestr(text_vi.INDEX_NAME, "\ufeff" + index.getvalue())  # the BOM lets Excel read UTF-8
        for path, content in files:
            archive.writestr(path, content)
    return out.getvalue()


def _unique(folder: PurePosixPath, name: str, used: set[str]) -> str:
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    candidate, n = str(folder / name), 1
    while candidate in used:
        n += 1
        candidate = str(folder / (f"{stem} ({n}).{suffix}" if suffix else f"{name} ({n})"))
    used.add(candidate)
    return candidate
