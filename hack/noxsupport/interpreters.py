"""Find a Python X.Y: on PATH, else where pyenv keeps it (`pyenv prefix`), since pyenv's shims answer only for the
versions pyenv currently selects."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess

PROBE = 'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2]); print(sys.executable)'


def _works(candidate: str, version: str) -> str | None:
    """The interpreter's real path when it runs, is version X.Y and has venv and ensurepip."""
    try:
        proc = subprocess.run([candidate, "-c", PROBE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = proc.stdout.decode("utf-8", "replace").split()
    if proc.returncode == 0 and len(lines) == 2 and lines[0] == version and os.path.isfile(lines[1]):
        return lines[1]
    return None


def pyenv_candidates(version: str) -> list[str]:
    """python<X.Y> of each pyenv version X.Y.* (`pyenv prefix`, newest first), when pyenv is installed."""
    pyenv = shutil.which("pyenv")
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    if not pyenv and os.path.isfile(os.path.join(root, "bin", "pyenv")):
        pyenv = os.path.join(root, "bin", "pyenv")
    if not pyenv:
        return []
    full = sorted(
        (os.path.basename(p) for p in glob.glob(os.path.join(root, "versions", version + ".*"))),
        key=lambda v: [int(x) if x.isdigit() else -1 for x in v.split(".")],
        reverse=True,
    )
    found = []
    for name in full:
        proc = subprocess.run([pyenv, "prefix", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30, check=False)
        prefix = proc.stdout.decode().strip()
        if proc.returncode == 0 and prefix:
            found.append(os.path.join(prefix, "bin", "python" + version))
    return found


def find(version: str) -> str | None:
    """A working python<X.Y>, or None."""
    candidates = [path for path in [shutil.which("python" + version)] if path] + pyenv_candidates(version)
    for candidate in candidates:
        path = _works(candidate, version)
        if path:
            return path
    return None
