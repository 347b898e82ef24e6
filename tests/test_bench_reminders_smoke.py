"""bench/reminders.py runs end to end with tiny numbers (the figures themselves are not asserted)."""

from __future__ import annotations

import json

from bench.reminders import Options, render, run_benchmark


async def test_reminder_benchmark_runs_and_checks_its_results() -> None:
    options = Options(tasks=600, units=4, runs=2, history_days=2, members=12)

    result = await run_benchmark(options)

    assert result["correct"], result["problems"]
    planning, fanout = result["planning"], result["fanout"]
    assert planning["office"]["tasks"] == 600
    assert len(planning["runs_seconds"]) == len(planning["plan_day_seconds"]) == 2
    assert planning["messages"] > 0 and planning["items"] >= planning["messages"]
    # every member got exactly one message listing exactly their 4 tasks, and every outbox row is sent
    assert fanout["messages_received"] == fanout["members_reached_once"] == 12
    assert fanout["outbox_states"] == {"sent": 12}
    assert fanout["tasks"] == 48
    assert "429 answers" in render(result)
    json.dumps(result)
