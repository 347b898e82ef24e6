"""`extract_plan`: the three seed plans read into the tasks a chief of office would follow up.

Until the readers are used, documents are built from the seed .txt files the way the text reader does:
a paragraph per non-empty line, consecutive tab-separated lines as table rows (blank cells ""). The KH 435
expectation is also checked against the colleague's hand transcription in `bot/demo_data.py`. When the readers
are importable, the .docx samples (real merged cells) must give the same task lists.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest

from bot import demo_data
from bot.importing.blocks import MERGED_FROM_ABOVE as UP
from bot.importing.blocks import MERGED_FROM_LEFT as LEFT
from bot.importing.blocks import Document, Paragraph, Table
from bot.importing.draft import ALL_UNITS as ALL
from bot.importing.draft import DraftPlan, DraftTask, UnreadableDocument
from bot.importing.extract import extract_plan
from bot.importing.extract.reporting import periods
from bot.importing.preview import ImportPreview, build_preview
from bot.importing.extract.units import is_all_units, is_unit_group, same_unit, split_units

SHARED = Path("/work/shared")
SEEDS = SHARED / "seeds"
SAMPLES = SHARED / "samples"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds not present")
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not present")


def seed_document(name: str) -> Document:
    """A seed .txt as the text reader hands it over: paragraphs, and tab-separated lines as table rows."""
    blocks: list[Paragraph | Table] = []
    rows: list[list[str]] = []
    for line in (SEEDS / name).read_text(encoding="utf-8").split("\n"):
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        if rows:
            blocks.append(Table(rows=rows))
            rows = []
        if line.strip():
            blocks.append(Paragraph(text=line.strip()))
    if rows:
        blocks.append(Table(rows=rows))
    return Document(blocks=blocks, name=name)


class E(NamedTuple):
    """An expected task; a title ending in "…" is a prefix (at least 60 characters) of the real one."""

    code: str
    title: str
    lead: tuple[str, ...]
    coordinate: tuple[str, ...]
    supervise: tuple[str, ...]
    deadline_text: str | None
    area: str | None
    component: str | None
    flags: tuple[str, ...]


def assert_tasks(tasks: list[DraftTask], expected: list[E]) -> None:
    assert [t.code for t in tasks] == [e.code for e in expected]
    for task, want in zip(tasks, expected, strict=True):
        if want.title.endswith("…"):
            assert len(want.title) > 60, want.code
            assert task.title.startswith(want.title[:-1]), (want.code, task.title)
        else:
            assert task.title == want.title, want.code
        got = E(task.code, want.title, tuple(task.lead), tuple(task.coordinate), tuple(task.supervise),
                task.deadline_text, task.area, task.component, tuple(task.flags))  # fmt: skip
        assert got == want
        assert unicodedata.is_normalized("NFC", task.title)
        assert task.source


VP = "Văn phòng Sở"
TTRA = "Thanh tra Sở"
TTTL = "Trung tâm Thông tin triển lãm"
SNV = "Sở Nội vụ"
STC = "Sở Tài chính"
STNMT = "Sở Tài nguyên và Môi trường"
STTTT = "Sở Thông tin và Truyền thông"
SYT = "Sở Y tế"
TTRA_TP = "Thanh tra Thành phố"
VP_UBND = "Văn phòng UBND Thành phố"
UBND_QH = "UBND các quận, huyện thị xã"
Y2022 = "Trong năm 2022"
Y2023 = "Trong năm 2023"
THUONG_XUYEN = "Thường xuyên"
THEO_QD = "Theo quy định"
TCTH = "Tổ chức thực hiện"
NO_DL = ("no_deadline",)
NO_BOTH = ("no_lead", "no_deadline")
# areas: PAPI dimensions (named as DOMAIN.md does), prose headings, reform areas
CKMB = "Công khai, minh bạch"
GIAI_TRINH = "Trách nhiệm giải trình với người dân"
KSTN = "Kiểm soát tham nhũng trong khu vực công"
QTDT = "Quản trị điện tử"
THAM_GIA = "Tham gia của người dân ở cấp cơ sở"
TTHC_CONG = "Thủ tục hành chính công"
DVC = "Cung ứng dịch vụ công"
QTMT = "Quản trị môi trường"
TUYEN_TRUYEN = "Công tác tuyên truyền, quán triệt"
THANH_TRA = "Công tác thanh tra, kiểm tra"
CNTT = "Tiếp cận công nghệ thông tin điện tử của Sở Văn hóa và Thể thao Hà Nội"
CHI_DAO = "Công tác chỉ đạo, điều hành, thông tin, tuyên truyền và kiểm tra cải cách hành chính"
THE_CHE = "Cải cách thể chế"
TTHC = "Cải cách thủ tục hành chính"
BO_MAY = "Cải cách tổ chức bộ máy hành chính"
CONG_VU = "Cải cách chế độ công vụ"
TAI_CHINH = "Cải cách tài chính, tài sản công"
CQ_SO = "Xây dựng và phát triển chính quyền điện tử; chính quyền số"
II3_LEAD = ("Phòng Tổ chức - Pháp chế", TTRA, VP)
ROW5 = (
    "Lập Báo cáo phân tích sâu về kết quả, chỉ rõ nguyên nhân và tham mưu biện pháp khắc phục đối với các chỉ "
    "số nội dung và nội dung thành phần bị giảm điểm so với năm 2020 hoặc đang ở nhóm thấp nhất"
)

# fmt: off
# ---------------------------------------------------------------------------------------------- KH 435
# Part II items with their unit blocks, the part III reporting duty, the appendix (11 rows).
KH435 = [
    E('II.1.a', 'Quán triệt về nhận thức trong các cấp lãnh đạo thuộc Sở về ý nghĩa, bả…', (VP,), (ALL,), ('Phòng QLVH', 'KHTC', 'TCPC', TTRA), 'Từ tháng 6/2023', TUYEN_TRUYEN, None, ()),
    E('II.1.b', 'Tuyên truyền tới người dân về những nỗ lực của các cấp, các ngành, các…', (VP, 'phòng QLVH', TTTL), (ALL,), (), Y2023, TUYEN_TRUYEN, None, ()),
    E('II.2', 'Bám sát nội dung, nhiệm vụ tại Kế hoạch số 179/KH-UBND ngày 04/8/2021…', ('Các phòng, đơn vị có TTHC',), (ALL,), ('Văn phòng', 'KHTC', 'TCPC', TTRA), Y2023, None, None, ()),
    E('II.3', 'Tăng cường kiểm tra đột xuất, chỉ đạo hoặc kiến nghị khắc phục các tồn…', II3_LEAD, (ALL,), (), Y2023, THANH_TRA, None, ()),
    E('II.3.a', 'Chủ động phối hợp các đơn vị đề đề xuất lồng ghép phù hợp với nội dung…', II3_LEAD, (ALL,), (), Y2023, THANH_TRA, None, ()),
    E('II.3.b', 'Sử dụng kết quả kiểm tra và đưa nội dung thực hiện Kế hoạch vào tiêu c…', II3_LEAD, (ALL,), (), Y2023, THANH_TRA, None, ()),
    E('II.3.c', 'Thành lập Tổ kiểm soát TTHC, Tổ kiểm soát các kết luận của Thành ủy, H…', II3_LEAD, (ALL,), (), Y2023, THANH_TRA, None, ()),
    E('II.4', 'Các phòng, ban, đơn vị tăng cường tự kiểm tra đối với đơn vị mình, chấ…', (ALL,), (), (), Y2023, None, None, ()),
    E('II.5', 'Công tác tổ chức tập huấn, chế độ thông tin, báo cáo định kỳ theo tiến…', (VP,), (ALL,), (), Y2023, None, None, ()),
    E('III.7.f', 'Báo cáo Sở Văn hóa và Thể thao Hà Nội về kết quả thực hiện kế hoạch về…', (ALL,), (), (), 'trước ngày 20/10/2023', TCTH, None, ()),
    E('PL1.1.a', 'Thực hiện các quy định về công khai thông tin theo quy định tại Pháp l…', (VP,), (ALL,), (), THEO_QD, CKMB, 'Tiếp cận thông tin', ()),
    E('PL1.1.b', 'Thực hiện tốt quy định về tiếp dân thường xuyên, lịch tiếp dân, cơ sở vật chất,...', (VP,), (ALL,), (), THEO_QD, CKMB, 'Tiếp cận thông tin', ()),
    E('PL1.2.a', 'Thực hiện nghiêm các kết luận, kiến nghị, quyết định xử lý về thanh tr…', (TTRA,), (ALL,), (), THEO_QD, GIAI_TRINH, 'Giải quyết khiếu nại, tố cáo, khúc mắc', ()),
    E('PL1.2.b', 'Thực hiện tốt công tác tiếp công dân', (TTRA,), (ALL,), (), THUONG_XUYEN, GIAI_TRINH, 'Giải quyết khiếu nại, tố cáo, khúc mắc', ()),
    E('PL1.3.a', 'Kiểm tra việc thực hiện kết luận các cuộc thanh tra, kiểm tra trước đây', (TTRA,), (ALL,), (), THUONG_XUYEN, KSTN, 'Kiểm soát tham nhũng trong chính quyền địa phương', ()),
    E('PL1.3.b', 'Công khai minh bạch các bước theo quy định trong tuyển dụng Kết hợp ki…', ('Phòng Tổ chức Pháp chế',), (ALL,), (), THEO_QD, KSTN, 'Công bằng trong tuyển dụng vào khu vực công', ()),
    E('PL1.3.c', 'Tăng cường tuyên truyền tới người dân về những nỗ lực của chính quyền…', (TTRA,), (TTTL, ALL), (), THUONG_XUYEN, KSTN, 'Quyết tâm chống tham nhũng của chính quyền địa phương', ()),
    E('PL1.4.a', 'Nâng cao chất lượng, đổi mới giao diện theo hướng thân thiện, dễ tiếp…', (VP,), (TTTL, ALL), (), THUONG_XUYEN, QTDT, CNTT, ()),
    E('PL1.4.b', 'Nâng cao chất lượng phục vụ, tăng cường các tiện ích và có giải pháp h…', (VP,), (ALL,), (), THUONG_XUYEN, QTDT, CNTT, ()),
    E('PL1.4.c', 'Tiếp nhận đầy đủ ý kiến, câu hỏi, yêu cầu của người dân trên cổng TTĐT, phản hồi kịp thời', (VP,), (TTTL, ALL), (), Y2023, QTDT, 'Phản hồi của cơ quan đối với câu hỏi, yêu cầu gửi trên cổng TTĐT', NO_DL),
    E('PL1.5', 'Thực hiện tốt cơ chế một cửa, một cửa liên thông trong giải quyết thủ…', (VP,), ('Các phòng, ban, đơn vị có thủ tục hành chính',), (), Y2023, TTHC_CONG, 'Các thủ tục hành chính thuộc thẩm quyền quản lý của Sở văn hóa và Thể thao', NO_DL),
]

# ---------------------------------------------------------------------------------------------- KH 164
# Part II without units (the follow-up office leads), the reporting regime, Phụ lục 1 (row 5 split per sub-item)
# and Phụ lục 2 (one PAPI component per row, its lead merged down).
KH164 = [
    E('II.1', 'Quán triệt về nhận thức trong các cấp lãnh đạo từ Thành phố đến cơ sở…', (SNV,), (), (), Y2022, None, None, NO_BOTH),
    E('II.2', 'Bám sát nội dung, nhiệm vụ tại Kế hoạch số 179/KH-UBND ngày 04/8/2021…', (SNV,), (), (), Y2022, None, None, NO_BOTH),
    E('II.2.a', 'Các Sở, cơ quan tương đương Sở được Thành phố giao trách nhiệm chủ trì…', ('Các Sở, cơ quan tương đương Sở',), (), (), Y2022, None, None, NO_DL),
    E('II.2.b.1', 'Tăng cường tuyên truyền tới người dân, từng khu dân cư, tổ dân phố về…', (UBND_QH,), (), (), Y2022, None, None, NO_DL),
    E('II.2.b.2', 'Thực hiện đầy đủ trách nhiệm của chính quyền về xây dựng và thực hiện…', (UBND_QH,), (), (), Y2022, None, None, NO_DL),
    E('II.2.b.3', 'Thực hiện đầy đủ, trách nhiệm các quy định về công khai minh bạch; trá…', (UBND_QH,), (), (), Y2022, None, None, NO_DL),
    E('II.2.b.4', 'Phối hợp, đối ứng trách nhiệm với các ngành chức năng, các đơn vị, tổ…', (UBND_QH,), (), (), Y2022, None, None, NO_DL),
    E('II.3', 'Các cơ quan, đơn vị thuộc Thành phố tăng cường hơn nữa hiệu quả hoạt đ…', (SNV,), (), (), Y2022, None, None, NO_BOTH),
    E('II.3.a', 'Linh hoạt trong hình thức kiểm tra, thời gian kiểm tra, phương thức ki…', (SNV,), (), (), Y2022, None, None, NO_BOTH),
    E('II.3.b', 'Kiểm tra đi đôi với việc hướng dẫn chuyên môn; chấn chỉnh kịp thời các…', (SNV,), (), (), Y2022, None, None, NO_BOTH),
    E('II.4', 'Chính quyền các cấp chủ động phối hợp với Mặt trận Tổ quốc và các tổ c…', (SNV,), (), (), Y2022, None, None, NO_BOTH),
    E('III.1.b.1', 'Định kỳ báo cáo UBND Thành phố (qua Sở Nội vụ tổng hợp, email: phongcc…', (ALL,), (), (), 'Định kỳ hàng quý', TCTH, None, ()),
    E('III.1.b.2', 'Định kỳ báo cáo UBND Thành phố (qua Sở Nội vụ tổng hợp, email: phongcc…', (ALL,), (), (), 'Định kỳ hàng năm', TCTH, None, ()),
    E('PL1.1', 'Hội nghị triển khai các giải pháp cải thiện, nâng cao Chỉ số PAPI của Thành phố năm 2022.', ('UBND TP',), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.2', 'Hội nghị chuyên đề về công tác triển khai thực hiện Kế hoạch khắc phục…', (SNV,), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.3', 'Hội nghị quán triệt, phổ biến đến Chủ tịch UBND các xã, phường, thị tr…', (SNV,), (), (), 'Trong tháng 7/2022', None, None, ()),
    E('PL1.4', 'Tổ chức Đoàn công tác đi nghiên cứu, trao đổi kinh nghiệm của một số t…', (SNV,), (), (), 'Từ 6/2022 đến 12/2022', None, None, ()),
    E('PL1.5.a', f"{ROW5}: “Chất lượng bầu cử trường thôn/tổ trường dân phố”.", (SNV,), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.5.b', f"{ROW5}: “Mức độ và hiệu quả tương tác với chính quyền”", (SNV,), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.5.c', f"{ROW5}: “Đóng góp tự nguyện”", (STC,), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.5.d', f"{ROW5}: “Giải quyết khiếu nại, tố cáo, khúc mắc của người dân”", (TTRA_TP,), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.5.e', f"{ROW5}: “Tiếp cận dịch vụ tư pháp”", ('Sở Tư pháp',), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.5.f', f"{ROW5}: “Thủ tục hành chính liên quan Giấy chứng nhận quyền sử dụng đất”.", (STNMT,), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.5.g', f"{ROW5}: “Nghiêm túc trong bảo vệ môi trường”", (STNMT,), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.5.h', f"{ROW5}: “Chất lượng không khí”", (STNMT,), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.5.i', f"{ROW5}: “Chất lượng nước”", (STNMT,), (), (), 'Trong tháng 6/2022', None, None, ()),
    E('PL1.6', 'Kết hợp kiểm tra thực hiện Kế hoạch với kiểm tra Cải cách hành chính', (SNV,), (), (), 'Từ 6/2022 đến 11/2022', None, None, ()),
    E('PL1.7', 'Kiểm tra đột xuất việc thực hiện Kế hoạch tại UBND cấp huyện, cấp xã', (SNV,), (), (), 'Từ 8/2022 đến 4/2023', None, None, ()),
    E('PL1.8', 'Kết hợp kiểm tra thực hiện Kế hoạch tại các sở, ngành với công tác kiể…', (SNV,), (), (), 'Trong tháng 10/2022', None, None, ()),
    E('PL1.9', 'Kiểm tra việc giải quyết, khắc phục, xử lý chậm muộn đối với các TTHC…', (VP_UBND,), (), (), 'Từ 6/2022 đến 11/2022', None, None, ()),
    E('PL2.1.a', 'Tri thức công dân', (STTTT,), (), (), Y2022, THAM_GIA, 'Tri thức công dân', NO_DL),
    E('PL2.1.b', 'Cơ hội tham gia', (SNV,), (), (), Y2022, THAM_GIA, 'Cơ hội tham gia', NO_DL),
    E('PL2.1.c', 'Chất lượng bầu cử trưởng thôn/tổ trưởng tổ dân phố', (SNV,), (), (), Y2022, THAM_GIA, 'Chất lượng bầu cử trưởng thôn/tổ trưởng tổ dân phố', NO_DL),
    E('PL2.1.d', 'Đóng góp tự nguyện', (STC,), (), (), Y2022, THAM_GIA, 'Đóng góp tự nguyện', NO_DL),
    E('PL2.2.a', 'Tiếp cận thông tin', (STTTT,), (), (), Y2022, CKMB, 'Tiếp cận thông tin', NO_DL),
    E('PL2.2.b', 'Công khai danh sách hộ nghèo', ('Sở Lao động, Thương binh và Xã hội',), (), (), Y2022, CKMB, 'Công khai danh sách hộ nghèo', NO_DL),
    E('PL2.2.c', 'Công khai thu, chi ngân sách cấp xã', (STC,), (), (), Y2022, CKMB, 'Công khai thu, chi ngân sách cấp xã', NO_DL),
    E('PL2.2.d', 'Quy hoạch, kế hoạch sử dụng đất; giá bồi thường thu hồi đất', (STNMT,), (), (), Y2022, CKMB, 'Quy hoạch, kế hoạch sử dụng đất; giá bồi thường thu hồi đất', NO_DL),
    E('PL2.3.a', 'Mức độ và hiệu quả trong tiếp xúc với chính quyền', (SNV,), (), (), Y2022, GIAI_TRINH, 'Mức độ và hiệu quả trong tiếp xúc với chính quyền', NO_DL),
    E('PL2.3.b', 'Giải đáp khiếu nại, tố cáo, khúc mắc của người dân', (TTRA_TP,), (), (), Y2022, GIAI_TRINH, 'Giải đáp khiếu nại, tố cáo, khúc mắc của người dân', NO_DL),
    E('PL2.3.c', 'Tiếp cận dịch vụ tư pháp', ('Sở Tư pháp',), (), (), Y2022, GIAI_TRINH, 'Tiếp cận dịch vụ tư pháp', NO_DL),
    E('PL2.4.a', 'Kiểm soát tham nhũng trong chính quyền địa phương', (TTRA_TP,), (), (), Y2022, KSTN, 'Kiểm soát tham nhũng trong chính quyền địa phương', NO_DL),
    E('PL2.4.b', 'Kiểm soát tham nhũng trong cung ứng dịch vụ y tế', (SYT,), (), (), Y2022, KSTN, 'Kiểm soát tham nhũng trong cung ứng dịch vụ y tế', NO_DL),
    E('PL2.4.c', 'Kiểm soát tham nhũng trong cung ứng dịch vụ công giáo dục bậc tiểu học', ('Sở Giáo dục',), (), (), Y2022, KSTN, 'Kiểm soát tham nhũng trong cung ứng dịch vụ công giáo dục bậc tiểu học', NO_DL),
    E('PL2.4.d', 'Công bằng trong tuyển dụng vào khu vực công', (SNV,), (), (), Y2022, KSTN, 'Công bằng trong tuyển dụng vào khu vực công', NO_DL),
    E('PL2.4.e', 'Quyết tâm phòng chống tham nhũng của chính quyền', (TTRA_TP,), (), (), Y2022, KSTN, 'Quyết tâm phòng chống tham nhũng của chính quyền', NO_DL),
    E('PL2.5.a', 'Chứng thực, xác nhận của chính quyền cấp xã', (VP_UBND,), (), (), Y2022, TTHC_CONG, 'Chứng thực, xác nhận của chính quyền cấp xã', NO_DL),
    E('PL2.5.b', 'Thủ tục liên quan đến giấy chứng nhận quyền sử dụng đất', (VP_UBND,), (), (), Y2022, TTHC_CONG, 'Thủ tục liên quan đến giấy chứng nhận quyền sử dụng đất', NO_DL),
    E('PL2.5.c', 'Việc giải quyết TTHC ở cấp xã', (VP_UBND,), (), (), Y2022, TTHC_CONG, 'Việc giải quyết TTHC ở cấp xã', NO_DL),
    E('PL2.6.a', 'Y tế công lập', (SYT,), (), (), Y2022, DVC, 'Y tế công lập', NO_DL),
    E('PL2.6.b', 'Giáo dục tiểu học công lập', ('Sở Giáo dục và Đào tạo',), (), (), Y2022, DVC, 'Giáo dục tiểu học công lập', NO_DL),
    E('PL2.6.c', 'Cơ sở hạ tầng căn bản (điện sinh hoạt)', ('Sở Công Thương',), (), (), Y2022, DVC, 'Cơ sở hạ tầng căn bản (điện sinh hoạt)', NO_DL),
    E('PL2.6.d', 'Cơ sở hạ tầng căn bản (giao thông nội đô)', ('Sở Giao thông vận tải',), (), (), Y2022, DVC, 'Cơ sở hạ tầng căn bản (giao thông nội đô)', NO_DL),
    E('PL2.6.e', 'Cơ sở hạ tầng căn bản (Thu gom rác thải)', ('Sở Xây dựng',), (), (), Y2022, DVC, 'Cơ sở hạ tầng căn bản (Thu gom rác thải)', NO_DL),
    E('PL2.6.f', 'Cơ sở hạ tầng căn bản (nước sạch sinh hoạt)', ('Sở Xây dựng',), (), (), Y2022, DVC, 'Cơ sở hạ tầng căn bản (nước sạch sinh hoạt)', NO_DL),
    E('PL2.6.g', 'An ninh, trật tự khu dân cư', ('Công an Thành phố',), (), (), Y2022, DVC, 'An ninh, trật tự khu dân cư', NO_DL),
    E('PL2.7.a', 'Nghiêm túc trong bảo vệ môi trường', (STNMT,), (), (), Y2022, QTMT, 'Nghiêm túc trong bảo vệ môi trường', NO_DL),
    E('PL2.7.b', 'Chất lượng không khí', (STNMT,), (), (), Y2022, QTMT, 'Chất lượng không khí', NO_DL),
    E('PL2.7.c', 'Chất lượng nước kênh, rạch, sông, suối', (STNMT,), (), (), Y2022, QTMT, 'Chất lượng nước kênh, rạch, sông, suối', NO_DL),
    E('PL2.8.a', 'Sử dụng cổng thông tin điện tử của chính quyền địa phương', (STTTT,), (), (), Y2022, QTDT, 'Sử dụng cổng thông tin điện tử của chính quyền địa phương', NO_DL),
    E('PL2.8.b', 'Tiếp cận và sử dụng Internet tại địa phương', (STTTT,), (), (), Y2022, QTDT, 'Tiếp cận và sử dụng Internet tại địa phương', NO_DL),
    E('PL2.8.c', 'Phúc đáp của chính quyền qua cổng TTĐT', (STTTT,), (), (), Y2022, QTDT, 'Phúc đáp của chính quyền qua cổng TTĐT', NO_DL),
]

# ---------------------------------------------------------------------------------------------- KH CCHC Lạng Sơn
# Reform areas; "a) Chỉ tiêu / Mục tiêu" are targets, not tasks; no units anywhere; one regime, three periods.
CCHC = [
    E('II.1.b.1', 'Ban hành các chương trình, kế hoạch, các văn bản chỉ đạo triển khai th…', (VP,), (), (), Y2023, CHI_DAO, None, NO_BOTH),
    E('II.1.b.2', 'Tăng cường công tác thông tin, tuyên truyền về CCHC; nâng cao nhận thứ…', (VP,), (), (), Y2023, CHI_DAO, None, NO_BOTH),
    E('II.1.b.3', 'Thực hiện kiểm tra trực tiếp về công tác CCHC trên 30% các phòng, đơn…', (VP,), (), (), Y2023, CHI_DAO, None, NO_BOTH),
    E('II.1.b.4', 'Nâng cao trách nhiệm của Lãnh đạo Sở trong thực hiện công tác CCHC; tă…', (VP,), (), (), Y2023, CHI_DAO, None, NO_BOTH),
    E('II.1.b.5', 'Chỉ đạo khắc phục đối với những nội dung còn hạn chế, bị đánh giá thấp…', (VP,), (), (), Y2023, CHI_DAO, None, NO_BOTH),
    E('II.2.b.1', 'Chủ động tham mưu trình HĐND, UBND tỉnh ban hành văn bản quy phạm pháp…', (VP,), (), (), Y2023, THE_CHE, None, NO_BOTH),
    E('II.2.b.2', 'Tham mưu UBND tỉnh Xây dựng, ban hành các cơ chế, chính sách, các văn…', (VP,), (), (), Y2023, THE_CHE, None, NO_BOTH),
    E('II.2.b.3', 'Tiếp tục xây dựng, từng bước hoàn thiện hệ thống VBQPPL thuộc phạm vi…', (VP,), (), (), Y2023, THE_CHE, None, NO_BOTH),
    E('II.2.b.4', 'Bảo đảm công khai và tạo thuận lợi cho công dân, tổ chức, doanh nghiệp…', (VP,), (), (), Y2023, THE_CHE, None, NO_BOTH),
    E('II.2.b.5', 'Đổi mới nâng cao chất lượng kiểm tra, rà soát, hệ thống văn bản QPPL t…', (VP,), (), (), Y2023, THE_CHE, None, NO_BOTH),
    E('II.2.b.6', 'Tăng cường theo dõi, thanh tra, kiểm tra việc thực hiện trách nhiệm qu…', (VP,), (), (), Y2023, THE_CHE, None, NO_BOTH),
    E('II.3.b.1', 'Tiếp tục triển khai thực hiện các nội dung Đề án cải cách TTHC tỉnh gi…', (VP,), (), (), Y2023, TTHC, None, NO_BOTH),
    E('II.3.b.2', 'Triển khai xây dựng và thực hiện có hiệu quả, chất lượng Kế hoạch kiểm…', (VP,), (), (), Y2023, TTHC, None, NO_BOTH),
    E('II.3.b.3', 'Tham mưu trình Chủ tịch UBND tỉnh Công bố TTHC, danh mục TTHC, xây dựn…', (VP,), (), (), Y2023, TTHC, None, NO_BOTH),
    E('II.3.b.4', 'Nâng cao chất lượng cải cách TTHC theo cơ chế một cửa; thường xuyên rà…', (VP,), (), (), Y2023, TTHC, None, NO_BOTH),
    E('II.3.b.5', 'Triển khai, thực hiện rà soát, đơn giản hóa TTHC nội bộ trong cơ quan…', (VP,), (), (), Y2023, TTHC, None, NO_BOTH),
    E('II.3.b.6', 'Đẩy nhanh tiến độ số hóa hồ sơ, kết quả giải quyết TTHC theo quy định…', (VP,), (), (), Y2023, TTHC, None, NO_BOTH),
    E('II.3.b.7', 'Thực hiện tốt công tác tiếp nhận, xử lý phản ánh, kiến nghị của cá nhâ…', (VP,), (), (), Y2023, TTHC, None, NO_BOTH),
    E('II.3.b.8', 'Thực hiện thường xuyên công tác kiểm tra, đôn đốc các phòng thực hiện…', (VP,), (), (), Y2023, TTHC, None, NO_BOTH),
    E('II.3.b.9', 'Tiếp tục tuyên truyền về mục đích ý nghĩa công tác cải cách TTHC, kiểm…', (VP,), (), (), Y2023, TTHC, None, NO_BOTH),
    E('II.4.b', 'Tiếp tục rà soát, sắp xếp, tinh gọn tổ chức bộ máy của Sở theo quy địn…', (VP,), (), (), Y2023, BO_MAY, None, NO_BOTH),
    E('II.5.b.1', 'Tăng cường trách nhiệm của người đứng đầu trong công tác chỉ đạo, kiểm…', (VP,), (), (), Y2023, CONG_VU, None, NO_BOTH),
    E('II.5.b.2', 'Nâng cao chất lượng công tác đánh giá, xếp loại công chức, viên chức t…', (VP,), (), (), Y2023, CONG_VU, None, NO_BOTH),
    E('II.5.b.3', 'Hướng dẫn các phòng, đơn vị xây dựng bản mô tả công việc và khung năng…', (VP,), (), (), Y2023, CONG_VU, None, NO_BOTH),
    E('II.5.b.4', 'Xây dựng Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức, viên chức phù…', (VP,), (), (), Y2023, CONG_VU, None, NO_BOTH),
    E('II.5.b.5', 'Tăng cường công tác quản lý, tuyển dụng viên chức đảm bảo công khai, m…', (VP,), (), (), Y2023, CONG_VU, None, NO_BOTH),
    E('II.5.b.6', 'Thực hiện đầy đủ chính sách tiền lương, tiền thưởng, bảo hiểm xã hội…', (VP,), (), (), Y2023, CONG_VU, None, NO_BOTH),
    E('II.5.b.7', 'Phát động phong trào thi đua thực hiện văn hóa công vụ; biểu dương, kh…', (VP,), (), (), Y2023, CONG_VU, None, NO_BOTH),
    E('II.5.b.8', 'Tiếp tục cập nhật dữ liệu số hóa hồ sơ công chức, viên chức của Sở.', (VP,), (), (), Y2023, CONG_VU, None, NO_BOTH),
    E('II.6.b.1', 'Rà soát các đơn vị sự nghiệp trực thuộc Sở thực hiện chế độ tự chủ, nâ…', (VP,), (), (), Y2023, TAI_CHINH, None, NO_BOTH),
    E('II.6.b.2', 'Thực hiện công khai minh bạch các nguồn kinh phí được giao, lập, thẩm…', (VP,), (), (), Y2023, TAI_CHINH, None, NO_BOTH),
    E('II.6.b.3', 'Tập trung rà soát, thực hiện theo các tiêu chuẩn định mức kinh tế - kỹ…', (VP,), (), (), Y2023, TAI_CHINH, None, NO_BOTH),
    E('II.6.b.4', 'Chỉ đạo các đơn vị thường xuyên quản lý, giám sát đối với công tác tài…', (VP,), (), (), Y2023, TAI_CHINH, None, NO_BOTH),
    E('II.7.b.1', 'Tiếp tục triển khai thực hiện hiệu quả các nội dung kế hoạch về chuyển…', (VP,), (), (), Y2023, CQ_SO, None, NO_BOTH),
    E('II.7.b.2', 'Duy trì việc điều hành, xử lý văn bản của Sở thông qua phần mềm văn ph…', (VP,), (), (), Y2023, CQ_SO, None, NO_BOTH),
    E('II.7.b.3', 'Tăng cường thực hiện các dịch vụ công trực tuyến mức độ 3, 4; đẩy mạnh…', (VP,), (), (), Y2023, CQ_SO, None, NO_BOTH),
    E('II.7.b.4', 'Duy trì hoạt động trực kết nối, liên thông phần mềm quản lý văn bản gi…', (VP,), (), (), Y2023, CQ_SO, None, NO_BOTH),
    E('II.7.b.5', 'Tập trung đẩy mạnh CCHC gắn với tăng cường ứng dụng CNTT trong quản lý…', (VP,), (), (), Y2023, CQ_SO, None, NO_BOTH),
    E('II.7.b.6', 'Tiếp tục quản lý, duy trì và nâng cao hiệu quả hoạt động Trang Thông tin điện tử của Sở;', (VP,), (), (), Y2023, CQ_SO, None, NO_BOTH),
    E('II.7.b.7', 'Tiếp tục đẩy mạnh công tác tuyên truyền, phổ biến, hướng dẫn người dân…', (VP,), (), (), Y2023, CQ_SO, None, NO_BOTH),
    E('III.1.d.1', 'Định kỳ hàng quý, 6 tháng, năm hoặc đột xuất báo cáo tình hình và kết…', (ALL,), (), (), 'Định kỳ hàng quý', TCTH, None, ()),
    E('III.1.d.2', 'Định kỳ hàng quý, 6 tháng, năm hoặc đột xuất báo cáo tình hình và kết…', (ALL,), (), (), 'Định kỳ 6 tháng', TCTH, None, ()),
    E('III.1.d.3', 'Định kỳ hàng quý, 6 tháng, năm hoặc đột xuất báo cáo tình hình và kết…', (ALL,), (), (), 'Định kỳ hàng năm', TCTH, None, ()),
]
# fmt: on


@needs_seeds
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("kh-435-svhtt-hanoi-2023.txt", KH435),
        ("kh-164-ubnd-hanoi-2022.txt", KH164),
        ("kh-cchc-svhttdl-langson-2023.txt", CCHC),
    ],
)
def test_seed_task_lists(name: str, expected: list[E]) -> None:
    assert_tasks(extract_plan(seed_document(name)).tasks, expected)


D = date
# Every deadline phrase of each seed plan and its reading (start, due, recurrence), the plan's year filling in
# bounds: KH 435 and 164 by their date line, the undated CCHC draft by the year its title names.
READINGS: dict[str, dict[str | None, tuple[date | None, date | None, str]]] = {
    "kh-435-svhtt-hanoi-2023.txt": {
        "Từ tháng 6/2023": (D(2023, 6, 1), None, "continuous"),
        "Trong năm 2023": (D(2023, 1, 1), D(2023, 12, 31), "none"),
        "trước ngày 20/10/2023": (None, D(2023, 10, 20), "none"),
        "Theo quy định": (None, None, "none"),  # flagged no_deadline: the chief sets one
        "Thường xuyên": (None, None, "continuous"),
    },
    "kh-164-ubnd-hanoi-2022.txt": {
        "Trong năm 2022": (D(2022, 1, 1), D(2022, 12, 31), "none"),
        "Định kỳ hàng quý": (D(2022, 1, 1), D(2022, 12, 31), "quarterly"),
        "Định kỳ hàng năm": (D(2022, 1, 1), D(2022, 12, 31), "annual"),
        "Trong tháng 6/2022": (D(2022, 6, 1), D(2022, 6, 30), "none"),
        "Trong tháng 7/2022": (D(2022, 7, 1), D(2022, 7, 31), "none"),
        "Từ 6/2022 đến 12/2022": (D(2022, 6, 1), D(2022, 12, 31), "none"),
        "Từ 6/2022 đến 11/2022": (D(2022, 6, 1), D(2022, 11, 30), "none"),
        "Từ 8/2022 đến 4/2023": (D(2022, 8, 1), D(2023, 4, 30), "none"),
        "Trong tháng 10/2022": (D(2022, 10, 1), D(2022, 10, 31), "none"),
    },
    "kh-cchc-svhttdl-langson-2023.txt": {
        "Trong năm 2023": (D(2023, 1, 1), D(2023, 12, 31), "none"),
        "Định kỳ hàng quý": (D(2023, 1, 1), D(2023, 12, 31), "quarterly"),
        "Định kỳ 6 tháng": (D(2023, 1, 1), D(2023, 12, 31), "semiannual"),
        "Định kỳ hàng năm": (D(2023, 1, 1), D(2023, 12, 31), "annual"),
    },
}


@needs_seeds
@pytest.mark.parametrize("name", sorted(READINGS))
def test_seed_deadline_phrases_are_read_into_start_due_and_recurrence(name: str) -> None:
    preview = build_preview(extract_plan(seed_document(name)), [])
    readings = {task.draft.code: (task.draft.deadline_text, (task.reading.start, task.reading.due,
                                                             task.reading.recurrence)) for task in preview.tasks}
    assert {phrase for phrase, _ in readings.values()} == set(READINGS[name])
    for code, (phrase, reading) in readings.items():
        assert reading == READINGS[name][phrase], (code, phrase)
        assert task_flagged_no_deadline(preview, code) == (phrase == "Theo quy định"), code


def task_flagged_no_deadline(preview: ImportPreview, code: str) -> bool:
    task = next(task for task in preview.tasks if task.draft.code == code)
    return "no_deadline" in task.flags and task.reading.due is None


@needs_seeds
def test_kh435_metadata() -> None:
    plan = extract_plan(seed_document("kh-435-svhtt-hanoi-2023.txt"))
    assert plan.number == "435/KH-SVHTT"
    assert plan.title == demo_data.PLAN_TITLE
    assert plan.issued_on == date(2023, 6, 14)  # the header's date, not the appendix caption's 19/6
    assert (plan.place, plan.issuer) == ("Hà Nội", "Sở Văn hóa và Thể thao Hà Nội")
    assert plan.follow_up_office == VP  # III.2: "Văn phòng Sở – Là cơ quan tham mưu …"


@needs_seeds
def test_kh164_metadata() -> None:
    plan = extract_plan(seed_document("kh-164-ubnd-hanoi-2022.txt"))
    assert plan.number == "164/KH-UBND"  # written "Số: 164 /KH-UBND"
    assert plan.title == (
        "Cải thiện, nâng cao Chỉ số Hiệu quả quản trị và Hành chính công cấp tỉnh (PAPI) của thành phố Hà Nội "
        "năm 2022"
    )
    assert (plan.issued_on, plan.place) == (date(2022, 6, 13), "Hà Nội")
    assert plan.issuer == "UBND Thành phố"  # "… UBND Thành phố ban hành Kế hoạch"; the .txt has no header
    assert plan.follow_up_office == SNV  # III.2: "Sở Nội vụ – Là cơ quan thường trực … theo dõi, đôn đốc"


@needs_seeds
def test_cchc_metadata_of_an_unnumbered_undated_draft() -> None:
    plan = extract_plan(seed_document("kh-cchc-svhttdl-langson-2023.txt"))
    assert (
        plan.number is None
    )  # "Số: /KH-SVHTTDL": not numbered yet (and "Kế hoạch số 137/KH-UBND" is another plan)
    assert plan.title == "Cải cách hành chính của Sở Văn hóa, Thể thao và Du lịch năm 2023"
    assert (plan.issued_on, plan.place) == (None, "Lạng Sơn")  # "ngày tháng năm 2023"
    assert plan.issuer == "Sở Văn hóa, Thể thao và Du lịch"  # "… Sở … xây dựng Kế hoạch"
    assert plan.follow_up_office == VP  # III.2 "Văn phòng Sở – Hướng dẫn, đôn đốc …"


# ---------------------------------------------------------------------------------------------- demo_data
def _demo_unit(written: str) -> str:
    """The demo's short name for a unit as the plan writes it (ALL_UNITS stays)."""
    if written == ALL:
        return ALL
    for unit in demo_data.UNITS:
        if written.casefold() in {n.casefold() for n in (unit.name, unit.short_name, *unit.aliases)}:
            return unit.short_name
    return written


def _demo_code(code: str) -> str:
    """ "PL1.3.b" → "PL.3.2", "PL1.5" → "PL.5.1"; prose codes are the same."""
    if not code.startswith("PL1."):
        return code
    parts = code.split(".")
    return f"PL.{parts[1]}.{'abcdefghij'.index(parts[2]) + 1 if len(parts) > 2 else 1}"


def _no_stops(text: str) -> str:
    return " ".join(text.replace(".", " ").split())


def assert_agrees_with_demo(plan: DraftPlan) -> None:
    """Titles, units, areas, components, deadline phrases and results agree with the hand transcription.

    Where the demo made a judgement call the plan does not write ("Các phòng, đơn vị có TTHC" → VP and QLVH),
    only the plan's words are checked. Titles are compared without full stops: the .txt lost PL.3.2's.
    """
    demo = {task.code: task for task in demo_data.TASKS}
    assert sorted(_demo_code(t.code) for t in plan.tasks) == sorted(demo)
    assert plan.number == demo_data.PLAN_NUMBER and plan.issuer == demo_data.PLAN_ISSUER
    assert (plan.title, plan.issued_on) == (demo_data.PLAN_TITLE, demo_data.PLAN_ISSUED_ON)
    for task in plan.tasks:
        want = demo[_demo_code(task.code)]
        assert _no_stops(task.title) == _no_stops(want.title), task.code
        assert (task.area, task.component) == (want.area, want.component), task.code
        assert (task.deadline_text, task.expected_result) == (want.deadline_text, want.expected_result), (
            task.code
        )
        assert tuple(_demo_unit(u) for u in task.supervise) == want.supervise, task.code
        if task.code != "II.2":
            assert tuple(_demo_unit(u) for u in task.lead) == want.lead, task.code
        if task.code != "PL1.5":
            assert tuple(_demo_unit(u) for u in task.coordinate) == want.coordinate, task.code
    assert plan.tasks[2].lead == ["Các phòng, đơn vị có TTHC"]
    assert plan.tasks[-1].coordinate == ["Các phòng, ban, đơn vị có thủ tục hành chính"]


@needs_seeds
def test_kh435_agrees_with_the_hand_transcription() -> None:
    assert_agrees_with_demo(extract_plan(seed_document("kh-435-svhtt-hanoi-2023.txt")))


# ---------------------------------------------------------------------------------------------- codes
@needs_seeds
@pytest.mark.parametrize(
    "name", ["kh-435-svhtt-hanoi-2023.txt", "kh-164-ubnd-hanoi-2022.txt", "kh-cchc-svhttdl-langson-2023.txt"]
)
def test_codes_are_unique_and_stable_across_imports(name: str) -> None:
    first = extract_plan(seed_document(name))
    again = extract_plan(seed_document(name))
    codes = [t.code for t in first.tasks]
    assert len(codes) == len(set(codes))
    assert codes == [t.code for t in again.tasks]
    assert first == again


@needs_seeds
def test_sources_say_where_for_the_preview() -> None:
    plan = extract_plan(seed_document("kh-164-ubnd-hanoi-2022.txt"))
    sources = {t.code: t.source for t in plan.tasks}
    assert sources["PL1.5.c"] == "Phụ lục 1, dòng 5"
    assert sources["II.2.b.1"] == "Mục II.2.b"
    assert sources["III.1.b.1"] == "Mục III.1"
    assert sources["PL2.6.g"] == "Phụ lục 2, dòng 6"


# ---------------------------------------------------------------------------------------------- nothing to do
def test_a_document_without_tables_or_unit_lines_has_no_tasks() -> None:
    document = Document(
        blocks=[
            Paragraph("Thông báo"),
            Paragraph("Kính gửi các phòng, đơn vị."),
            Paragraph("1. Họp giao ban vào thứ Hai."),
            Paragraph("- Mang theo tài liệu."),
        ],
        name="thong-bao.txt",
    )
    with pytest.raises(UnreadableDocument) as caught:
        extract_plan(document)
    assert caught.value.reason == "no_tasks"


def test_a_table_without_task_columns_is_not_a_task_table() -> None:
    header = Table(
        rows=[["UBND THÀNH PHỐ HÀ NỘI\nSỞ VĂN HÓA VÀ THỂ THAO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]]
    )
    with pytest.raises(UnreadableDocument):
        extract_plan(Document(blocks=[header, Paragraph("Số: 12/KH-SVHTT")]))


# ---------------------------------------------------------------------------------------------- shapes
def test_a_body_table_with_title_rows_section_rows_merged_cells_and_sub_items() -> None:
    table = Table(
        rows=[
            ["BIỂU PHÂN CÔNG NHIỆM VỤ", LEFT, LEFT, LEFT, LEFT],
            ["STT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"],
            ["(1)", "(2)", "(3)", "(4)", "(5)"],
            ["I", "CẢI CÁCH THỂ CHẾ", LEFT, LEFT, LEFT],
            ["1", "Rà soát văn bản quy phạm pháp luật", "Phòng Tổ chức - Pháp chế", "Văn phòng Sở, Thanh tra Sở",
             "Quý III/2023"],
            ["2", "Kiểm tra việc thực hiện:\n- tại các phòng\n- tại các đơn vị", "- Phòng KHTC\n- Phòng QLVH", "",
             "Trong năm 2023"],
            ["II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", LEFT, LEFT, LEFT],
            ["1", "Công bố thủ tục hành chính", "Văn phòng Sở", "Các phòng, đơn vị", "Thường xuyên"],
            [UP, UP, "Phòng QLVH", "", UP],
            ["2", "Số hóa hồ sơ", "", "", "Quý IV/2023"],
        ]
    )  # fmt: skip
    plan = extract_plan(Document(blocks=[Paragraph("Hà Nội, ngày 5 tháng 3 năm 2023"), table]))
    assert_tasks(
        plan.tasks,
        [
            E("B1.I.1", "Rà soát văn bản quy phạm pháp luật", ("Phòng Tổ chức - Pháp chế",), (VP, TTRA), (),
              "Quý III/2023", THE_CHE, None, ()),
            E("B1.I.2.a", "Kiểm tra việc thực hiện: tại các phòng", ("Phòng KHTC",), (), (), Y2023, THE_CHE, None, ()),
            E("B1.I.2.b", "Kiểm tra việc thực hiện: tại các đơn vị", ("Phòng QLVH",), (), (), Y2023, THE_CHE, None,
              ()),
            # a TT and a task merged down over a row with another lead: the same task for that lead too
            E("B1.II.1.a", "Công bố thủ tục hành chính", (VP,), (ALL,), (), THUONG_XUYEN, TTHC, None, ()),
            E("B1.II.1.b", "Công bố thủ tục hành chính", ("Phòng QLVH",), (), (), THUONG_XUYEN, TTHC, None, ()),
            # a blank lead cell means "same as above"
            E("B1.II.2", "Số hóa hồ sơ", ("Phòng QLVH",), (), (), "Quý IV/2023", TTHC, None, ()),
        ],
    )  # fmt: skip
    assert plan.tasks[0].source == "Bảng 1, mục I, dòng 1"


def test_executors_column_without_a_lead_column_the_first_unit_leads() -> None:
    table = Table(
        rows=[
            ["TT", "Nhiệm vụ", "Đơn vị thực hiện", "Tiến độ", "Sản phẩm"],
            [
                "1",
                "Xây dựng kế hoạch tuyên truyền",
                "Trung tâm TTTL, Văn phòng Sở",
                "Tháng 3/2024",
                "Kế hoạch",
            ],
            ["2", "Tự kiểm tra công vụ", "Các phòng, ban, đơn vị thuộc Sở", "", ""],
        ]
    )
    plan = extract_plan(Document(blocks=[Paragraph("PHỤ LỤC II"), table]))
    first, second = plan.tasks
    assert (first.code, first.lead, first.coordinate) == ("PL2.1", ["Trung tâm TTTL"], [VP])
    assert (first.deadline_text, first.expected_result) == ("Tháng 3/2024", "Kế hoạch")
    assert (second.code, second.lead, second.flags) == ("PL2.2", [ALL], ["no_deadline"])
    assert second.deadline_text is None  # no year anywhere: nothing to bound it with
    assert plan.follow_up_office is None


def test_prose_without_numbered_sections_is_read_when_it_has_unit_lines() -> None:
    document = Document(
        blocks=[
            Paragraph("SỞ VĂN HÓA VÀ THỂ THAO"),
            Paragraph("KẾ HOẠCH"),
            Paragraph("Tập huấn nghiệp vụ năm 2024"),
            Paragraph("1. Tổ chức lớp tập huấn cho cán bộ đầu mối."),
            Paragraph("Đơn vị chủ trì: Phòng TCPC"),
            Paragraph("Thời gian: Quý II/2024"),
            Paragraph("2. Báo cáo kết quả tập huấn."),
            Paragraph("Đơn vị thực hiện: Văn phòng Sở, Phòng TCPC"),
            Paragraph("3. Tổng kết, rút kinh nghiệm."),
        ]
    )
    plan = extract_plan(document)
    assert (plan.title, plan.issuer, plan.follow_up_office) == (
        "Tập huấn nghiệp vụ năm 2024",
        "Sở Văn hóa và Thể thao",  # from the upper-case header
        VP,
    )
    assert_tasks(
        plan.tasks,
        [
            E("1", "Tổ chức lớp tập huấn cho cán bộ đầu mối.", ("Phòng TCPC",), (), (), "Quý II/2024", None, None, ()),
            E("2", "Báo cáo kết quả tập huấn.", (VP,), ("Phòng TCPC",), (), "Trong năm 2024", None, None, NO_DL),
            E("3", "Tổng kết, rút kinh nghiệm.", (VP,), (), (), "Trong năm 2024", None, None, NO_BOTH),
        ],
    )  # fmt: skip


def test_reporting_regimes_and_their_periods() -> None:
    assert periods("Định kỳ hàng quý, 6 tháng, năm hoặc đột xuất báo cáo") == [
        "quarterly",
        "semiannual",
        "annual",
    ]
    assert periods("Báo cáo CCHC định kỳ hàng quý, năm 2022") == ["quarterly", "annual"]
    assert periods("Định kỳ báo cáo UBND Thành phố") == []
    assert periods("báo cáo hằng tháng về Văn phòng") == ["monthly"]


@pytest.mark.parametrize(
    ("written", "names"),
    [
        ("Phòng QLVH, KHTC, TCPC, Thanh tra Sở", ["Phòng QLVH", "KHTC", "TCPC", TTRA]),
        ("Văn phòng Sở, phòng QLVH, Trung tâm Thông tin triển lãm", [VP, "phòng QLVH", TTTL]),
        ("Phòng Tổ chức - Pháp chế; Thanh tra Sở; Văn phòng Sở", ["Phòng Tổ chức - Pháp chế", TTRA, VP]),
        ("- Văn phòng Sở - Các phòng, ban, đơn vị thuộc Sở", [VP, ALL]),
        ("- Trung tâm Thông tin triển lãm\n- Thanh tra Sở\n- Các phòng, ban, đơn vị", [TTTL, TTRA, ALL]),
        ("Các phòng, đơn vị có TTHC", ["Các phòng, đơn vị có TTHC"]),
        ("Các cơ quan, đơn vị", [ALL]),
        ("các phòng, đơn vị", [ALL]),
        ("Sở Lao động, Thương binh và Xã hội", ["Sở Lao động, Thương binh và Xã hội"]),
        ("UBND các quận, huyện, thị xã", ["UBND các quận, huyện, thị xã"]),
    ],
)
def test_unit_lists_are_split_into_names_as_written(written: str, names: list[str]) -> None:
    assert split_units(written) == names


def test_same_unit_spelled_differently() -> None:
    assert same_unit("Phòng TCPC", "Phòng Tổ chức Pháp chế")
    assert same_unit("KHTC", "Phòng Kế hoạch - Tài chính")
    assert same_unit("Văn phòng", VP)
    assert not same_unit(TTRA, VP)
    assert not same_unit(ALL, VP)


@pytest.mark.parametrize(
    ("written", "group"),
    [
        ("Các phòng, đơn vị có TTHC", True),
        ("Các phòng, ban, đơn vị có thủ tục hành chính", True),
        ("Các Sở, cơ quan tương đương Sở", True),
        ("Các đơn vị liên quan", True),
        ("Một số phòng chuyên môn", True),
        ("Tất cả các đơn vị sự nghiệp", True),
        ("Các phòng, ban, đơn vị thuộc Sở", False),  # every unit, not a group to choose
        ("các phòng, đơn vị", False),
        ("Các phòng chuyên môn", False),
        ("UBND các quận, huyện thị xã", False),  # one addressee
        ("Phòng QLVH", False),
        ("Các cấp, các ngành", False),
    ],
)
def test_groups_of_units_are_told_from_units_and_from_every_unit(written: str, group: bool) -> None:
    assert is_unit_group(written) is group
    assert split_units(written) == ([ALL] if is_all_units(written) else [written])


# ---------------------------------------------------------------------------------------------- .docx samples
def _read_sample(name: str) -> DraftPlan:
    readers = pytest.importorskip("bot.importing.readers")
    if not SAMPLES.is_dir():
        pytest.skip("shared samples not present")
    return extract_plan(readers.read_document((SAMPLES / name).read_bytes(), name))


def _docx_version(expected: list[E], code: str, title: str) -> list[E]:
    """The seed list with one title as the .docx writes it (the .txt dump lost or garbled a few words)."""
    return [e._replace(title=title) if e.code == code else e for e in expected]


def test_kh435_docx_gives_the_seed_task_list() -> None:
    plan = _read_sample("kh-435-svhtt-hanoi-2023.docx")
    pl_3_2 = next(t.title for t in demo_data.TASKS if t.code == "PL.3.2")  # sentence breaks kept in Word
    assert_tasks(plan.tasks, _docx_version(KH435, "PL1.3.b", pl_3_2))
    assert_agrees_with_demo(plan)
    assert plan.follow_up_office == VP


def test_kh164_docx_gives_the_seed_task_list() -> None:
    plan = _read_sample("kh-164-ubnd-hanoi-2022.docx")
    row_5a = f"{ROW5}: “Chất lượng bầu cử trưởng thôn/tổ trưởng dân phố”."
    assert_tasks(plan.tasks, _docx_version(KH164, "PL1.5.a", row_5a))
    assert (plan.number, plan.issued_on, plan.follow_up_office) == ("164/KH-UBND", date(2022, 6, 13), SNV)
    assert plan.issuer == "Ủy ban nhân dân thành phố Hà Nội"  # the Word header names it in full


def test_prose_headings_with_their_task_units_as_bullets_and_the_organisation_section() -> None:
    texts = [
        "Lạng Sơn, ngày 02 tháng 01 năm 2024",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "- Nâng cao chất lượng công tác cải cách hành chính.",
        "II. NHIỆM VỤ",
        "1. Cải cách thể chế",
        "a) Chỉ tiêu: 100% văn bản được rà soát.",
        "b) Phòng Tổ chức - Pháp chế: Rà soát, hệ thống hóa văn bản.",
        "- Thời gian: Quý III/2024",
        "2. Công tác tuyên truyền: Tăng cường tuyên truyền về CCHC.",
        "- Đơn vị chủ trì: Văn phòng Sở",
        "- Đơn vị phối hợp: Các phòng, đơn vị thuộc Sở",
        "- Thời gian: Hàng quý",
        "III. TỔ CHỨC THỰC HIỆN",
        "- Văn phòng Sở: là đầu mối theo dõi, đôn đốc việc thực hiện Kế hoạch.",
        "- Các phòng, đơn vị báo cáo kết quả về Văn phòng Sở chậm nhất ngày 10/12/2024.",
        "Nơi nhận:",
        "- Như trên;",
    ]
    plan = extract_plan(Document(blocks=[Paragraph(text) for text in texts]))
    assert plan.follow_up_office == VP
    report = "Các phòng, đơn vị báo cáo kết quả về Văn phòng Sở chậm nhất ngày 10/12/2024."
    assert_tasks(
        plan.tasks,
        [
            E("II.1.b", "Rà soát, hệ thống hóa văn bản.", ("Phòng Tổ chức - Pháp chế",), (), (), "Quý III/2024",
              THE_CHE, None, ()),
            E("II.2", "Tăng cường tuyên truyền về CCHC.", (VP,), (ALL,), (), "Hàng quý", "Công tác tuyên truyền", None,
              ()),
            E("III.b", report, (ALL,), (), (), "chậm nhất ngày 10/12/2024", TCTH, None, ()),
        ],
    )  # fmt: skip
