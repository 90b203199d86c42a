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


def expose(versions: list[str], directory: str) -> dict[str, str | None]:
    """Make `pythonX.Y` of each version callable from PATH, for nox to find: when the PATH one does not work (a pyenv
    shim for a version pyenv does not select), link the one pyenv has into `directory` and put that first on PATH.
    Returns {version: interpreter or None}; a None leaves nox to report "Python interpreter X.Y not found"."""
    found: dict[str, str | None] = {}
    for version in versions:
        on_path = shutil.which("python" + version)
        if on_path and _works(on_path, version):
            found[version] = on_path
            continue
        found[version] = None
        for candidate in pyenv_candidates(version):
            path = _works(candidate, version)
            if path:
                os.makedirs(directory, exist_ok=True)
                link = os.path.join(directory, "python" + version)
                if os.path.islink(link) or os.path.exists(link):
                    os.unlink(link)
                os.symlink(path, link)
                if directory not in os.environ.get("PATH", "").split(os.pathsep):
                    os.environ["PATH"] = directory + os.pathsep + os.environ.get("PATH", "")
                found[version] = link
                break
    return found
