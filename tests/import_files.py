"""Test files for the document readers, generated in memory (no binary fixtures in the repository).

- `docx_file` / `xlsx_file`: small plans built with python-docx / openpyxl, with merged cells;
- `PdfPage` + `pdf_file`: a hand-written PDF (no PDF library needed) with a text layer in any Unicode
  characters (a simple font whose ToUnicode map gives each code its character), ruled tables drawn with
  lines, images, and optionally an /Encrypt dictionary whose password nobody knows;
- `encrypted_office_file`: an OLE compound file holding EncryptionInfo and EncryptedPackage, as Office writes
  for a password-protected .docx/.xlsx;
- `empty_docx`, `docx_without_tasks`, `xlsx_without_header`, `scanned_pdf`: files that are not plans.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import docx
import openpyxl
from docx.document import Document as DocxDocument

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def docx_bytes(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_file() -> bytes:
    """A plan: heading, prose, a table with a vertical and a horizontal merge, prose after, a nested table."""
    document = docx.Document()
    document.add_heading("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH", level=1)
    intro = document.add_paragraph()
    intro.add_run("Căn cứ Kế hoạch số 157/KH-UBND")
    strong = document.add_paragraph()
    strong.add_run("I. MỤC ĐÍCH, YÊU CẦU").bold = True
    document.add_paragraph("Đơn vị chủ trì: Văn phòng Sở")
    table = document.add_table(rows=4, cols=4)
    header = ["TT", "Chỉ số nội dung", "Nhiệm vụ", "Chủ trì"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    table.cell(1, 0).text = "1"
    table.cell(1, 1).text = "Công khai, minh bạch"
    table.cell(1, 2).text = "Niêm yết TTHC"
    table.cell(1, 3).text = "Văn phòng Sở"
    table.cell(2, 2).text = "Cập nhật cổng TTĐT"
    table.cell(2, 3).text = "- Văn phòng Sở\n- Các phòng, ban"
    table.cell(1, 1).merge(table.cell(2, 1))  # vertical merge: "Chỉ số nội dung" over two rows
    table.cell(1, 0).merge(table.cell(2, 0))
    table.cell(3, 0).text = "Nhiệm vụ khác"
    table.cell(3, 0).merge(table.cell(3, 3))  # a heading row spanning the whole table
    cell = table.cell(2, 3)
    cell.add_paragraph("- Trung tâm Thông tin")
    document.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "Ghi chú"
    inner = outer.cell(0, 1).add_table(rows=2, cols=2)
    for row_index, values in enumerate([["A", "B"], ["1", "2"]]):
        for column, value in enumerate(values):
            inner.cell(row_index, column).text = value
    document.add_paragraph("Nơi nhận:")
    return docx_bytes(document)


def xlsx_file() -> bytes:
    """A workbook: a title row merged across, a blank row, a header, rows with a vertical merge, numbers, dates."""
    from datetime import date, datetime

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Phụ lục 1"
    sheet["A1"] = "PHỤ LỤC NHIỆM VỤ NĂM 2023"
    sheet.merge_cells("A1:E1")
    sheet.append([])
    sheet.append(["TT", "Chỉ số nội dung", "Nhiệm vụ", "Chủ trì", "Thời gian"])
    sheet.append([1, "Công khai, minh bạch", "Niêm yết TTHC", "Văn phòng Sở", date(2023, 6, 30)])
    sheet.append([None, None, "Cập nhật cổng TTĐT", "Văn phòng Sở", datetime(2023, 12, 31)])
    sheet.append([2.0, "Quản trị điện tử", "Dịch vụ công trực tuyến", "Văn phòng Sở", "Thường xuyên"])
    sheet.append([3, "Tỷ lệ hồ sơ đúng hạn", 0.95, "Văn phòng Sở", 1.5])
    sheet["C7"].number_format = "0%"
    sheet.merge_cells("B4:B5")
    sheet.merge_cells("A4:A5")
    empty = workbook.create_sheet("Trống")
    empty["A1"] = None
    hidden = workbook.create_sheet("Danh mục")
    hidden["A1"] = "ẩn"
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def empty_docx() -> bytes:
    """A Word document as a new blank one is saved: a valid package, no text."""
    return docx_bytes(docx.Document())


def docx_without_tasks() -> bytes:
    """A letter, not a plan: no table, no numbered tasks with units or deadlines."""
    document = docx.Document()
    document.add_paragraph("SỞ VĂN HÓA VÀ THỂ THAO")
    document.add_paragraph("THÔNG BÁO")
    document.add_paragraph("Về việc nghỉ lễ Quốc khánh 2/9")
    document.add_paragraph("Kính gửi các phòng, đơn vị.")
    document.add_paragraph("Cán bộ, công chức, viên chức được nghỉ từ ngày 31/8 đến hết ngày 3/9.")
    return docx_bytes(document)


def xlsx_without_header() -> bytes:
    """A sheet of task-like rows with no header row naming the columns (TT, Nhiệm vụ, Chủ trì, Thời gian…)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["DANH SÁCH"])
    sheet.append([1, "Niêm yết thủ tục hành chính", "Văn phòng Sở", "Quý III/2023"])
    sheet.append([2, "Kiểm tra công vụ", "Thanh tra Sở", "Thường xuyên"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A scan: two pages that are each one image, no text layer."""
    return pdf_file([PdfPage(images=[(50, 50, 495, 742)]), PdfPage(images=[(50, 50, 495, 742)])])


def encrypted_office_file() -> bytes:
    """A password-protected .docx/.xlsx as Office writes one: an OLE compound file (CFB version 3, 512-byte
    sectors) whose streams are EncryptionInfo (agile encryption descriptor) and EncryptedPackage (the package,
    encrypted: random bytes here). Both streams are 4 KiB or more, so no mini stream is needed."""
    sector = 512
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00" + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"/>'
    )
    info = info.ljust(4096, b"\x00")
    package = (4000).to_bytes(8, "little") + bytes((index * 37 + 11) % 256 for index in range(4096))
    streams = [("EncryptionInfo", info), ("EncryptedPackage", package)]
    # sector 0: the FAT, sector 1: the directory, then each stream in consecutive sectors
    fat = [fat_sector, end]
    starts = []
    for _, data in streams:
        count = (len(data) + sector - 1) // sector
        first = len(fat)
        starts.append(first)
        fat += [first + offset + 1 for offset in range(count - 1)] + [end]
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (
            encoded.ljust(64, b"\x00") + len(encoded).to_bytes(2, "little") + bytes([kind, 1])
            + free.to_bytes(4, "little") + right.to_bytes(4, "little") + child.to_bytes(4, "little")
            + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16 + start.to_bytes(4, "little") + size.to_bytes(8, "little")
        )

    # the tree: the root's child is EncryptionInfo, EncryptedPackage (a longer name sorts after it) its right sibling
    directory = (
        entry("Root Entry", 5, 1, free, end, 0)
        + entry("EncryptionInfo", 2, free, 2, starts[0], len(info))
        + entry("EncryptedPackage", 2, free, free, starts[1], len(package))
        + b"\x00" * 64 + (0).to_bytes(2, "little") + b"\x00\x00" + free.to_bytes(4, "little") * 3 + b"\x00" * 48
    )
    header = (
        OLE_MAGIC + b"\x00" * 16 + (0x3E).to_bytes(2, "little") + (3).to_bytes(2, "little")
        + b"\xfe\xff" + (9).to_bytes(2, "little") + (6).to_bytes(2, "little") + b"\x00" * 6
        + (0).to_bytes(4, "little") + (1).to_bytes(4, "little") + (1).to_bytes(4, "little") + b"\x00" * 4
        + (4096).to_bytes(4, "little") + end.to_bytes(4, "little") + (0).to_bytes(4, "little")
        + end.to_bytes(4, "little") + (0).to_bytes(4, "little")
        + (0).to_bytes(4, "little") + free.to_bytes(4, "little") * 108
    )
    assert len(header) == sector and len(directory) == sector
    body = b"".join(value.to_bytes(4, "little") for value in fat) + directory
    body += b"".join(data.ljust((len(data) + sector - 1) // sector * sector, b"\x00") for _, data in streams)
    return header + body


@dataclass
class PdfPage:
    """What to draw on one A4 page, in PDF points from the bottom left."""

    texts: list[tuple[float, float, str, bool]] = field(default_factory=list)  # x, y, text, bold
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    images: list[tuple[float, float, float, float]] = field(default_factory=list)  # x, y, width, height
    font_size: float = 11

    def text(self, x: float, y: float, text: str, *, bold: bool = False) -> PdfPage:
        self.texts.append((x, y, text, bold))
        return self

    def grid(
        self,
        x: float,
        top: float,
        widths: list[float],
        height: float,
        rows: list[list[str | None]],
        *,
        skip: set[tuple[str, int, int]] | None = None,
    ) -> PdfPage:
        """A ruled table; a cell of None is covered by a merge. `skip` leaves out rule segments:
        ("h", row, column) is the line under `row` in `column`, ("v", row, column) the line left of `column`."""
        skip = skip or set()
        xs = [x + sum(widths[:index]) for index in range(len(widths) + 1)]
        ys = [top - height * index for index in range(len(rows) + 1)]
        for row in range(len(rows) + 1):
            for column in range(len(widths)):
                if ("h", row - 1, column) not in skip:
                    self.lines.append((xs[column], ys[row], xs[column + 1], ys[row]))
        for row in range(len(rows)):
            for column in range(len(widths) + 1):
                if ("v", row, column) not in skip:
                    self.lines.append((xs[column], ys[row], xs[column], ys[row + 1]))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                if value:
                    self.text(xs[column] + 3, ys[row] - height / 2 - 3, value)
        return self


def pdf_file(pages: list[PdfPage], *, encrypted: bool = False) -> bytes:
    """A valid PDF drawing `pages`; every character used is given a one-byte code and a ToUnicode entry."""
    characters = sorted({char for page in pages for *_, text, _ in page.texts for char in text})
    if len(characters) > 250:
        raise ValueError("too many distinct characters for a one-byte test font")
    codes = {char: index + 1 for index, char in enumerate(characters)}
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(dictionary: bytes, data: bytes) -> bytes:
        return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    cmap_lines = "\n".join(f"<{code:02X}> <{ord(char):04X}>" for char, code in codes.items())
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Test def "
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(codes)} beginbfchar\n{cmap_lines}\nendbfchar endcmap end end"
    ).encode()
    to_unicode = add(stream(b"", cmap))
    widths = b"[" + b" ".join(b"500" for _ in range(256)) + b"]"
    fonts = [
        add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /FirstChar 0 /LastChar 255 /Widths %s "
            b"/ToUnicode %d 0 R >>" % (name, widths, to_unicode)
        )
        for name in (b"Helvetica", b"Helvetica-Bold")
    ]
    image = add(
        stream(
            b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8",
            b"\x00\xff\xff\x00",
        )
    )
    page_ids = []
    pages_id = len(objects) + 2 * len(pages) + 1
    for page in pages:
        ops = [b"0.5 w"]
        ops += [b"%.2f %.2f m %.2f %.2f l S" % line for line in page.lines]
        ops += [b"q %.2f 0 0 %.2f %.2f %.2f cm /Im1 Do Q" % (w, h, x, y) for x, y, w, h in page.images]
        for x, y, text, bold in page.texts:
            hex_codes = "".join(f"{codes[char]:02X}" for char in text).encode()
            ops.append(
                b"BT /F%d %.1f Tf %.2f %.2f Td <%s> Tj ET"
                % (2 if bold else 1, page.font_size, x, y, hex_codes)
            )
        content = add(stream(b"", b"\n".join(ops)))
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources "
                b"<< /Font << /F1 %d 0 R /F2 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
                % (pages_id, content, fonts[0], fonts[1], image)
            )
        )
    kids = b" ".join(b"%d 0 R" % page_id for page_id in page_ids)
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages))) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    extra = b""
    if encrypted:
        encrypt = add(b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (b"AB" * 32, b"CD" * 32))
        extra = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (encrypt, b"01" * 16, b"01" * 16)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        extra,
        xref,
    )
    return bytes(out)


MB = 1024 * 1024
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def not_plans() -> list[tuple[str, bytes, str, str]]:
    """(file name, content, MIME type, why it cannot be imported) for files that are not importable plans. A file
    over the size limit is not here: each channel makes its own (the chat declares 30 MB, the CLI writes it)."""
    return [
        ("trong.docx", empty_docx(), DOCX_TYPE, "empty"),
        ("thong-bao.docx", docx_without_tasks(), DOCX_TYPE, "no_tasks"),
        ("hong.docx", b"PK\x03\x04" + bytes(range(256)) * 8, DOCX_TYPE, "corrupt"),
        ("bang.xlsx", xlsx_without_header(), XLSX_TYPE, "no_header"),
        ("mat-khau.docx", encrypted_office_file(), DOCX_TYPE, "encrypted"),
        ("mat-khau.xlsx", encrypted_office_file(), XLSX_TYPE, "encrypted"),
        ("ban-scan.pdf", scanned_pdf(), "application/pdf", "scanned"),
    ]
