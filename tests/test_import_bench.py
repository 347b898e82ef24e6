"""bench/import_speed.py runs end to end with small files; what is asserted is that every preview was checked
against what the generator wrote (and that the check catches a wrong one), not the timings."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bench.import_speed import Options, import_once, main, make_docx, office, problems_of, render, run_benchmark


def test_import_benchmark_runs_and_verifies_every_preview() -> None:
    result = run_benchmark(Options(xlsx_rows=40, docx_rows=15, runs=2))

    assert result["correct"], result["problems"]
    assert [(file["name"], file["rows"], file["tasks"]) for file in result["files"]] == [
        ("phu-luc.xlsx", 40, 40), ("ke-hoach.docx", 15, 15)]
    assert all(len(file["runs_s"]) == 2 and set(file["phases_median_s"]) == {"read", "extract", "preview"}
               for file in result["files"])
    assert "ke-hoach.docx" in render(result)
    json.dumps(result, default=str)


def test_the_check_catches_a_wrong_preview() -> None:
    generated = make_docx(6)
    units = office()
    _, preview = import_once(generated, units)
    assert problems_of(preview, generated, units) == []
    written = generated.expected[2]
    other = "Thanh tra Sở" if written.lead != "Thanh tra Sở" else "Văn phòng Sở"
    generated.expected[2] = dataclasses.replace(written, lead=other)
    assert len(problems_of(preview, generated, units)) == 1


def test_command_line_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--xlsx-rows", "10", "--docx-rows", "5", "--runs", "1", "--check", "--target", "600"]) == 0
    assert main(["--xlsx-rows", "10", "--docx-rows", "5", "--runs", "1", "--check", "--target", "0"]) == 1
    last = capsys.readouterr().out.strip().split("\n")[-1]
    assert json.loads(last)["targets_met"] is False
