"""bench/throughput.py runs end to end with tiny numbers (the figures themselves are not asserted)."""

from __future__ import annotations

import json

import pytest

from bench.throughput import Options, render, run_benchmark


@pytest.mark.parametrize("fake", ["in-process", "process"])
async def test_throughput_benchmark_runs_and_verifies_answers(fake: str) -> None:
    options = Options(replies=12, officers=4, rate=20, duration=0.5, rounds=1, poll_timeout=2, fake=fake)

    result = await run_benchmark(options)

    assert result["correct"], result["problems"]
    saturation = result["saturation"]
    assert len(saturation["echo_replies_per_s"]) == len(saturation["dondoc_replies_per_s"]) == 1
    assert result["latency"]["echo"]["n"] == result["latency"]["dondoc"]["n"] == 10
    # warm-up (4 + 8), a primer before each measured run (4 + 4), phase 1 (12), phase 2 (10): one row each
    assert result["status_reports_stored"] == 4 + 8 + 4 + 4 + 12 + 10
    assert "ratio dondoc/echo" in render(result)
    assert len(saturation["dondoc_cpu_ms_per_reply"]) == 1
    json.dumps(result)
