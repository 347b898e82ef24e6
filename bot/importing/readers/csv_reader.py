"""CSV: one Table. The delimiter (",", ";" or tab) is sniffed, or taken from Excel's "sep=;" first line.

Text is UTF-8 with or without BOM, UTF-16 (Excel's "Unicode text"), else Windows-1258 / 1252. CSV has no
merges: a blank cell stays "" (the extractor reads a blank lead cell as "same as above" where sensible).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import Counter

from bot.importing.blocks import Document, Table
from bot.importing.readers.common import clean_text, decode_text, drop_blank_rows, rectangular, strip_html

DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r"^\"?sep=(.)\"?\s*(\r\n|\n|\r|$)", re.IGNORECASE)

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_csv(content: bytes, file_name: str) -> Document:
    """All rows of the file as one table, padded to the widest row, blank rows dropped."""
    text = decode_text(content)
    hint = _SEP_LINE.match(text)
    if hint:
        delimiter, text = hint.group(1), text[hint.end() :]
    else:
        delimiter = sniff_delimiter(text)
    rows = [
        [clean_text(strip_html(cell)) for cell in row]
        for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]
    rows = rectangular(drop_blank_rows(rows))
    return Document(blocks=[Table(rows=rows)] if rows else [], name=file_name)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most rows into the same number (> 1) of fields; "," when none does."""
    sample = text[:65536]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(row)][
                :200
            ]
        except csv.Error:
            continue
        split = [width for width in widths if width > 1]
        if not split:
            continue
        width, count = Counter(split).most_common(1)[0]
        score = (count, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best
