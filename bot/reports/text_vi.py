"""Every Vietnamese phrase of the report documents, in one place.

The .docx, the .xlsx appendix and the evidence index are official Vietnamese documents by design (they go to the
director and to Sở Nội vụ), so they are not translated through gettext; chat messages about them are.
"""

from __future__ import annotations

from bot.services.plan_status import Category
from storage.models import Status, UnitRole

CATEGORY = {
    Category.DONE_ON_TIME: "Đã hoàn thành đúng hạn",
    Category.DONE_LATE: "Đã hoàn thành quá hạn",
    Category.OPEN_ON_TIME: "Đang thực hiện trong hạn",
    Category.OPEN_OVERDUE: "Đang thực hiện quá hạn",
    Category.PERIOD_REPORTED: "Đã báo cáo kỳ này",
    Category.PERIOD_PENDING: "Chưa báo cáo kỳ này",
    Category.NO_DEADLINE: "Không có thời hạn",
}
STATUS = {
    Status.NOT_STARTED: "Chưa thực hiện",
    Status.IN_PROGRESS: "Đang thực hiện",
    Status.BLOCKED: "Vướng mắc",
    Status.DONE: "Đã hoàn thành",
}
NOT_REPORTED = "Chưa báo cáo"
ROLE = {UnitRole.LEAD: "Chủ trì", UnitRole.COORDINATE: "Phối hợp", UnitRole.SUPERVISE: "Giám sát"}
OTHER_AREA = "Nhiệm vụ chung"  # tasks the plan put under no dimension

# --- the .docx ---------------------------------------------------------------------------------------------------
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"
BLANK = "……"
NUMBER_LINE = "Số:        /BC-{symbol}"
PLACE_DATE = "{place}, ngày {day} tháng {month} năm {year}"
TITLE = "BÁO CÁO"
SUBJECT = "Kết quả thực hiện Kế hoạch số {number} {period}"
INTRO = ("Thực hiện Kế hoạch số {number}{issued} của {issuer} về {title}, {agency} báo cáo kết quả thực hiện "
         "{period} (từ ngày {start} đến ngày {end}; số liệu tính đến hết ngày {as_of}) như sau:")
ISSUED_ON = " ngày {date}"
PART_RESULTS = "I. KẾT QUẢ THỰC HIỆN"
OVERALL = "1. Tình hình chung"
OVERALL_TOTAL = ("Tổng số nhiệm vụ được giao chủ trì (tính theo từng đơn vị chủ trì): {total}; "
                 "số lượt báo cáo tiến độ trong kỳ: {updates}; số tài liệu kiểm chứng đã nhận: {evidence}. Trong đó:")
CATEGORY_LINE = "- {label}: {count} nhiệm vụ ({percent}%)."
CONTINUOUS_NOTE = ("(Nhiệm vụ thường xuyên, định kỳ được xét theo kỳ báo cáo của nhiệm vụ có chứa ngày "
                   "{as_of}.)")
BY_AREA = "2. Kết quả theo từng chỉ số, lĩnh vực"
AREA_HEADING = "2.{index}. {area}"
AREA_TOTAL = "Số nhiệm vụ chủ trì: {total}; trong đó: {parts}."
AREA_PART = "{label} {count}"
RESULTS = "a) Kết quả đạt được:"
PROBLEMS = "b) Khó khăn, vướng mắc:"
NO_RESULTS = "- Chưa có báo cáo kết quả trong kỳ."
NO_PROBLEMS = "- Không có khó khăn, vướng mắc được báo cáo trong kỳ."
NOTE_LINE = "- {unit} (nhiệm vụ {code}): {text} ({when})."
PART_LATE = "II. CÁC ĐƠN VỊ CHẬM TIẾN ĐỘ"
LATE_UNIT = "- {unit}: {count} nhiệm vụ quá hạn ({tasks})."
LATE_TASK = "{code}, hạn {due}"
NO_LATE = "- Không có đơn vị chậm tiến độ tính đến ngày {as_of}."
PART_PROPOSALS = "III. ĐỀ XUẤT, KIẾN NGHỊ"
PROPOSAL = ("Đề nghị các phòng, đơn vị có nhiệm vụ quá hạn khẩn trương hoàn thành, báo cáo kết quả và gửi tài liệu "
            "kiểm chứng về Văn phòng Sở; các đơn vị có khó khăn, vướng mắc đề xuất giải pháp cụ thể để tổng hợp, "
            "báo cáo Lãnh đạo Sở.")
CLOSING = "Trên đây là báo cáo kết quả thực hiện Kế hoạch số {number} {period}./."
RECIPIENTS = "Nơi nhận:"
RECIPIENT_LINES = ("- Giám đốc Sở (để báo cáo);", "- Sở Nội vụ;", "- Các phòng, đơn vị thuộc Sở;", "- Lưu: VT, VP.")
SIGN_ON_BEHALF = "TL. GIÁM ĐỐC"
SIGNER_TITLE = "CHÁNH VĂN PHÒNG"
APPENDIX_TITLE = "PHỤ LỤC"
APPENDIX_SUBTITLE = "TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH SỐ {number}"
APPENDIX_NOTE = "(Kèm theo Báo cáo kết quả thực hiện Kế hoạch số {number} {period})"
TABLE_HEADER = ("TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Tình trạng", "Kết quả", "Số minh chứng")
DUE_LINE = "Hạn: {date}"
APPROVED_LINE = "Gia hạn: {date}"
RESULT_PERCENT = "{percent}%"
RESULT_WHEN = "cập nhật {date}"

PERIOD = {
    "quarter": "quý {roman} năm {year}",
    "half": "{half} năm {year}",
    "month": "tháng {number} năm {year}",
    "year": "năm {year}",
}
HALF = {1: "6 tháng đầu", 2: "6 tháng cuối"}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# --- the .xlsx appendix ------------------------------------------------------------------------------------------
SHEET_ROWS = "Phụ lục"
SHEET_TOTALS = "Tổng hợp"
COLUMNS = (
    ("Kế hoạch", 16), ("Chỉ số / lĩnh vực", 28), ("Mã NV", 9), ("Nhiệm vụ", 50), ("Đơn vị", 28), ("Vai trò", 10),
    ("Thời hạn (theo KH)", 22), ("Hạn hoàn thành", 13), ("Hạn được gia hạn", 13), ("Phân loại", 26),
    ("Tình trạng báo cáo", 16), ("%", 6), ("Cập nhật lần cuối", 17), ("Người báo cáo", 22), ("Số minh chứng", 10),
    ("Ghi chú", 50),
)
TOTALS_HEADER = ("Phân loại (nhiệm vụ chủ trì)", "Số nhiệm vụ", "Tỷ lệ (%)")
TOTALS_SUM = "Tổng số"
TOTALS_TITLE = "Kế hoạch số {number} - {period} - số liệu đến ngày {as_of}"

# --- the evidence pack -------------------------------------------------------------------------------------------
INDEX_NAME = "danh_muc_minh_chung.csv"
INDEX_COLUMNS = ("Tệp trong gói", "Tên tệp gốc", "Chỉ số / lĩnh vực", "Mã NV", "Nhiệm vụ", "Đơn vị", "Người gửi",
                 "Thời điểm gửi", "SHA-256", "Kích thước (byte)", "Ghi chú")
MISSING_FILE = "Không tìm thấy tệp trong kho lưu trữ"
UNKNOWN_SENDER = "(không rõ)"
