#!/usr/bin/env python
# alicloud.oss offline get-pip stand-in (marker: do not remove; noxfile.py uses it to recognise this file)
"""Offline stand-in for the get-pip.py script that ansible-test downloads.

ansible-test bootstraps pip into each virtual environment it creates (the sanity tests' venvs, the
``--venv`` delegation venv) by running ``get-pip-<pip version>.py`` from
https://ci-files.testing.ansible.com/. Before downloading it, ansible-test looks for
``~/.ansible/test/cache/get_pip_<pip_version with _ for .>.py`` and uses that file if it exists
(ansible/ansible#77304). The sanity session (noxfile.py) copies this script there, so a machine that reaches the
package index but not the internet can still run ``ansible-test sanity``.

How ansible-test calls it (ansible_test/_util/target/setup/requirements.py ``bootstrap()`` and
quiet_pip.py): the venv's python runs quiet_pip.py with ``GET_PIP=<this file>``; quiet_pip.py runs
this file through ``runpy`` with ``sys.argv = [this file, --disable-pip-version-check, pip==X.Y,
<other packages>..., --no-setuptools, --no-wheel]``.

What it does:

1. installs the pip wheel bundled with the interpreter (``python -m ensurepip``, no network);
2. ``python -m pip install --upgrade <the same arguments>`` from the configured package index, minus
   the get-pip-only flags ``--no-setuptools``, ``--no-wheel`` and ``--no-pip``;
3. honours ``--no-setuptools``: on Python < 3.12 ensurepip also installs setuptools, which the real
   get-pip would not have installed, so it is removed again unless it was there before or requested.

Standard library only; it must run on every Python version ansible-test supports as a target.
"""

import os
import subprocess
import sys

GET_PIP_ONLY_FLAGS = ("--no-setuptools", "--no-wheel", "--no-pip")


def _run(cmd):
    """Run a command, echoing it, and return its exit status."""
    sys.stderr.write("get_pip_offline: %s\n" % " ".join(cmd))
    sys.stderr.flush()
    return subprocess.call(cmd)


def _has_distribution(name):
    """Return True if the named distribution is installed for this interpreter."""
    cmd = [
        sys.executable,
        "-c",
        "import importlib.metadata as m, sys\ntry:\n    m.distribution(sys.argv[1])\nexcept m.PackageNotFoundError:\n    sys.exit(1)",
        name,
    ]
    with open(os.devnull, "wb") as devnull:
        return subprocess.call(cmd, stdout=devnull, stderr=devnull) == 0


def _requested(args, name):
    """Return True if a package argument names the given distribution."""
    for arg in args:
        if arg.startswith("-"):
            continue
        base = arg
        for sep in ("==", ">=", "<=", "~=", "!=", "<", ">", "[", ";", " "):
            base = base.split(sep, 1)[0]
        if base.strip().lower().replace("_", "-") == name:
            return True
    return False


def main(argv):
    """Bootstrap pip with ensurepip, then install the requested packages from the index."""
    install_args = [arg for arg in argv if arg not in GET_PIP_ONLY_FLAGS]
    keep_setuptools = "--no-setuptools" not in argv or _requested(install_args, "setuptools")

    had_setuptools = _has_distribution("setuptools")

    try:
        import ensurepip  # noqa: F401  pylint: disable=unused-import,import-outside-toplevel
    except ImportError:
        sys.stderr.write(
            "get_pip_offline: this Python has no ensurepip module (on Debian and Ubuntu install "
            "the python3-venv package), so pip cannot be bootstrapped without the internet.\n"
        )
        return 1

    status = _run([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    if status:
        sys.stderr.write('get_pip_offline: "python -m ensurepip" failed with status %d\n' % status)
        return status

    if not _requested(install_args, "pip"):
        install_args.append("pip")

    status = _run([sys.executable, "-m", "pip", "install", "--upgrade"] + install_args)
    if status:
        sys.stderr.write("get_pip_offline: installing %s from the package index failed with status %d\n" % (" ".join(install_args), status))
        return status

    if not keep_setuptools and not had_setuptools and _has_distribution("setuptools"):
        status = _run([sys.executable, "-m", "pip", "uninstall", "--yes", "--disable-pip-version-check", "setuptools"])
        if status:
            return status

    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
