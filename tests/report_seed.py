"""A plan with a known mix of statuses around the period 2023-Q3 (1/7–30/9/2023), for the report tests.

Raw rows are written directly (status reports, extension decisions, evidence rows and their stored bytes), with
office-local times, so each boundary of the report is exercised:

lead assignments (11) and what they are on 30/9/2023
  vp_june      VP    due 30/6   done 28/6 (before the period)                   done on time
  due_day      TCPC  due 15/8   done 15/8 17:30 (on the due day)                done on time
  day_after    TTra  due 15/8   done 16/8 08:05 (the day after)                 done late
  tcpc_oct     TCPC  due 20/10  50% on 20/9, done 10/10 (after the period)      open, on time
  vp_year      VP    due 31/12  never reported                                  open, on time
  extended     TCPC  due 10/9   extension to 31/10 approved 5/9                 open, on time (approved date)
  ext_late     TTra  due 10/9   extension to 31/10 approved 3/10 (after)        open, overdue
  overdue      VP    due 1/9    in progress 40% on 1/9                          open, overdue
  ttra_cont    TTra  continuous reported 12/9                                   reported this period (September)
  cont_pending VP    continuous reported 20/8 only                              not reported this period
  no_deadline  TTra  no date    nothing                                         no deadline
plus TCPC coordinating vp_june: blocked ("thiếu kinh phí") on 5/7/2023.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot import admin
from bot.deps import Deps
from storage.db import transaction
from storage.models import Evidence, ExtensionRequest, ExtensionState, Status, StatusReport
from tests.conftest import at
from tests.factories import PLAN, Office, seed_office

PERIOD = "2023-Q3"
AS_OF = date(2023, 9, 30)

EXTRA_TASKS = {
    "due_day": dict(code="III.1", title="Công khai kết quả giải quyết khiếu nại", lead=["TCPC"], due=date(2023, 8, 15),
                    deadline_text="trước ngày 15/8/2023", area="Kiểm soát tham nhũng trong khu vực công"),
    "day_after": dict(code="III.2", title="Kiểm tra việc thực hiện kết luận thanh tra", lead=["TTra"],
                      due=date(2023, 8, 15), deadline_text="trước ngày 15/8/2023",
                      area="Kiểm soát tham nhũng trong khu vực công"),
    "overdue": dict(code="IV.1", title="Nâng cấp giao diện Cổng thông tin điện tử", lead=["VP"], due=date(2023, 9, 1),
                    deadline_text="chậm nhất ngày 01/9/2023", area="Quản trị điện tử"),
    "extended": dict(code="IV.2", title="Số hóa hồ sơ thủ tục hành chính", lead=["TCPC"], due=date(2023, 9, 10),
                     deadline_text="trước ngày 10/9/2023", area="Quản trị điện tử"),
    "ext_late": dict(code="IV.3", title="Phản hồi ý kiến người dân trên Cổng TTĐT", lead=["TTra"],
                     due=date(2023, 9, 10), deadline_text="trước ngày 10/9/2023", area="Quản trị điện tử"),
    "cont_pending": dict(code="IV.4", title="Cập nhật thông tin trên Cổng TTĐT", lead=["VP"], recurrence="continuous",
                         deadline_text="Thường xuyên", area="Quản trị điện tử"),
    "no_deadline": dict(code="V.1", title="Rà soát quy trình nội bộ", lead=["TTra"], deadline_text="Theo quy định"),
}

# (task, unit, status, percent, note, office-local time)
REPORTS = [
    ("vp_june", "VP", Status.IN_PROGRESS, 50, "Đã đăng 20 tin", "2023-06-10 09:00"),
    ("vp_june", "VP", Status.DONE, None, "Đã công khai đầy đủ trên Cổng", "2023-06-28 10:00"),
    ("vp_june", "TCPC", Status.BLOCKED, None, "thiếu kinh phí in ấn", "2023-07-05 14:00"),
    ("due_day", "TCPC", Status.IN_PROGRESS, 60, "Đang tổng hợp", "2023-07-20 09:00"),
    ("due_day", "TCPC", Status.DONE, None, "Đã công khai 12 kết quả", "2023-08-15 17:30"),
    ("day_after", "TTra", Status.DONE, None, "Đã kiểm tra 3 đơn vị", "2023-08-16 08:05"),
    ("tcpc_oct", "TCPC", Status.IN_PROGRESS, 50, "Đã xây dựng dự thảo", "2023-09-20 11:00"),
    ("tcpc_oct", "TCPC", Status.DONE, None, "Hoàn thành sau kỳ", "2023-10-10 09:00"),
    ("overdue", "VP", Status.IN_PROGRESS, 40, "Đang chờ nhà thầu", "2023-09-01 16:00"),
    ("ttra_cont", "TTra", Status.IN_PROGRESS, None, "Tiếp 15 lượt công dân", "2023-09-12 10:00"),
    ("cont_pending", "VP", Status.IN_PROGRESS, None, "Cập nhật 8 tin", "2023-08-20 10:00"),
    ("ext_late", "TTra", Status.BLOCKED, None, "chờ phần mềm mới", "2023-09-08 09:00"),
]
# (task, unit, requested due, decided at)
EXTENSIONS = [
    ("extended", "TCPC", date(2023, 10, 31), "2023-09-05 09:00"),
    ("ext_late", "TTra", date(2023, 10, 31), "2023-10-03 09:00"),
]
# (task, unit, sender, file name, content, office-local time)
EVIDENCE = [
    ("vp_june", "VP", "lan", "bao cao.docx", b"PK-fake-docx-1", "2023-06-28 10:05"),
    ("due_day", "TCPC", "minh", "quyet-dinh.pdf", b"%PDF-1.4 fake decision", "2023-08-15 17:35"),
    ("due_day", "TCPC", "minh", "quyet-dinh.pdf", b"%PDF-1.4 second version", "2023-08-16 09:00"),
    ("overdue", "VP", "lan", "anh.jpg", b"\xff\xd8\xff fake jpeg", "2023-09-05 08:00"),
    ("tcpc_oct", "TCPC", "minh", "sau-ky.pdf", b"%PDF after the period", "2023-10-12 08:00"),
]


@dataclass
class ReportOffice:
    office: Office
    tasks: dict[str, int]
    units: dict[str, int]


async def seed_report_plan(deps: Deps, *, channel: str = "test") -> ReportOffice:
    office = await seed_office(deps, now=at("2023-06-01 08:00"), channel=channel)
    tasks = {key: task.id for key, task in office.tasks.items()}
    async with transaction(deps.sessions) as session:
        for key, spec in EXTRA_TASKS.items():
            task = await admin.add_task(session, plan_number=PLAN, **spec)  # type: ignore[arg-type]
            tasks[key] = task.id
        units = {unit: (await admin.resolve_unit(session, unit)).id for unit in ("VP", "TCPC", "TTra")}
        people = {key: member.id for key, member in office.people.items()}
        by_unit = {"VP": people["lan"], "TCPC": people["minh"], "TTra": people["hung"]}
        for task, unit, status, percent, note, when in REPORTS:
            session.add(StatusReport(task_id=tasks[task], unit_id=units[unit], member_id=by_unit[unit], status=status,
                                     percent=percent, note=note, channel=channel, created_at=at(when)))
        for task, unit, due, decided in EXTENSIONS:
            session.add(ExtensionRequest(task_id=tasks[task], unit_id=units[unit], member_id=by_unit[unit],
                                         requested_due=due, channel=channel, state=ExtensionState.APPROVED,
                                         approved_due=due, decided_at=at(decided), created_at=at("2023-09-04 08:00"),
                                         decided_by_member_id=people["chief"]))
        for task, unit, sender, name, content, when in EVIDENCE:
            stored = await deps.evidence.save(content)
            session.add(Evidence(task_id=tasks[task], unit_id=units[unit], member_id=people[sender], file_name=name,
                                 mime_type="application/octet-stream", size=stored.size, sha256=stored.sha256,
                                 channel=channel, created_at=at(when)))
    return ReportOffice(office=office, tasks=tasks, units=units)  # type: ignore[arg-type]
