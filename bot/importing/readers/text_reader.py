"""Plain text and Markdown (.txt, .md): the shape of the text dumps in the seeds.

- every non-blank line is a Paragraph; `# Heading` gives style "Heading N"; a line (or run of lines) wrapped
  in `**…**` is bold; inline `**` markers and simple HTML remnants (`<ul style="…">`, `<br>`) are removed;
- consecutive lines holding tabs form a Table split on "\t" (a blank line between two such lines does not end
  it); a row that starts with empty cells is a continuation row and those cells stay "" (blank, not merged);
  separator rows made of dashes are dropped;
- a Markdown pipe table (`| a | b |` followed by a `|---|---|` line) is a Table, `<br>` in cells a line break.
"""

from __future__ import annotations

import re

from bot.importing.blocks import Block, Document, Paragraph, Table
from bot.importing.readers.common import clean_text, decode_text, rectangular, strip_html

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^([-*_=])(\s*\1){2,}$")
_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_SEPARATOR_CELL = re.compile(r"^[-:=\s]*$")
_PIPE_SPLIT = re.compile(r"(?<!\\)\|")


def read_text(content: bytes, file_name: str) -> Document:
    """Paragraphs and tables of a text or Markdown file, in order."""
    lines = decode_text(content).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Document(blocks=parse_lines(lines), name=file_name)


def parse_lines(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    in_bold = False
    index = 0
    while index < len(lines):
        line = lines[index].rstrip(" \f\v")
        stripped = line.strip()
        if not stripped:
            index += 1
        elif (
            stripped.startswith("|")
            and index + 1 < len(lines)
            and _PIPE_SEPARATOR.match(lines[index + 1].strip())
        ):
            end = index
            while end < len(lines) and lines[end].strip().startswith("|"):
                end += 1
            rows = [_pipe_cells(row) for row in lines[index:end] if not _PIPE_SEPARATOR.match(row.strip())]
            blocks.append(Table(rows=rectangular(rows)))
            index = end
        elif "\t" in line:
            end = _tab_block_end(lines, index)
            rows = [_tab_cells(row) for row in lines[index:end] if row.strip()]
            rows = [row for row in rows if not _separator_row(row)]
            if rows:
                blocks.append(Table(rows=rectangular(rows)))
            index = end
        else:
            paragraph, in_bold = _paragraph(stripped, in_bold)
            if paragraph is not None:
                blocks.append(paragraph)
            index += 1
    return blocks


def _tab_block_end(lines: list[str], start: int) -> int:
    """The index after the last line of the tab table starting at `start` (blank lines inside are skipped)."""
    end = start
    last_tab_line = start
    while end < len(lines):
        if "\t" in lines[end]:
            last_tab_line = end
        elif lines[end].strip():
            break
        end += 1
    return last_tab_line + 1


def _tab_cells(line: str) -> list[str]:
    return [_cell(cell) for cell in line.rstrip("\r\n").split("\t")]


def _pipe_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner.removeprefix("|")
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [_cell(cell.replace("\\|", "|")) for cell in _PIPE_SPLIT.split(inner)]


def _cell(text: str) -> str:
    return clean_text(strip_html(text).replace("**", ""))


def _separator_row(row: list[str]) -> bool:
    return any("-" in cell for cell in row) and all(_SEPARATOR_CELL.match(cell) for cell in row)


def _paragraph(line: str, in_bold: bool) -> tuple[Paragraph | None, bool]:
    """The paragraph of one line, and whether a `**` bold run is still open after it."""
    heading = _HEADING.match(line)
    if heading:
        text = clean_text(strip_html(heading.group(2)).replace("**", ""))
        return (Paragraph(text=text, style=f"Heading {len(heading.group(1))}") if text else None), in_bold
    if _RULE.match(line):
        return None, in_bold
    bold = in_bold
    if in_bold:
        if line.endswith("**"):
            line, in_bold = line[:-2], False
    elif line.startswith("**") and len(line) > 2:
        if "**" not in line[2:]:
            line, bold, in_bold = line[2:], True, True
        elif line.endswith("**") and line.count("**") == 2 and len(line) > 4:
            line, bold = line[2:-2], True
    text = clean_text(strip_html(line).replace("**", ""))
    return (Paragraph(text=text, bold=bold) if text else None), in_bold
