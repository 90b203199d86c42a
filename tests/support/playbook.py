# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one ansible-playbook runner for the demo, the benchmark and the reliability suite (standard library only)."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import time
import typing as t
from pathlib import Path

RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


@dataclasses.dataclass
class PlaybookRun:
    """What one ansible-playbook run left behind."""

    command: list
    returncode: int
    stdout: str
    stderr: str
    duration: float

    def recap(self, host: str = "localhost") -> dict | None:
        """{ok, changed, unreachable, failed} of the PLAY RECAP line of `host`, or None."""
        for match in RECAP.finditer(self.stdout):
            if match.group(1) == host:
                return dict(zip(("ok", "changed", "unreachable", "failed"), (int(value) for value in match.groups()[1:])))
        return None


def ansible_playbook() -> str:
    """The ansible-playbook next to the running Python (the venv the caller runs in)."""
    return str(Path(sys.executable).parent / "ansible-playbook")


def run_playbook(
    playbook: str | os.PathLike,
    *,
    env: t.Mapping[str, str],
    extra_vars: t.Mapping[str, t.Any] | None = None,
    options: t.Sequence[str] = (),
    cwd: str | os.PathLike | None = None,
    timeout: float | None = 600,
) -> PlaybookRun:
    """Run ansible-playbook on `playbook` with exactly `env` (the caller builds it) and return what it left."""
    command = [ansible_playbook(), str(playbook), *options]
    for name, value in (extra_vars or {}).items():
        command += ["-e", "%s=%s" % (name, value)]
    started = time.monotonic()
    done = subprocess.run(command, env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    return PlaybookRun(command, done.returncode, done.stdout, done.stderr, time.monotonic() - started)
