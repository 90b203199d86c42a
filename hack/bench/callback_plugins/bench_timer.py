# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# The benchmark's callback (hack/bench/playbooks.py enables it). Per-task wall time: from one task's start to the next one's (as profile_tasks).
from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_timer
type: aggregate
short_description: Per-task wall time for the benchmark (hack/bench)
description: [Writes a JSON list of tasks with their wall time to the file named by BENCH_TIMER_OUT.]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rows = []
        self._current = None

    def _close(self):
        if self._current is not None:
            self._current["seconds"] = time.perf_counter() - self._current.pop("start")
            self._rows.append(self._current)
            self._current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self._current = {"task": task.get_name(), "start": time.perf_counter(), "status": None, "changed": None}

    def _record(self, result, status):
        data = getattr(result, "result", None)
        if data is None:
            data = result._result
        if self._current is not None:
            self._current.update(status=status, changed=bool(data.get("changed")))
            if status != "ok":
                self._current["msg"] = str(data.get("msg", ""))[:1000]

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_playbook_on_stats(self, stats):
        self._close()
        with open(os.environ["BENCH_TIMER_OUT"], "w", encoding="utf-8") as handle:
            json.dump(self._rows, handle)
