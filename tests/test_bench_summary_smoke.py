"""bench/summary.py end to end with tiny numbers: it runs, and the SQL's counts equal the summary's (exit 0)."""

from __future__ import annotations

import json

import pytest

from bench.summary import main


@pytest.mark.timeout(120)
def test_the_summary_benchmark_runs_and_checks_its_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--units", "12", "--assignments", "200", "--updates", "800", "--runs", "1"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["counts_equal"] is True
    assert result["office"] == {"units": 12, "tasks": 100, "assignments": 200, "status_reports": 800,
                                "extensions": result["office"]["extensions"], "evidence": 200}
    assert sum(result["totals"].values()) == 100 and result["png_bytes"] > 1000
