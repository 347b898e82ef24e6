"""Hand-transcribed units and tasks of KH 435/KH-SVHTT (Sở Văn hóa và Thể thao Hà Nội, 2023) for `--demo`.

Pure data: no imports from the rest of the project. Task texts are copied verbatim from the plan
(Vietnamese, NFC). Sources: shared/seeds/kh-435-svhtt-hanoi-2023.txt and, for the appendix table,
shared/samples/kh-435-svhtt-hanoi-2023.docx (the Word table keeps the sentence breaks the text dump lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Role marker meaning "every unit of the department" ("Các phòng, ban, đơn vị thuộc Sở").
ALL_UNITS = "*"

RECURRENCES: tuple[str, ...] = ("none", "continuous", "monthly", "quarterly", "semiannual", "annual")


@dataclass(frozen=True)
class DemoUnit:
    """A unit (phòng / đơn vị) of the department as the plan names it."""

    name: str
    short_name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoTask:
    """One task of the plan: a part II item, the part III reporting duty, or an appendix row."""

    code: str
    title: str
    expected_result: str | None
    area: str | None
    component: str | None
    deadline_text: str
    start: date | None
    due: date | None
    recurrence: str
    lead: tuple[str, ...]
    coordinate: tuple[str, ...] = ()
    supervise: tuple[str, ...] = ()


PLAN_NUMBER = "435/KH-SVHTT"
PLAN_TITLE = (
    "Cải thiện, nâng cao Chỉ số Hiệu quả quản trị và hành chính công (PAPI) "
    "của Sở Văn hóa và Thể thao Hà Nội năm 2023"
)
# The header says 14/6/2023; the appendix caption says "ngày 19/6/2023". The header date is the issue date.
PLAN_ISSUED_ON = date(2023, 6, 14)
PLAN_ISSUER = "Sở Văn hóa và Thể thao Hà Nội"
PLAN_YEAR = 2023

# Only the units the plan itself names. The plan also mentions Ban Giám đốc Sở, Ban Chỉ đạo Cải cách
# hành chính Sở and bộ phận Một cửa; they are leadership / a steering committee / part of Văn phòng Sở,
# not units that owe tasks, so they are left out (otherwise "*" would hand every task to the leadership).
UNITS: tuple[DemoUnit, ...] = (
    DemoUnit(
        name="Văn phòng Sở",
        short_name="VP",
        aliases=("Văn phòng",),
    ),
    DemoUnit(
        name="Phòng Tổ chức - Pháp chế",
        short_name="TCPC",
        aliases=("Phòng Tổ chức Pháp chế", "Phòng TCPC"),
    ),
    DemoUnit(
        name="Phòng Kế hoạch - Tài chính",
        short_name="KHTC",
        # The plan writes "KHTC" after "Phòng QLVH, ..."; the other two follow the plan's pattern for TCPC.
        aliases=("Phòng KHTC", "Phòng Kế hoạch Tài chính"),
    ),
    DemoUnit(
        name="Phòng Quản lý Văn hóa",
        short_name="QLVH",
        aliases=("Phòng QLVH",),  # the plan only writes "Phòng QLVH" / "phòng QLVH"
    ),
    DemoUnit(
        name="Thanh tra Sở",
        short_name="TTra",
        aliases=("Thanh tra",),
    ),
    DemoUnit(
        name="Trung tâm Thông tin triển lãm",
        short_name="TTTL",
        aliases=("Trung tâm TTTL",),  # not in the plan; the usual short form, for typed input
    ),
)

# "Các phòng, đơn vị có TTHC" / "Các phòng, ban, đơn vị có thủ tục hành chính": of the units the plan names,
# Văn phòng Sở runs the one-stop desk (bộ phận Một cửa) and leads the TTHC row of the appendix, and Phòng Quản
# lý Văn hóa issues the cultural-activity licences. The others (TCPC, KHTC, Thanh tra, the Trung tâm) do not
# handle administrative procedures for citizens. A judgement call, not text from the plan.
TTHC_UNITS: tuple[str, ...] = ("VP", "QLVH")

_Y0 = date(PLAN_YEAR, 1, 1)
_Y1 = date(PLAN_YEAR, 12, 31)

_II_1 = "Công tác tuyên truyền, quán triệt"
_II_3 = "Công tác thanh tra, kiểm tra"

TASKS: tuple[DemoTask, ...] = (
    # ---------------------------------------------------------------- II. NỘI DUNG
    DemoTask(
        code="II.1.a",
        title=(
            "Quán triệt về nhận thức trong các cấp lãnh đạo thuộc Sở về ý nghĩa, bản chất của Chỉ số PAPI, "
            "những lợi ích của chỉ số mang lại đối với công tác chỉ đạo điều hành của lãnh đạo. Trên cơ sở "
            "phân tích về kết quả về điểm số, các chỉ số nội dung và nội dung thành phần, các phòng, đơn vị "
            "xác định rõ điểm mạnh, điểm yếu, những hạn chế, tồn tại trên từng lĩnh vực, từng thước đo cụ "
            "thể, từ đó báo cáo Ban giám đốc các giải pháp hữu hiệu, đột phá nhằm tiếp tục cải thiện và đổi "
            "mới phương thức phục vụ nhân dân trong năm 2023 và những năm tiếp theo."
        ),
        expected_result=None,
        area=_II_1,
        component=None,
        deadline_text="Từ tháng 6/2023",
        # "Từ tháng …": starts then and runs on, so no single due date.
        start=date(2023, 6, 1),
        due=None,
        recurrence="continuous",
        lead=("VP",),
        coordinate=(ALL_UNITS,),
        supervise=("QLVH", "KHTC", "TCPC", "TTra"),
    ),
    DemoTask(
        code="II.1.b",
        title=(
            "Tuyên truyền tới người dân về những nỗ lực của các cấp, các ngành, các đơn vị trong vận hành "
            "chính quyền, thực hiện nhiệm vụ chính trị, nhiệm vụ chuyên môn; những thành quả trong phát "
            "triển kinh tế - xã hội của Thành phố, của Sở; quan điểm, thái độ, quyết tâm và kết quả Thành "
            "phố đã đạt được trong thực hiện an sinh xã hội, dịch vụ công, bảo vệ môi trường, phòng chống "
            "tham nhũng, trách nhiệm giải trình của chính quyền... Phổ biến những nội dung về quyền và "
            "trách nhiệm của người dân thuộc Chỉ số PAPI: quyền được biết, được quyết định, được đóng góp ý "
            "kiến, được nhận giải trình, phản hồi, phúc đáp từ chính quyền...; trách nhiệm tham gia các hoạt "
            "động tại cộng đồng, địa phương của người dân."
        ),
        expected_result=None,
        area=_II_1,
        component=None,
        deadline_text="Trong năm 2023",
        start=_Y0,
        due=_Y1,
        recurrence="none",
        lead=("VP", "QLVH", "TTTL"),
        coordinate=(ALL_UNITS,),
    ),
    DemoTask(
        code="II.2",
        title=(
            "Bám sát nội dung, nhiệm vụ tại Kế hoạch số 179/KH-UBND ngày 04/8/2021 của UBND Thành phố về "
            "cải thiện, nâng cao Chỉ số hiệu quả quản trị hành chính công cấp tỉnh (PAPI) của Thành phố Hà "
            "Nội giai đoạn 2021 - 2025; trên cơ sở phân tích kết quả chỉ số PAPI năm 2022; các phòng, đơn vị "
            "thuộc Sở xây dựng kế hoạch năm 2023 trong đó xác định các nhiệm vụ cụ thể; chủ động trong thực "
            "hiện và phối hợp giữa các đơn vị, trong việc tham mưu, tổ chức thực hiện đảm bảo tiến độ thời "
            "gian và chất lượng."
        ),
        expected_result=None,
        area=None,  # a numbered item with no heading of its own
        component=None,
        deadline_text="Trong năm 2023",
        start=_Y0,
        due=_Y1,
        recurrence="none",
        lead=TTHC_UNITS,  # "Các phòng, đơn vị có TTHC"
        coordinate=(ALL_UNITS,),
        supervise=("VP", "KHTC", "TCPC", "TTra"),  # "Văn phòng, KHTC, TCPC, Thanh tra Sở"
    ),
    # Item 3 carries a task in its own line after the heading, then three bullets; one "Đơn vị chủ trì" block.
    DemoTask(
        code="II.3",
        title=(
            "Tăng cường kiểm tra đột xuất, chỉ đạo hoặc kiến nghị khắc phục các tồn tại có thời hạn cụ thể; "
            "chủ động, linh hoạt trong hình thức kiểm tra, thời gian kiểm tra, phương thức kiểm tra đối với "
            "các phòng, ban, đơn vị thuộc Sở (có biểu kiểm tra nếu có); tái kiểm tra việc khắc phục các tồn "
            "tại đối với các đơn vị đã được kiểm tra trước đây, chấn chỉnh kịp thời các sai phạm, thiếu sót "
            "trong thực thi nhiệm vụ."
        ),
        expected_result=None,
        area=_II_3,
        component=None,
        deadline_text="Trong năm 2023",
        start=_Y0,
        due=_Y1,
        recurrence="none",
        lead=("TCPC", "TTra", "VP"),
        coordinate=(ALL_UNITS,),
    ),
    DemoTask(
        code="II.3.a",
        title=(
            "Chủ động phối hợp các đơn vị đề đề xuất lồng ghép phù hợp với nội dung cải thiện chỉ số PAPI "
            "vào nội dung kiểm tra của đoàn công tác, kiểm tra thực hiện quy chế dân chủ, kiểm tra cải cách "
            "hành chính, kiểm tra công vụ theo kế hoạch."
        ),
        expected_result=None,
        area=_II_3,
        component=None,
        deadline_text="Trong năm 2023",
        start=_Y0,
        due=_Y1,
        recurrence="none",
        lead=("TCPC", "TTra", "VP"),
        coordinate=(ALL_UNITS,),
    ),
    DemoTask(
        code="II.3.b",
        title=(
            "Sử dụng kết quả kiểm tra và đưa nội dung thực hiện Kế hoạch vào tiêu chí xác định Chỉ số CCHC "
            "năm 2023 của các cơ quan, đơn vị."
        ),
        expected_result=None,
        area=_II_3,
        component=None,
        deadline_text="Trong năm 2023",
        start=_Y0,
        due=_Y1,
        recurrence="none",
        lead=("TCPC", "TTra", "VP"),
        coordinate=(ALL_UNITS,),
    ),
    DemoTask(
        code="II.3.c",
        title=(
            "Thành lập Tổ kiểm soát TTHC, Tổ kiểm soát các kết luận của Thành ủy, HĐND, UBND Thành phố và Tổ "
            "kiểm soát, đôn đốc xử lý văn bản trên phần mềm quản lý văn bản và điều hành."
        ),
        expected_result=None,
        area=_II_3,
        component=None,
        deadline_text="Trong năm 2023",
        start=_Y0,
        due=_Y1,
        recurrence="none",
        lead=("TCPC", "TTra", "VP"),
        coordinate=(ALL_UNITS,),
    ),
    DemoTask(
        code="II.4",
        title=(
            "Các phòng, ban, đơn vị tăng cường tự kiểm tra đối với đơn vị mình, chấn chỉnh, khắc phục kịp "
            "thời các thiếu sót, tồn tại trong thực hiện, chức trách, thực thi công vụ của các tổ chức, cá "
            "nhân."
        ),
        expected_result=None,
        area=None,
        component=None,
        deadline_text="Trong năm 2023",
        start=_Y0,
        due=_Y1,
        recurrence="none",
        lead=(ALL_UNITS,),  # "Đơn vị thực hiện: Các phòng, ban, đơn vị thuộc Sở": each unit checks itself
    ),
    DemoTask(
        code="II.5",
        title=(
            "Công tác tổ chức tập huấn, chế độ thông tin, báo cáo định kỳ theo tiến độ yêu cầu tại Kế hoạch "
            "hàng năm (theo tháng, quý, năm) và các báo cáo đột xuất khi có yêu cầu của Thành phố."
        ),
        expected_result=None,
        area=None,
        component=None,
        deadline_text="Trong năm 2023",
        start=_Y0,
        due=_Y1,
        # The item mentions monthly/quarterly/annual reports, but its "Thời gian" is one phrase:
        # "Trong năm 2023".
        recurrence="none",
        lead=("VP",),
        coordinate=(ALL_UNITS,),
    ),
    # ---------------------------------------------------------------- III. TỔ CHỨC THỰC HIỆN, 7 (6th bullet)
    DemoTask(
        code="III.7.f",
        title=(
            "Báo cáo Sở Văn hóa và Thể thao Hà Nội về kết quả thực hiện kế hoạch về Văn phòng Sở trước ngày "
            "20/10/2023."
        ),
        expected_result=None,
        area="Tổ chức thực hiện",
        component=None,
        deadline_text="trước ngày 20/10/2023",
        start=None,
        due=date(2023, 10, 20),
        recurrence="none",
        lead=(ALL_UNITS,),  # every unit owes its own report; Văn phòng Sở compiles them
    ),
    # ---------------------------------------------------------------- PHỤ LỤC TỔNG HỢP NHIỆM VỤ
    # The appendix has no time column: its "Kết quả" cells "Theo quy định" / "Thường xuyên" are the only
    # timing, so they are both expected_result (verbatim) and deadline_text. Rows whose "Kết quả" is a
    # target get the plan's year ("Trong năm 2023"), as DOMAIN.md says for items without a time.
    # "Chỉ số nội dung" is normalised to the DOMAIN.md PAPI names; the plan's wording is in each comment.
    # 1. "Công khai minh bạch trong việc ra quyết định"
    DemoTask(
        code="PL.1.1",
        title=(
            "Thực hiện các quy định về công khai thông tin theo quy định tại Pháp lệnh số "
            "34/2007/PL-UBTVQH11; quy trình, thủ tục giải quyết TTHC"
        ),
        expected_result="Theo quy định",
        area="Công khai, minh bạch",
        component="Tiếp cận thông tin",
        deadline_text="Theo quy định",
        start=None,
        due=None,
        recurrence="none",
        lead=("VP",),
        coordinate=(ALL_UNITS,),
    ),
    DemoTask(
        code="PL.1.2",
        title="Thực hiện tốt quy định về tiếp dân thường xuyên, lịch tiếp dân, cơ sở vật chất,...",
        expected_result="Theo quy định",
        area="Công khai, minh bạch",
        component="Tiếp cận thông tin",
        deadline_text="Theo quy định",
        start=None,
        due=None,
        recurrence="none",
        lead=("VP",),
        coordinate=(ALL_UNITS,),
    ),
    # 2. "Trách nhiệm giải trình với người dân"
    DemoTask(
        code="PL.2.1",
        title=(
            "Thực hiện nghiêm các kết luận, kiến nghị, quyết định xử lý về thanh tra, kiểm tra: tập trung "
            "giải quyết có hiệu quả những kiến nghị, khiếu nại, tố cáo của công dân"
        ),
        expected_result="Theo quy định",
        area="Trách nhiệm giải trình với người dân",
        component="Giải quyết khiếu nại, tố cáo, khúc mắc",
        deadline_text="Theo quy định",
        start=None,
        due=None,
        recurrence="none",
        lead=("TTra",),
        coordinate=(ALL_UNITS,),
    ),
    DemoTask(
        code="PL.2.2",
        title="Thực hiện tốt công tác tiếp công dân",
        expected_result="Thường xuyên",
        area="Trách nhiệm giải trình với người dân",
        component="Giải quyết khiếu nại, tố cáo, khúc mắc",
        deadline_text="Thường xuyên",
        start=None,
        due=None,
        recurrence="continuous",
        lead=("TTra",),
        coordinate=(ALL_UNITS,),
    ),
    # 3. "Kiểm soát tham nhũng trong khu vực công"
    DemoTask(
        code="PL.3.1",
        title="Kiểm tra việc thực hiện kết luận các cuộc thanh tra, kiểm tra trước đây",
        expected_result="Thường xuyên",
        area="Kiểm soát tham nhũng trong khu vực công",
        component="Kiểm soát tham nhũng trong chính quyền địa phương",
        deadline_text="Thường xuyên",
        start=None,
        due=None,
        recurrence="continuous",
        lead=("TTra",),
        coordinate=(ALL_UNITS,),
    ),
    DemoTask(
        code="PL.3.2",
        # Three sentences in one cell, kept as one task (sentence breaks as in the .docx table).
        title=(
            "Công khai minh bạch các bước theo quy định trong tuyển dụng. Kết hợp kiểm tra thực hiện quy chế "
            "dân chủ, kiểm tra cải cách hành chính, kiểm tra công vụ. Chủ động, linh hoạt, lồng ghép các nội "
            "dung kiểm tra, hình thức kiểm tra, thời gian kiểm tra, phương thức kiểm tra,..."
        ),
        expected_result="Theo quy định",
        area="Kiểm soát tham nhũng trong khu vực công",
        component="Công bằng trong tuyển dụng vào khu vực công",
        deadline_text="Theo quy định",
        start=None,
        due=None,
        recurrence="none",
        lead=("TCPC",),
        coordinate=(ALL_UNITS,),
    ),
    DemoTask(
        code="PL.3.3",
        title=(
            "Tăng cường tuyên truyền tới người dân về những nỗ lực của chính quyền; những kết quả đạt được "
            "trong công tác phòng chống tham nhũng"
        ),
        expected_result="Thường xuyên",
        area="Kiểm soát tham nhũng trong khu vực công",
        component="Quyết tâm chống tham nhũng của chính quyền địa phương",
        deadline_text="Thường xuyên",
        start=None,
        due=None,
        recurrence="continuous",
        lead=("TTra",),
        coordinate=("TTTL", ALL_UNITS),
    ),
    # 4. "Quản trị điện tử"
    DemoTask(
        code="PL.4.1",
        title=(
            "Nâng cao chất lượng, đổi mới giao diện theo hướng thân thiện, dễ tiếp cận, tăng cường các "
            "phương thức tương tác với người dân"
        ),
        expected_result="Thường xuyên",
        area="Quản trị điện tử",
        component="Tiếp cận công nghệ thông tin điện tử của Sở Văn hóa và Thể thao Hà Nội",
        deadline_text="Thường xuyên",
        start=None,
        due=None,
        recurrence="continuous",
        lead=("VP",),
        coordinate=("TTTL", ALL_UNITS),
    ),
    DemoTask(
        code="PL.4.2",
        title=(
            "Nâng cao chất lượng phục vụ, tăng cường các tiện ích và có giải pháp hỗ trợ để người dân sử "
            "dụng dịch vụ công trực tuyến"
        ),
        expected_result="Thường xuyên",
        area="Quản trị điện tử",
        component="Tiếp cận công nghệ thông tin điện tử của Sở Văn hóa và Thể thao Hà Nội",
        deadline_text="Thường xuyên",
        start=None,
        due=None,
        recurrence="continuous",
        lead=("VP",),
        coordinate=(ALL_UNITS,),
    ),
    DemoTask(
        code="PL.4.3",
        title=(
            "Tiếp nhận đầy đủ ý kiến, câu hỏi, yêu cầu của người dân trên cổng TTĐT, phản hồi kịp thời"
        ),
        expected_result="100% ý kiến, câu hỏi được phản hồi",
        area="Quản trị điện tử",
        component="Phản hồi của cơ quan đối với câu hỏi, yêu cầu gửi trên cổng TTĐT",
        deadline_text="Trong năm 2023",  # no time in the row: the plan's year bounds it
        start=_Y0,
        due=_Y1,
        recurrence="none",
        lead=("VP",),
        coordinate=("TTTL", ALL_UNITS),
    ),
    # 5. "Thủ tục hành chính"
    DemoTask(
        code="PL.5.1",
        title=(
            "Thực hiện tốt cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính và giải "
            "quyết công việc. Tăng cường ứng dụng công nghệ thông tin, tăng số lượng các dịch vụ công được "
            "cung cấp trực tuyến mức độ 3, 4"
        ),
        expected_result="100% được thực hiện",
        area="Thủ tục hành chính công",
        component="Các thủ tục hành chính thuộc thẩm quyền quản lý của Sở văn hóa và Thể thao",
        deadline_text="Trong năm 2023",  # no time in the row: the plan's year bounds it
        start=_Y0,
        due=_Y1,
        recurrence="none",
        lead=("VP",),
        # "Các phòng, ban, đơn vị có thủ tục hành chính", minus the lead itself.
        coordinate=tuple(u for u in TTHC_UNITS if u != "VP"),
    ),
)
