"""Consistency checks on the hand-transcribed KH 435 demo data."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from bot import demo_data
from bot.demo_data import ALL_UNITS, RECURRENCES, TASKS, UNITS

SHORT_NAMES = {u.short_name for u in UNITS}
TASK_IDS = [t.code for t in TASKS]


def test_plan_metadata() -> None:
    assert demo_data.PLAN_NUMBER == "435/KH-SVHTT"
    assert demo_data.PLAN_ISSUED_ON == date(2023, 6, 14)
    assert demo_data.PLAN_ISSUER == "Sở Văn hóa và Thể thao Hà Nội"
    assert demo_data.PLAN_YEAR == 2023
    assert "PAPI" in demo_data.PLAN_TITLE


def test_task_codes_are_unique() -> None:
    assert len(TASK_IDS) == len(set(TASK_IDS))


def test_unit_short_names_and_names_are_unique() -> None:
    assert len(SHORT_NAMES) == len(UNITS)
    assert len({u.name for u in UNITS}) == len(UNITS)
    assert ALL_UNITS not in SHORT_NAMES


def test_unit_spellings_do_not_collide() -> None:
    spellings = [s.casefold() for u in UNITS for s in (u.name, u.short_name, *u.aliases)]
    assert len(spellings) == len(set(spellings))


def test_expected_units_are_present() -> None:
    assert {"VP", "TCPC", "KHTC", "QLVH", "TTra", "TTTL"} <= SHORT_NAMES


@pytest.mark.parametrize("task", TASKS, ids=TASK_IDS)
def test_referenced_units_exist(task: demo_data.DemoTask) -> None:
    for role in (task.lead, task.coordinate, task.supervise):
        for unit in role:
            assert unit == ALL_UNITS or unit in SHORT_NAMES, unit


@pytest.mark.parametrize("task", TASKS, ids=TASK_IDS)
def test_each_task_has_a_lead_and_no_unit_twice_in_a_role(task: demo_data.DemoTask) -> None:
    assert task.lead
    for role in (task.lead, task.coordinate, task.supervise):
        assert len(role) == len(set(role))
    assert not set(task.lead) & set(task.coordinate)


@pytest.mark.parametrize("task", TASKS, ids=TASK_IDS)
def test_dates_and_recurrence(task: demo_data.DemoTask) -> None:
    assert task.recurrence in RECURRENCES
    assert task.deadline_text.strip()
    if task.start is not None and task.due is not None:
        assert task.due >= task.start
    if task.deadline_text in ("Thường xuyên", "Theo quy định"):
        assert task.due is None
    if task.recurrence == "none" and task.deadline_text != "Theo quy định":
        assert task.due is not None


@pytest.mark.parametrize("task", TASKS, ids=TASK_IDS)
def test_text_is_nfc_and_not_empty(task: demo_data.DemoTask) -> None:
    assert task.title.strip()
    for text in (task.title, task.expected_result, task.area, task.component, task.deadline_text):
        if text is not None:
            assert unicodedata.is_normalized("NFC", text)
            assert text == text.strip()


def test_prose_and_appendix_shapes() -> None:
    prose = [t for t in TASKS if not t.code.startswith("PL.")]
    appendix = [t for t in TASKS if t.code.startswith("PL.")]
    assert all(t.expected_result is None and t.component is None for t in prose)
    assert all(t.expected_result and t.component and t.area for t in appendix)
    assert len(appendix) == 11


def test_reporting_regime_task() -> None:
    report = next(t for t in TASKS if "trước ngày 20/10/2023" in t.deadline_text)
    assert report.lead == (ALL_UNITS,)
    assert report.due == date(2023, 10, 20)
