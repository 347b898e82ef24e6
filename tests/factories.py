"""A small office seeded through the real admin use cases: three units, one plan, four tasks, five members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import admin
from bot.deps import Deps
from storage import members
from storage.db import transaction
from storage.models import Member, Role, Task

PLAN = "435/KH-SVHTT"
# Each seeded member's user id on the test channel (numeric, so the same ids serve as Telegram user/chat ids).
USER_IDS = {"lan": 1001, "minh": 1002, "chief": 1003, "leader": 1004, "hung": 1005}
STRANGER_ID = 9999


class OfficeLookups:
    """Ids of the seeded office's tasks and people, for harnesses that hold it as `office`."""

    office: Office

    def task(self, key: str) -> int:
        task_id = self.office.tasks[key].id
        assert task_id is not None
        return task_id

    def unit(self, person: str) -> int:
        unit_id = self.office.people[person].unit_id
        assert unit_id is not None
        return unit_id

    def member(self, person: str) -> int:
        member_id = self.office.people[person].id
        assert member_id is not None
        return member_id


@dataclass
class Office:
    tasks: dict[str, Task]
    people: dict[str, Member]
    invites: dict[str, str]


async def seed_office(deps: Deps, *, now: datetime, channel: str = "test") -> Office:
    """Units VP, TCPC, TTra; tasks vp_june (VP leads, TCPC coordinates, due 30/6/2023), tcpc_oct (TCPC, 20/10/2023),
    ttra_cont (TTra, continuous), vp_year (VP, 31/12/2023); members lan (VP officer), minh (TCPC officer),
    chief (VP), leader (leadership), hung (TTra officer), each linked on `channel` with the id in USER_IDS.
    Invites: "valid" (TCPC officer), "expired" (VP officer), "head" (TTra unit head)."""
    async with transaction(deps.sessions) as session:
        await admin.add_unit(session, name="Văn phòng Sở", short_name="VP", aliases=["Văn phòng"])
        await admin.add_unit(session, name="Phòng Tổ chức - Pháp chế", short_name="TCPC",
                             aliases=["Phòng TCPC", "Phòng Tổ chức Pháp chế"])
        await admin.add_unit(session, name="Thanh tra Sở", short_name="TTra", aliases=[])
        await admin.add_plan(session, number=PLAN, title="Cải thiện, nâng cao Chỉ số PAPI năm 2023",
                             issued_on=date(2023, 6, 14), issuer="Sở Văn hóa và Thể thao Hà Nội", year=2023)
        specs = {
            "vp_june": dict(code="PL.1.1", title="Thực hiện các quy định về công khai thông tin <theo quy định> & *kịp thời*",
                            lead=["VP"], coordinate=["TCPC"], due=date(2023, 6, 30), start=date(2023, 6, 1),
                            deadline_text="Trong tháng 6/2023", area="Công khai, minh bạch"),
            "tcpc_oct": dict(code="II.3.a", title="Lồng ghép nội dung cải thiện chỉ số PAPI vào kiểm tra công vụ",
                             lead=["Phòng Tổ chức Pháp chế"], due=date(2023, 10, 20),
                             deadline_text="trước ngày 20/10/2023"),
            "ttra_cont": dict(code="PL.2.2", title="Thực hiện tốt công tác tiếp công dân", lead=["TTra"],
                              recurrence="continuous", deadline_text="Thường xuyên"),
            "vp_year": dict(code="II.5", title="Chế độ thông tin, báo cáo định kỳ", lead=["VP"],
                            due=date(2023, 12, 31), start=date(2023, 1, 1), deadline_text="Trong năm 2023"),
        }
        tasks = {key: await admin.add_task(session, plan_number=PLAN, **spec) for key, spec in specs.items()}  # type: ignore[arg-type]
        roster = {
            "lan": ("Nguyễn Thị Lan", Role.OFFICER, "VP"),
            "minh": ("Trần Văn Minh", Role.OFFICER, "TCPC"),
            "chief": ("Vũ Đức Thắng", Role.CHIEF, "VP"),
            "leader": ("Đỗ Đình Hồng", Role.LEADERSHIP, None),
            "hung": ("Phạm Quốc Hùng", Role.OFFICER, "TTra"),
        }
        people: dict[str, Member] = {}
        for key, (name, role, unit) in roster.items():
            member = await admin.add_member(session, full_name=name, role=role, unit=unit, locale=None)
            assert member.id is not None
            user_id = str(USER_IDS[key])
            await members.link_account(session, member_id=member.id, channel=channel, external_id=user_id, chat_id=user_id)
            people[key] = member
        invites = {
            "valid": (await admin.add_invite(session, role=Role.OFFICER, unit="TCPC", days=7, now=now)).code,
            "expired": (await admin.add_invite(session, role=Role.OFFICER, unit="VP", days=1,
                                               now=now - timedelta(days=2))).code,
            "head": (await admin.add_invite(session, role=Role.UNIT_HEAD, unit="TTra", days=7, now=now)).code,
        }
    return Office(tasks=tasks, people=people, invites=invites)
