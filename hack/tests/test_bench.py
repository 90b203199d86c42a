"""The benchmark's pure functions (hack/bench); the measurements themselves run with `make bench`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import common  # noqa: E402
import imports  # noqa: E402
import pytest  # noqa: E402

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 | site
import time:        10 |         10 |   _a
import time:        20 |         50 | ansible.module_utils.basic
import time:         5 |          5 |   x
import time:        30 |         70 | requests
"""


def test_median_and_ratio():
    assert common.median([3, 1, 2]) == 2
    assert common.median([]) is None
    assert common.ratio(3.0, 2.0) == 1.5
    assert common.ratio(None, 2.0) is None and common.ratio(1.0, 0) is None


def test_parse_importtime_and_top_level_after():
    entries = imports.parse_importtime(IMPORTTIME)
    assert entries[0] == (0, 100, 100, "site") and entries[1] == (1, 10, 10, "_a")
    assert imports.top_level_after(entries, "ansible.module_utils.basic") == 70
    assert imports.top_level_after(entries, "site") == 120
    with pytest.raises(common.BenchError):
        imports.top_level_after(entries, "nothing")


def test_the_callback_and_probes_are_real_files():
    for name in ("callback_plugins/bench_timer.py", "probes/own_imports.py", "probes/marginal_import.py", "probes/payload_rss.py"):
        path = common.HERE / name
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
