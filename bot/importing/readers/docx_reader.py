"""Word (.docx): the body's paragraphs and tables in document order, merged cells resolved on the grid.

Tables: every row is laid on the table grid (`w:tblGrid`), `w:gridBefore` and missing trailing cells are "",
a `w:gridSpan` cell fills its first column and marks the columns it covers `MERGED_FROM_LEFT`, a `w:vMerge`
continuation cell is `MERGED_FROM_ABOVE` (its covered columns `MERGED_FROM_LEFT`). Paragraphs inside a cell are
joined with "\n". A table nested in a cell becomes its own Table right after the outer one; a 1x1 table used
as a frame is unwrapped into its content. Automatic list labels ("1.", "a)", "-") are put back in the text.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import nsmap, qn
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from lxml import etree

from bot.importing.blocks import MERGED_FROM_ABOVE, MERGED_FROM_LEFT, Block, Document, Paragraph, Table
from bot.importing.readers.common import cell_has_text, clean_text
from bot.importing.readers.docx_numbering import ListLabels

_INLINE_CONTAINERS = {
    qn(tag)
    for tag in (
        "w:hyperlink",
        "w:ins",
        "w:smartTag",
        "w:sdt",
        "w:sdtContent",
        "w:fldSimple",
        "w:customXml",
        "w:moveTo",
        "w:bdo",
        "w:dir",
    )
}
_BLOCK_CONTAINERS = {qn("w:sdtContent"), qn("w:customXml")}
_OFF = {"0", "false", "off", "none"}
MAX_COLUMNS = 64  # Word allows 63; a larger span or offset is a broken or hostile file
# Word writes a text box twice (mc:Choice and a VML mc:Fallback): read the first, not boxes inside boxes
_TEXT_BOXES = etree.XPath(
    ".//w:txbxContent[not(ancestor::mc:Fallback)][not(ancestor::w:txbxContent)]",
    namespaces={"w": nsmap["w"], "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"},
)
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_OTHER_MAINS = (  # .docm, .dotx, .dotm: the same body, another label
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)


class _Context:
    """What the walk needs all along: the python-docx document, its styles by id, and the list counters.

    Styles are looked up once per id: python-docx scans every style of the document at each `paragraph.style`
    or `run.style` (the default style is searched each time), which made a 300-row table take seconds."""

    def __init__(self, document: Any) -> None:
        self.document = document
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            numbering = None
        self.labels = ListLabels(numbering)
        self._styles: dict[tuple[str | None, WD_STYLE_TYPE], Any | None] = {}

    def style(self, style_id: str | None, kind: WD_STYLE_TYPE) -> Any | None:
        """The style `style_id` names (None: the default style of that kind), or None when it cannot be found."""
        key = (style_id, kind)
        if key not in self._styles:
            try:
                self._styles[key] = self.document.part.get_style(style_id, kind)
            except (KeyError, ValueError, AttributeError):
                self._styles[key] = None
        return self._styles[key]


def read_docx(content: bytes, file_name: str) -> Document:
    """The body of a .docx as blocks (python-docx raises on a broken package; the caller maps that)."""
    try:
        document = docx.Document(io.BytesIO(content))
    except ValueError as error:  # python-docx opens only .docx-labelled packages
        if "content type" not in str(error):
            raise
        document = docx.Document(io.BytesIO(_relabelled(content)))
    context = _Context(document)
    return Document(blocks=list(_blocks(document.element.body, context)), name=file_name)


def _relabelled(content: bytes) -> bytes:
    """The package with a macro-enabled or template main part labelled as a plain document."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                for other in _OTHER_MAINS:
                    data = data.replace(other.encode(), _WORD_MAIN.encode())
            target.writestr(item, data)
    return buffer.getvalue()


def _blocks(container: Any, context: _Context) -> Iterator[Block]:
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = _paragraph(child, context)
            if paragraph.text:
                yield paragraph
            for box in _TEXT_BOXES(child):  # text boxes anchored here ("Số: …" is often one)
                yield from _blocks(box, context)
        elif child.tag == qn("w:tbl"):
            yield from _table(child, context)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, context)
        elif child.tag in _BLOCK_CONTAINERS:
            yield from _blocks(child, context)


def _paragraph(p: Any, context: _Context) -> Paragraph:
    paragraph = DocxParagraph(p, context.document._body)
    style = context.style(p.style, WD_STYLE_TYPE.PARAGRAPH)
    runs = [run for run in _runs(p) if not _hidden(run)]
    texts = [_run_text(run) for run in runs]
    text = clean_text("".join(texts))
    label = _list_label(p, style, context)
    if label and text:
        text = f"{label} {text}"
    visible = [Run(run, paragraph) for run, run_text in zip(runs, texts, strict=True) if run_text.strip()]
    bold = bool(visible) and all(_bold(run, style, context) for run in visible)
    return Paragraph(text=text, style=style.name if style is not None else None, bold=bold)


def _runs(element: Any) -> Iterator[Any]:
    for child in element.iterchildren():
        if child.tag == qn("w:r"):
            yield child
        elif child.tag in _INLINE_CONTAINERS:
            yield from _runs(child)


def _run_text(run: Any) -> str:
    parts = []
    for child in run.iterchildren():
        tag = child.tag
        if tag == qn("w:t"):
            parts.append(child.text or "")
        elif tag == qn("w:tab"):
            parts.append("\t")
        elif tag in (qn("w:br"), qn("w:cr")):
            parts.append("\n")
        elif tag == qn("w:noBreakHyphen"):
            parts.append("-")
    return "".join(parts)


def _hidden(run: Any) -> bool:
    properties = run.find(qn("w:rPr"))
    vanish = None if properties is None else properties.find(qn("w:vanish"))
    return vanish is not None and vanish.get(qn("w:val")) not in _OFF


def _bold(run: Run, paragraph_style: Any | None, context: _Context) -> bool:
    """Run bold as Word shows it: the run's own setting, else its character style, else the paragraph style."""
    if run.bold is not None:
        return bool(run.bold)
    character_style = context.style(run._r.style, WD_STYLE_TYPE.CHARACTER)
    for style in (character_style, paragraph_style):
        inherited = _style_bold(style)
        if inherited is not None:
            return inherited
    return False


def _style_bold(style: Any | None) -> bool | None:
    seen = 0
    while style is not None and seen < 20:
        bold = getattr(style.font, "bold", None)
        if bold is not None:
            return bool(bold)
        style, seen = style.base_style, seen + 1
    return None


def _list_label(p: Any, style: Any | None, context: _Context) -> str:
    num_id, ilvl = _num_pr(p.find(qn("w:pPr")))
    seen = 0
    while num_id is None and style is not None and seen < 20:
        style_num, style_ilvl = _num_pr(style.element.find(qn("w:pPr")))
        num_id, ilvl = style_num, ilvl if ilvl is not None else style_ilvl
        style, seen = style.base_style, seen + 1
    if num_id is None:
        return ""
    return context.labels.label(num_id, ilvl or 0)


def _num_pr(properties: Any | None) -> tuple[str | None, int | None]:
    numbering = None if properties is None else properties.find(qn("w:numPr"))
    if numbering is None:
        return None, None
    num_id, ilvl = numbering.find(qn("w:numId")), numbering.find(qn("w:ilvl"))
    level = None if ilvl is None else ilvl.get(qn("w:val"))
    return (
        None if num_id is None else num_id.get(qn("w:val")),
        int(level) if level is not None and level.isdigit() else None,
    )


def _table(tbl: Any, context: _Context) -> Iterator[Block]:
    """The table as a grid of cell texts, then any table nested in its cells; a 1x1 frame is unwrapped."""
    rows: list[list[str]] = []
    nested: list[Block] = []
    cells_content: list[list[Block]] = []
    for tr in _children(tbl, "w:tr"):
        row = [""] * min(MAX_COLUMNS, _int_property(tr.find(qn("w:trPr")), "w:gridBefore", 0))
        for tc in _children(tr, "w:tc"):
            properties = tc.find(qn("w:tcPr"))
            span = min(MAX_COLUMNS, max(1, _int_property(properties, "w:gridSpan", 1)))
            if _continues(properties, "w:vMerge") and rows:
                row.extend([MERGED_FROM_ABOVE] + [MERGED_FROM_LEFT] * (span - 1))
                continue
            if _continues(properties, "w:hMerge") and row:
                row.extend([MERGED_FROM_LEFT] * span)
                continue
            content = list(_blocks(tc, context))
            cells_content.append(content)
            text = "\n".join(block.text for block in content if isinstance(block, Paragraph))
            nested.extend(block for block in content if isinstance(block, Table))
            row.extend([text] + [MERGED_FROM_LEFT] * (span - 1))
        rows.append(row)
    if len(rows) == 1 and len(cells_content) == 1:
        yield from cells_content[0]
        return
    grid = (
        len(_children(tbl.find(qn("w:tblGrid")), "w:gridCol")) if tbl.find(qn("w:tblGrid")) is not None else 0
    )
    width = max([grid] + [len(row) for row in rows])
    rows = _fix_markers([row + [""] * (width - len(row)) for row in rows])
    if any(cell_has_text(cell) for row in rows for cell in row):
        yield Table(rows=rows)
    yield from nested


def _fix_markers(rows: list[list[str]]) -> list[list[str]]:
    """A continuation with nothing to continue (above the first row, left of the first column) is blank."""
    for row_index, row in enumerate(rows):
        for column, cell in enumerate(row):
            if (cell == MERGED_FROM_ABOVE and row_index == 0) or (cell == MERGED_FROM_LEFT and column == 0):
                row[column] = ""
    return rows


def _children(parent: Any, tag: str) -> list[Any]:
    """Direct children with `tag`, looking through content controls and custom XML wrappers."""
    found = []
    for child in parent.iterchildren():
        if child.tag == qn(tag):
            found.append(child)
        elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
            found.extend(_children(child, tag))
    return found


def _continues(properties: Any | None, tag: str) -> bool:
    merge = None if properties is None else properties.find(qn(tag))
    return merge is not None and merge.get(qn("w:val"), "continue") == "continue"


def _int_property(properties: Any | None, tag: str, default: int) -> int:
    element = None if properties is None else properties.find(qn(tag))
    value = None if element is None else element.get(qn("w:val"))
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
