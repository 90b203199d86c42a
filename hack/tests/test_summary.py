import json

from noxsupport import summary


def report(*results):
    return {"sessions": [{"name": "s%d" % i, "result": r, "duration": 1.5, "reason": None} for i, r in enumerate(results)]}


def test_counts_and_final_line():
    lines, failed = summary.summarize(report("success", "failed", "skipped", "aborted", "success"))
    assert lines[-1] == "2 passed, 2 failed, 1 skipped"
    assert failed == 2
    assert any(line.startswith("s1") and "1.5s" in line for line in lines)


def test_no_skipped_part_when_none_skipped():
    lines, failed = summary.summarize(report("success"))
    assert (lines[-1], failed) == ("1 passed, 0 failed", 0)


def test_main_exit_status(tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report("success", "failed")))
    assert summary.main([str(path)]) == 1
    path.write_text(json.dumps(report("success")))
    assert summary.main([str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 0 failed"


def test_missing_report_fails(tmp_path, capsys):
    assert summary.main([str(tmp_path / "none.json")]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "0 passed, 1 failed"


def test_empty_report_fails(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"sessions": []}))
    assert summary.main([str(path)]) == 1


def test_wall_clock_beside_the_sum(tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report("success", "success")))
    assert summary.main([str(path), "125"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2] == "wall-clock 125s (2.1 min); the sessions took 3.0s in all, some in parallel"
    assert lines[-1] == "2 passed, 0 failed"
