"""Readers: every supported format into the neutral Document, and every broken file into its reason."""

from __future__ import annotations

import csv
import inspect
import io
import unicodedata
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.importing import readers
from bot.importing.blocks import MERGED_FROM_ABOVE as UP
from bot.importing.blocks import MERGED_FROM_LEFT as LEFT
from bot.importing.blocks import Document, Paragraph, Table
from bot.importing.draft import UnreadableDocument
from bot.importing.readers import MAX_DOCUMENT_BYTES, read_document
from tests.import_files import PdfPage, docx_bytes, docx_file, encrypted_office_file, pdf_file, xlsx_file

SHARED = Path("/work/shared")
SAMPLES = SHARED / "samples"
SEEDS = SHARED / "seeds"
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir() or not SEEDS.is_dir(), reason="shared samples not present"
)

KH435_HEADER = [
    "TT",
    "Chỉ số nội dung",
    "Nội dung thành phần",
    "Chủ trì, tổng hợp",
    "Nhiệm vụ",
    "Kết quả",
    "Đơn vị thực hiện",
]


def tables(document: Document) -> list[Table]:
    return [block for block in document.blocks if isinstance(block, Table)]


def texts(document: Document) -> list[str]:
    return [block.text for block in document.blocks if isinstance(block, Paragraph)]


def between(document: Document, first: str, last: str) -> list[str]:
    paragraphs = texts(document)
    return paragraphs[paragraphs.index(first) : paragraphs.index(last) + 1]


def table_after(document: Document, heading_start: str) -> Table:
    """The first table that follows the paragraph starting with `heading_start`."""
    seen = False
    for block in document.blocks:
        if isinstance(block, Paragraph) and block.text.startswith(heading_start):
            seen = True
        elif seen and isinstance(block, Table):
            return block
    raise AssertionError(f"no table after {heading_start!r}")


def unmerged(rows: list[list[str]]) -> list[list[str]]:
    return [["" if cell in (UP, LEFT) else cell for cell in row] for row in rows]


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes Vietnamese: precomposed vowels (ă, ơ, ư…) plus a combining tone mark."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(part for part in parts if part not in tones))
        out.append(base + "".join(part for part in parts if part in tones))
    return "".join(out).encode("cp1258")


def reason(content: bytes, name: str) -> str:
    with pytest.raises(UnreadableDocument) as raised:
        read_document(content, name)
    return raised.value.reason


# --- the real plans --------------------------------------------------------------------------------------------


@needs_samples
def test_kh435_appendix_has_the_grid_shape_with_vertical_merges() -> None:
    document = read_document((SAMPLES / "kh-435-svhtt-hanoi-2023.docx").read_bytes(), "kh-435.docx")
    appendix = table_after(document, "PHỤ LỤC TỔNG HỢP NHIỆM VỤ")
    assert appendix.rows[0] == KH435_HEADER
    assert len(appendix.rows) == 12 and all(len(row) == 7 for row in appendix.rows)
    assert [row[0] for row in appendix.rows[1:]] == ["1", UP, "2", UP, "3", UP, UP, "4", UP, UP, "5"]
    dimension = [row[1] for row in appendix.rows[1:]]
    assert dimension[0] == "Công khai minh bạch trong việc ra quyết định"
    assert dimension[1] == UP and dimension[5] == UP and dimension[6] == UP
    assert appendix.rows[2][2] == UP  # "Tiếp cận thông tin" goes on over the second task
    assert appendix.rows[6][2] == "Công bằng trong tuyển dụng vào khu vực công"
    assert appendix.rows[1][6] == "- Văn phòng Sở\n- Các phòng, ban, đơn vị thuộc Sở"
    assert appendix.rows[2][3:6] == ["Văn phòng Sở", appendix.rows[2][4], "Theo quy định"]


@needs_samples
def test_kh435_prose_of_part_ii_is_in_order_between_its_headings() -> None:
    document = read_document((SAMPLES / "kh-435-svhtt-hanoi-2023.docx").read_bytes(), "kh-435.docx")
    part_ii = between(document, "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN")
    assert part_ii[1] == "1. Công tác tuyên truyền, quán triệt:"
    assert part_ii[2].startswith("- Quán triệt về nhận thức")
    assert part_ii[3:7] == [
        "Đơn vị chủ trì: Văn phòng Sở",
        "Đơn vị phối hợp thực hiện: Các phòng, ban, đơn vị thuộc Sở",
        "Đơn vị giám sát: Phòng QLVH, KHTC, TCPC, Thanh tra Sở",
        "Thời gian: Từ tháng 6/2023",
    ]
    seed = read_document((SEEDS / "kh-435-svhtt-hanoi-2023.txt").read_bytes(), "kh-435.txt")
    assert part_ii == between(seed, "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN")
    headings = [
        block for block in document.blocks if isinstance(block, Paragraph) and block.text.startswith("II.")
    ]
    assert headings[0].bold
    first_block = document.blocks[0]
    assert isinstance(first_block, Table) and first_block.rows[1][0] == "Số: 435/KH-SVHTT"  # the header block


@needs_samples
def test_kh435_docx_and_text_dump_give_the_same_appendix() -> None:
    document = read_document((SAMPLES / "kh-435-svhtt-hanoi-2023.docx").read_bytes(), "kh-435.docx")
    seed = read_document((SEEDS / "kh-435-svhtt-hanoi-2023.txt").read_bytes(), "kh-435.txt")
    from_docx, from_text = tables(document)[-1], tables(seed)[-1]
    assert from_text.rows[0] == KH435_HEADER
    assert [row[:4] for row in unmerged(from_docx.rows)] == [row[:4] for row in from_text.rows]
    assert from_text.rows[2][:3] == ["", "", ""]  # blank, not merged, in a text dump


@needs_samples
def test_kh164_appendices_keep_row_5_sub_items_and_the_dimension_merges() -> None:
    document = read_document((SAMPLES / "kh-164-ubnd-hanoi-2022.docx").read_bytes(), "kh-164.docx")
    first = table_after(document, "PHỤ LỤC 1")
    assert first.rows[0] == ["TT", "Nhiệm vụ", "Chủ trì", "Tiến độ"]
    assert all(len(row) == 4 for row in first.rows)
    row5 = first.rows[5]
    assert (
        row5[0] == "5" and row5[1].startswith("Lập Báo cáo phân tích sâu") and row5[3] == "Trong tháng 6/2022"
    )
    sub_items = first.rows[6:15]
    assert all(row[0] == UP and row[3] == UP for row in sub_items)
    assert sub_items[0][2] == "Sở Nội vụ" and sub_items[1][2] == UP and sub_items[2][2] == "Sở Tài chính"
    assert first.rows[15][:2] == ["6", "Kết hợp kiểm tra thực hiện Kế hoạch với kiểm tra Cải cách hành chính"]
    second = table_after(document, "PHỤ LỤC 2")
    assert len(second.rows) == 33 and second.rows[0][0] == "TT"
    assert second.rows[1][:2] == ["1", "Tham gia của người dân ở cấp cơ sở"] and second.rows[2][:2] == [
        UP,
        UP,
    ]
    seed = read_document((SEEDS / "kh-164-ubnd-hanoi-2022.txt").read_bytes(), "kh-164.txt")
    assert unmerged(second.rows) == table_after(seed, "PHỤ LỤC 2").rows
    part_ii = between(document, "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN")
    assert part_ii == between(seed, "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN")


@needs_samples
@pytest.mark.parametrize("seed", sorted(path.name for path in SEEDS.glob("*.txt")) if SEEDS.is_dir() else [])
def test_every_seed_reads(seed: str) -> None:
    document = read_document((SEEDS / seed).read_bytes(), seed)
    assert document.name == seed
    assert any("KẾ HOẠCH" in text for text in texts(document))
    for table in tables(document):
        assert len({len(row) for row in table.rows}) == 1
        assert not any("<ul" in cell or set(cell) <= {"-"} and cell for row in table.rows for cell in row)


@needs_samples
def test_text_dump_tables_keep_continuation_rows_blank_and_strip_html() -> None:
    seed = read_document((SEEDS / "kh-435-svhtt-hanoi-2023.txt").read_bytes(), "kh-435.txt")
    appendix = tables(seed)[-1]
    assert len(appendix.rows) == 12  # blank lines between rows and the "---" separator line do not count
    assert appendix.rows[-1][6] == "- Văn phòng Sở - Các phòng, ban, đơn vị có thủ tục hành chính"
    assert UP not in {cell for row in appendix.rows for cell in row}
    signature = [block for block in seed.blocks if isinstance(block, Paragraph) and block.text == "GIÁM ĐỐC"]
    assert signature and signature[0].bold
    kh164 = read_document((SEEDS / "kh-164-ubnd-hanoi-2022.txt").read_bytes(), "kh-164.txt")
    signing = [block for block in kh164.blocks if isinstance(block, Paragraph) and "CHỦ TỊCH" in block.text]
    assert [(block.text, block.bold) for block in signing] == [("KT. CHỦ TỊCH", True), ("PHÓ CHỦ TỊCH", True)]


# --- text, markdown, csv -----------------------------------------------------------------------------------------


def test_text_paragraphs_and_tab_tables() -> None:
    text = (
        "KẾ HOẠCH\n\nI. MỤC ĐÍCH\r\n- Tuyên truyền\n"
        "TT\tNhiệm vụ\tChủ trì\n1\tNiêm yết\tVăn phòng Sở\n\n\tCập nhật\t\n---\t---\t---\n"
        "Nơi nhận:\n"
    )
    document = read_document(text.encode("utf-8"), "plan.txt")
    assert texts(document) == ["KẾ HOẠCH", "I. MỤC ĐÍCH", "- Tuyên truyền", "Nơi nhận:"]
    assert tables(document)[0].rows == [
        ["TT", "Nhiệm vụ", "Chủ trì"],
        ["1", "Niêm yết", "Văn phòng Sở"],
        ["", "Cập nhật", ""],
    ]
    assert isinstance(document.blocks[3], Table)  # in place, between the bullet and "Nơi nhận"


def test_markdown_headings_pipe_tables_and_bold() -> None:
    text = (
        "# Kế hoạch 435/KH-SVHTT\n\n## II. NỘI DUNG\n\n**1. Công tác tuyên truyền**\n\n"
        "Một câu có **nhấn mạnh** ở giữa.\n\n"
        "| TT | Nhiệm vụ | Đơn vị |\n|---|:---|---:|\n| 1 | Niêm yết | - Văn phòng Sở<br>- Thanh tra Sở |\n"
        "| | Báo cáo \\| tổng hợp | |\n\n---\n"
    )
    document = read_document(text.encode("utf-8-sig"), "plan.md")
    assert document.blocks[0] == Paragraph("Kế hoạch 435/KH-SVHTT", style="Heading 1")
    assert document.blocks[1] == Paragraph("II. NỘI DUNG", style="Heading 2")
    assert document.blocks[2] == Paragraph("1. Công tác tuyên truyền", bold=True)
    assert document.blocks[3] == Paragraph("Một câu có nhấn mạnh ở giữa.")
    assert document.blocks[4] == Table(
        rows=[
            ["TT", "Nhiệm vụ", "Đơn vị"],
            ["1", "Niêm yết", "- Văn phòng Sở\n- Thanh tra Sở"],
            ["", "Báo cáo | tổng hợp", ""],
        ]
    )
    assert len(document.blocks) == 5


def test_text_in_windows_1258_and_nfd_is_normalised() -> None:
    decomposed = "Ke\u0302\u0301 hoa\u0323ch"  # "Kế hoạch" typed with combining marks
    assert texts(read_document(decomposed.encode("utf-8"), "a.txt")) == ["Kế hoạch"]
    assert texts(read_document(cp1258("Văn phòng Sở"), "a.txt")) == ["Văn phòng Sở"]


ROWS = [
    ["TT", "Nhiệm vụ", "Chủ trì"],
    ["1", "Tuyên truyền, phổ biến; quán triệt", "Văn phòng Sở"],
    ["", "Báo cáo", ""],
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258", "utf-16"])
def test_csv_delimiters_and_encodings(delimiter: str, encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(ROWS)
    text = buffer.getvalue()
    document = read_document(cp1258(text) if encoding == "cp1258" else text.encode(encoding), "plan.csv")
    assert document.blocks == [Table(rows=ROWS)]


def test_csv_excel_separator_hint_quoted_line_breaks_and_ragged_rows() -> None:
    content = 'sep=;\nTT;Đơn vị\n1;"- Văn phòng Sở\n- Thanh tra Sở";ghi chú\n\n2\n'.encode()
    assert read_document(content, "plan.CSV").blocks == [
        Table(
            rows=[
                ["TT", "Đơn vị", ""],
                ["1", "- Văn phòng Sở\n- Thanh tra Sở", "ghi chú"],
                ["2", "", ""],
            ]
        )
    ]


def test_csv_in_windows_1252_falls_back() -> None:
    content = "Tên,Ghi chú\nCafé,x".encode("cp1252") + b"\x81"  # 0x81: neither UTF-8 nor Windows-1258
    document = read_document(content, "a.csv")
    assert tables(document)[0].rows[:1] == [["Tên", "Ghi chú"]]


# --- xlsx --------------------------------------------------------------------------------------------------------


def test_xlsx_sheet_title_rows_merges_numbers_and_dates() -> None:
    document = read_document(xlsx_file(), "plan.xlsx")
    assert document.blocks[0] == Paragraph("Phụ lục 1", style="Sheet")
    assert len(document.blocks) == 2  # the empty sheet and the hidden one are left out
    table = document.blocks[1]
    assert isinstance(table, Table)
    assert table.rows == [
        ["PHỤ LỤC NHIỆM VỤ NĂM 2023", LEFT, LEFT, LEFT, LEFT],  # title row stays; the blank row under it goes
        ["TT", "Chỉ số nội dung", "Nhiệm vụ", "Chủ trì", "Thời gian"],
        ["1", "Công khai, minh bạch", "Niêm yết TTHC", "Văn phòng Sở", "30/6/2023"],
        [UP, UP, "Cập nhật cổng TTĐT", "Văn phòng Sở", "31/12/2023"],
        ["2", "Quản trị điện tử", "Dịch vụ công trực tuyến", "Văn phòng Sở", "Thường xuyên"],
        ["3", "Tỷ lệ hồ sơ đúng hạn", "95%", "Văn phòng Sở", "1.5"],
    ]


def test_xlsx_block_merge_marks_first_column_above_and_the_rest_left() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [["a", "b", "c"], ["d", None, "e"], [None, None, "f"]]:
        sheet.append(row)
    sheet.merge_cells("A2:B3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = tables(read_document(buffer.getvalue(), "x.xlsx"))[0]
    assert table.rows == [["a", "b", "c"], ["d", LEFT, "e"], [UP, LEFT, "f"]]


def test_xlsx_without_any_value_is_empty() -> None:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    assert reason(buffer.getvalue(), "x.xlsx") == "empty"


# --- docx --------------------------------------------------------------------------------------------------------


def test_docx_blocks_in_document_order_with_styles_bold_and_merges() -> None:
    document = read_document(docx_file(), "plan.docx")
    assert document.name == "plan.docx"
    kinds = [type(block).__name__ for block in document.blocks]
    assert kinds == ["Paragraph"] * 4 + ["Table", "Paragraph", "Table", "Table", "Paragraph"]
    assert document.blocks[0] == Paragraph("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH", style="Heading 1", bold=True)
    assert document.blocks[1] == Paragraph("Căn cứ Kế hoạch số 157/KH-UBND", style="Normal", bold=False)
    assert document.blocks[2] == Paragraph("I. MỤC ĐÍCH, YÊU CẦU", style="Normal", bold=True)
    assert document.blocks[4] == Table(
        rows=[
            ["TT", "Chỉ số nội dung", "Nhiệm vụ", "Chủ trì"],
            ["1", "Công khai, minh bạch", "Niêm yết TTHC", "Văn phòng Sở"],
            [UP, UP, "Cập nhật cổng TTĐT", "- Văn phòng Sở\n- Các phòng, ban\n- Trung tâm Thông tin"],
            ["Nhiệm vụ khác", LEFT, LEFT, LEFT],
        ]
    )
    assert document.blocks[6] == Table(rows=[["Ghi chú", ""]])  # the outer table; its nested table follows
    assert document.blocks[7] == Table(rows=[["A", "B"], ["1", "2"]])
    assert document.blocks[8] == Paragraph("Nơi nhận:", style="Normal")


def test_docx_vertical_merge_under_a_horizontal_one_marks_the_covered_columns_left() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).text, table.cell(0, 2).text = "Nhóm", "x"
    table.cell(1, 2).text, table.cell(2, 0).text = "y", "z"
    table.cell(0, 0).merge(table.cell(1, 1))  # a 2x2 block
    rows = tables(read_document(docx_bytes(document), "m.docx"))[0].rows
    assert rows == [["Nhóm", LEFT, "x"], [UP, LEFT, "y"], ["z", "", ""]]


def test_docx_grid_before_and_short_rows_are_padded_to_the_grid() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "TT"
    table.cell(1, 1).text = "b"
    row = table.rows[1]._tr
    row.remove(row.tc_lst[0])  # the row now starts one grid column late
    row.insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/></w:trPr>'))
    row.remove(row.tc_lst[-1])  # and ends one early
    rows = tables(read_document(docx_bytes(document), "g.docx"))[0].rows
    assert rows == [["TT", "", ""], ["", "b", ""]]


def test_docx_single_cell_frame_is_unwrapped() -> None:
    document = docx.Document()
    frame = document.add_table(rows=1, cols=1).cell(0, 0)
    frame.text = "PHỤ LỤC"
    inner = frame.add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(1, 1).text = "TT", "Văn phòng Sở"
    blocks = read_document(docx_bytes(document), "f.docx").blocks
    assert blocks == [Paragraph("PHỤ LỤC", style="Normal"), Table(rows=[["TT", ""], ["", "Văn phòng Sở"]])]


def _add_list(document: docx.document.Document, levels: list[tuple[str, str]]) -> str:
    """A list definition with the given (numFmt, lvlText) per level; returns its numId."""
    numbering = document.part.numbering_part.element
    levels_xml = "".join(
        f'<w:lvl w:ilvl="{index}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for index, (fmt, text) in enumerate(levels)
    )
    numbering.insert(
        0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="77">{levels_xml}</w:abstractNum>')
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="77"><w:abstractNumId w:val="77"/></w:num>'))
    return "77"


def _numbered(document: docx.document.Document, text: str, num_id: str, level: int) -> None:
    paragraph = document.add_paragraph(text)
    properties = paragraph._p.get_or_add_pPr()
    properties.append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def test_docx_automatic_numbering_is_written_into_the_text() -> None:
    document = docx.Document()
    num_id = _add_list(
        document, [("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", "%3)"), ("bullet", "-")]
    )
    for text, level in [
        ("MỤC ĐÍCH", 0),
        ("Mục đích", 1),
        ("Yêu cầu", 1),
        ("NỘI DUNG", 0),
        ("Tuyên truyền", 1),
        ("Các Sở", 2),
        ("UBND quận", 2),
        ("Tăng cường", 3),
    ]:
        _numbered(document, text, num_id, level)
    document.add_paragraph("Tuyên truyền", style="List Bullet")
    assert texts(read_document(docx_bytes(document), "n.docx")) == [
        "I. MỤC ĐÍCH",
        "1. Mục đích",
        "2. Yêu cầu",
        "II. NỘI DUNG",
        "1. Tuyên truyền",
        "a) Các Sở",
        "b) UBND quận",
        "- Tăng cường",
        "• Tuyên truyền",
    ]


def test_docx_runs_inside_hyperlinks_smart_tags_and_insertions_count_deleted_and_hidden_do_not() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Hà ")
    w = nsdecls("w")
    for xml in [
        f'<w:smartTag {w} w:element="place"><w:r><w:t>Nội</w:t></w:r></w:smartTag>',
        f'<w:ins {w} w:id="1" w:author="a"><w:r><w:t xml:space="preserve">, ngày</w:t></w:r></w:ins>',
        f'<w:del {w} w:id="2" w:author="a"><w:r><w:delText>XÓA</w:delText></w:r></w:del>',
        f"<w:r {w}><w:rPr><w:vanish/></w:rPr><w:t>ẨN</w:t></w:r>",
        f"<w:r {w}><w:br/><w:t>14/6/2023</w:t></w:r>",
    ]:
        paragraph._p.append(parse_xml(xml))
    assert texts(read_document(docx_bytes(document), "r.docx")) == ["Hà Nội, ngày\n14/6/2023"]


def test_macro_enabled_word_file_reads_like_a_docx() -> None:
    source = zipfile.ZipFile(io.BytesIO(docx_file()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"
                )
            archive.writestr(item, data)
    assert texts(read_document(buffer.getvalue(), "plan.dotx"))[0] == "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH"


def test_docx_whose_body_has_no_text_is_empty() -> None:
    document = docx.Document()
    document.add_paragraph("")
    document.add_table(rows=2, cols=2)
    assert reason(docx_bytes(document), "blank.docx") == "empty"


# --- pdf ---------------------------------------------------------------------------------------------------------

WIDTHS = [40.0, 150.0, 120.0]


def plan_pdf_page() -> PdfPage:
    page = PdfPage()
    page.text(290, 815, "1")  # page number at the top
    page.text(72, 780, "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH", bold=True)
    page.text(72, 760, "I. MỤC ĐÍCH, YÊU CẦU", bold=True)
    page.text(72, 740, "- Tiếp tục nâng cao hiệu quả hoạt động của các cấp chính quyền Thành phố, nâng cao")
    page.text(72, 727, "chất lượng phục vụ nhân dân.")
    page.text(72, 707, "Đơn vị chủ trì: Văn phòng Sở")
    page.text(72, 694, "Thời gian: Trong năm 2023")
    rows: list[list[str | None]] = [
        ["TT", "Nhiệm vụ", "Chủ trì"],
        ["1", "Niêm yết TTHC", "Văn phòng Sở"],
        [None, "Cập nhật cổng", "Thanh tra Sở"],
        ["2", "Tổng hợp báo cáo", None],
    ]
    page.grid(72, 670, WIDTHS, 20, rows, skip={("h", 1, 0), ("v", 3, 2)})  # TT 1 over two rows; row 2 spans
    page.text(72, 560, "III. TỔ CHỨC THỰC HIỆN", bold=True)
    return page


def test_pdf_paragraphs_and_a_ruled_table_with_merges_in_page_order() -> None:
    document = read_document(pdf_file([plan_pdf_page()]), "plan.pdf")
    assert document.blocks == [
        Paragraph("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH", bold=True),
        Paragraph("I. MỤC ĐÍCH, YÊU CẦU", bold=True),
        Paragraph(
            "- Tiếp tục nâng cao hiệu quả hoạt động của các cấp chính quyền Thành phố, nâng cao "
            "chất lượng phục vụ nhân dân."
        ),
        Paragraph("Đơn vị chủ trì: Văn phòng Sở"),
        Paragraph("Thời gian: Trong năm 2023"),
        Table(
            rows=[
                ["TT", "Nhiệm vụ", "Chủ trì"],
                ["1", "Niêm yết TTHC", "Văn phòng Sở"],
                [UP, "Cập nhật cổng", "Thanh tra Sở"],
                ["2", "Tổng hợp báo cáo", LEFT],
            ]
        ),
        Paragraph("III. TỔ CHỨC THỰC HIỆN", bold=True),
    ]


def test_pdf_table_continued_on_the_next_page_is_joined_without_its_repeated_header() -> None:
    first = PdfPage().text(72, 780, "PHỤ LỤC")
    first.grid(72, 200, WIDTHS, 20, [["TT", "Nhiệm vụ", "Chủ trì"], ["1", "Niêm yết", "Văn phòng Sở"]])
    second = PdfPage().text(290, 815, "- 2 -")
    second.grid(72, 800, WIDTHS, 20, [["TT", "Nhiệm vụ", "Chủ trì"], ["2", "Báo cáo", "Thanh tra Sở"]])
    second.text(72, 700, "Nơi nhận:")
    document = read_document(pdf_file([first, second]), "two.pdf")
    assert document.blocks == [
        Paragraph("PHỤ LỤC"),
        Table(
            rows=[
                ["TT", "Nhiệm vụ", "Chủ trì"],
                ["1", "Niêm yết", "Văn phòng Sở"],
                ["2", "Báo cáo", "Thanh tra Sở"],
            ]
        ),
        Paragraph("Nơi nhận:"),
    ]


def test_pdf_with_only_an_image_is_scanned() -> None:
    scan = pdf_file([PdfPage(images=[(50, 50, 495, 742)]), PdfPage(images=[(50, 50, 495, 742)])])
    assert reason(scan, "scan.pdf") == "scanned"


def test_pdf_with_a_user_password_is_encrypted() -> None:
    assert reason(pdf_file([plan_pdf_page()], encrypted=True), "secret.pdf") == "encrypted"


# --- dispatch and broken files -----------------------------------------------------------------------------------


def test_read_document_is_plain_sync_code() -> None:
    assert not inspect.iscoroutinefunction(read_document)
    assert MAX_DOCUMENT_BYTES == 25 * 1024 * 1024


@pytest.mark.parametrize("name", ["plan.docx", "plan.xlsx", "plan.pdf", "plan.csv", "plan.txt"])
def test_empty_bytes_are_empty(name: str) -> None:
    assert reason(b"", name) == "empty"
    assert reason(b"  \r\n\t ", name) == "empty"


def test_thirty_megabytes_is_too_big_before_any_parsing() -> None:
    assert reason(b"\x00" * (30 * 1024 * 1024), "huge.docx") == "too_big"
    assert reason(b"a" * (MAX_DOCUMENT_BYTES + 1), "huge.txt") == "too_big"


def test_a_zip_bomb_is_too_big(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_UNPACKED_BYTES", 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (2 * 1024 * 1024))
    assert len(buffer.getvalue()) < 10_000
    assert reason(buffer.getvalue(), "bomb.docx") == "too_big"


@pytest.mark.parametrize("name", ["plan.docx", "plan.xlsx"])
def test_office_file_that_is_not_a_zip_is_corrupt(name: str) -> None:
    assert reason(b"this is not a zip archive at all", name) == "corrupt"
    assert reason(b"PK\x03\x04" + b"\x13" * 200, name) == "corrupt"


def test_zip_without_a_word_or_excel_document_is_corrupt() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert reason(buffer.getvalue(), "plan.docx") == "corrupt"


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.95])
def test_truncated_docx_and_xlsx_are_corrupt(fraction: float) -> None:
    for content, name in [(docx_file(), "cut.docx"), (xlsx_file(), "cut.xlsx")]:
        assert reason(content[: int(len(content) * fraction)], name) == "corrupt"


def test_docx_with_a_broken_document_part_is_corrupt() -> None:
    source = zipfile.ZipFile(io.BytesIO(docx_file()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            archive.writestr(item, data[: len(data) // 2] if item.filename == "word/document.xml" else data)
    assert reason(buffer.getvalue(), "half.docx") == "corrupt"


@pytest.mark.parametrize("name", ["secret.docx", "secret.xlsx", "secret.csv"])
def test_password_protected_office_files_are_encrypted(name: str) -> None:
    assert reason(encrypted_office_file(), name) == "encrypted"


def test_legacy_word_and_unknown_extensions_are_format() -> None:
    legacy = encrypted_office_file()[:512] + "WordDocument".encode("utf-16-le") + b"\x00" * 512
    assert reason(legacy, "old.docx") == "format"
    assert reason(legacy, "old.doc") == "format"
    assert reason(b"MZ\x90\x00", "virus.exe") == "format"
    assert reason(b"Some text", "slides.pptx") == "format"


def test_pdf_that_is_not_a_pdf_or_is_truncated_is_corrupt() -> None:
    assert reason(b"<html>not a pdf</html>", "plan.pdf") == "corrupt"
    content = pdf_file([plan_pdf_page()])
    assert reason(content[: len(content) // 2], "cut.pdf") == "corrupt"


def test_content_wins_over_a_misleading_extension() -> None:
    assert tables(read_document(docx_file(), "plan.xlsx"))  # a Word file saved with the wrong name
    assert texts(read_document(docx_file(), "plan"))[0] == "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH"
    assert texts(read_document(pdf_file([plan_pdf_page()]), "plan.txt"))[0] == "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH"


def test_binary_garbage_in_a_text_file_is_corrupt() -> None:
    assert reason(b"\x01\x02\x00\x00\x03abc\x00\x00\x00\x04" * 10, "plan.txt") == "corrupt"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=10_000),
    flip=st.integers(min_value=0, max_value=10_000),
    name=st.sampled_from(["a.docx", "a.xlsx", "a.pdf", "a.csv", "a.md", "a"]),
)
def test_damaged_files_only_ever_raise_unreadable_document(cut: int, flip: int, name: str) -> None:
    source = {"a.docx": DOCX, "a.xlsx": XLSX, "a.pdf": PDF}.get(name, DOCX)
    data = bytearray(source[: max(1, len(source) - cut)])
    data[flip % len(data)] ^= 0xFF
    try:
        document = read_document(bytes(data), name)
    except UnreadableDocument as error:
        assert error.reason in {"empty", "corrupt", "too_big", "encrypted", "scanned", "format"}
    else:
        assert isinstance(document, Document)


DOCX, XLSX, PDF = docx_file(), xlsx_file(), pdf_file([plan_pdf_page()])


def test_docx_text_boxes_are_read_once_after_their_anchor_paragraph() -> None:
    document = docx.Document()
    anchor = document.add_paragraph("KẾ HOẠCH")
    box = "<w:txbxContent><w:p><w:r><w:t>Số: 435/KH-SVHTT</w:t></w:r></w:p></w:txbxContent>"
    namespaces = (
        f'{nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"'
    )
    anchor._p.append(
        parse_xml(
            f"<w:r {namespaces}><mc:AlternateContent>"
            f'<mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>'
            f"<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>"
            "</mc:AlternateContent></w:r>"
        )
    )
    document.add_paragraph("Nơi nhận:")
    assert texts(read_document(docx_bytes(document), "box.docx")) == [
        "KẾ HOẠCH",
        "Số: 435/KH-SVHTT",
        "Nơi nhận:",
    ]


def test_xlsx_stray_far_formatted_cell_stays_cheap() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["TT", "Nhiệm vụ"])
    sheet.append([1, "Niêm yết"])
    sheet.cell(row=1_000_000, column=300).number_format = "0.00"  # formatted, empty
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert tables(read_document(buffer.getvalue(), "x.xlsx"))[0].rows == [
        ["TT", "Nhiệm vụ"],
        ["1", "Niêm yết"],
    ]
