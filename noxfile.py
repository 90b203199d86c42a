# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test sessions of the alicloud.oss collection (docs/development.md). `make test` runs the default ones.

`nox -l` lists them; `nox -s units-2.19` runs one; `nox -t units` runs every session tagged units.
Each session installs from the exact pins of constraints/ansible-core-X.Y.txt into its own venv under .nox/.
The helpers in hack/noxsupport/ do one job each and have tests of their own (the `tooling` session).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "hack"))
sys.path.insert(0, str(ROOT / "tests" / "emulator"))
from noxsupport import interpreters, sanity as sanity_checks, tarball as tarball_checks, tree  # noqa: E402
from ossemu.process import EmulatorProcess  # noqa: E402  (the emulator's launcher, standard library only)

TMP = ROOT / ".tmp"
COLLECTIONS = TMP / "collections"  # ansible_collections/alicloud/oss -> ROOT, for pytest, ansible-lint and the demo
TEST_HOME = ROOT / ".cache" / "ansible-test-home"  # HOME for ansible-test sanity, ansible-lint, ansible-doc (see docs)
FQCN_PREFIX = "alicloud.oss."

# ansible-core X.Y -> the Python its sessions run on. The oldest is the minor meta/runtime.yml claims; the pins (the
# newest patch release of each) are in constraints/ansible-core-X.Y.txt.
CORES = {"2.17": "3.11", "2.19": "3.11"}
NEWEST = "2.19"  # sanity, lint, docs, artifact, emulator and reliability run with this one
CONTROLLER_PYTHON = CORES[NEWEST]

nox.options.default_venv_backend = "virtualenv"
nox.options.reuse_venv = "yes"  # install() below skips pip when nothing changed
nox.options.download_python = "never"  # a missing interpreter skips the session (fails it under CI=true)
nox.options.error_on_external_run = True
# `make test`: sanity first (the longest; it runs beside the others under `nox -j 2`), then the long ones.
nox.options.sessions = (
    ["sanity"]
    + ["integration-%s" % core for core in reversed(CORES)]
    + ["reliability", *("units-%s" % core for core in reversed(CORES)), "emulator", "artifact", "lint", "docs", "tooling"]
)

QUIET_ENV = {"PY_COLORS": "0", "NO_COLOR": "1", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "PYTHONDONTWRITEBYTECODE": "1"}


def constraints(core: str) -> Path:
    return ROOT / "constraints" / ("ansible-core-%s.txt" % core)


def install(session: nox.Session, core: str, *args: str) -> None:
    """pip install args with the pins of `core`; skipped when this venv already has exactly that (a stamp file)."""
    parts = [str(constraints(core)), *args]
    files = [constraints(core)] + [ROOT / args[i + 1] for i, arg in enumerate(args) if arg == "-r"]
    digest = hashlib.sha256(json.dumps(parts).encode() + b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = Path(session.virtualenv.location) / ".alicloud-oss-installed"
    if stamp.is_file() and stamp.read_text() == digest:
        session.log("requirements unchanged since the last install; not running pip")
        return
    session.install("--disable-pip-version-check", "-c", str(constraints(core)), *args)
    stamp.write_text(digest)


def python_of(session: nox.Session) -> str:
    """The session venv's python."""
    return str(Path(session.virtualenv.location) / "bin" / "python")


def isolated_env(**extra: str) -> dict[str, str]:
    """A project-local HOME (docs/development.md, "Offline pip bootstrap"), keeping the user's pip configuration."""
    TEST_HOME.mkdir(parents=True, exist_ok=True)
    env = dict(QUIET_ENV, HOME=str(TEST_HOME), **extra)
    real_home = Path.home()
    if "PIP_CONFIG_FILE" not in os.environ:
        xdg = Path(os.environ.get("XDG_CONFIG_HOME") or real_home / ".config")
        for path in (xdg / "pip" / "pip.conf", real_home / ".pip" / "pip.conf"):
            if path.is_file():
                env["PIP_CONFIG_FILE"] = str(path)
                break
    if "PYENV_ROOT" not in os.environ and (real_home / ".pyenv").is_dir():
        env["PYENV_ROOT"] = str(real_home / ".pyenv")
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "ANSIBLE_HOME", "ANSIBLE_CONFIG"):
        env[name] = None  # type: ignore[assignment]  # nox removes variables set to None
    return env


def modules() -> list[str]:
    return sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if not p.name.startswith("__"))


def check_ansible_doc(session: nox.Session, collections_root: Path) -> None:
    """Every module renders with this session's ansible-doc, exit 0 and nothing on stderr."""
    env = isolated_env(ANSIBLE_COLLECTIONS_PATH=str(collections_root), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    bad = []
    for module in modules():
        fqcn = FQCN_PREFIX + module
        proc = subprocess.run(
            [str(Path(python_of(session)).parent / "ansible-doc"), "-t", "module", fqcn],
            env={**os.environ, **{k: v for k, v in env.items() if v is not None}},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        clean = proc.returncode == 0 and not proc.stderr.strip() and fqcn.upper() in proc.stdout.upper()
        session.log("ansible-doc %s: %s" % (fqcn, "clean" if clean else "NOT CLEAN (exit %d) %s" % (proc.returncode, proc.stderr.strip())))
        if not clean:
            bad.append(fqcn)
    if bad:
        session.error("ansible-doc is not clean for " + ", ".join(bad))


def pytest(session: nox.Session, path: str, *extra: str) -> str:
    """pytest on one directory, the collection importable as ansible_collections.alicloud.oss; returns its output."""
    tree.link_collection(ROOT, COLLECTIONS)
    output = session.run(
        "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, *session.posargs, path, env=dict(QUIET_ENV, PYTHONPATH=str(COLLECTIONS)), silent=True
    )
    print(output)
    return str(output)


# --- units and integration, once per ansible-core ------------------------------------------------------------------


def _units(session: nox.Session, core: str) -> None:
    install(session, core, "ansible-core", "-r", "requirements.txt", "-r", "tests/unit/requirements.txt")
    pytest(session, "tests/unit")


def _integration(session: nox.Session, core: str) -> None:
    """ansible-test integration against the OSS emulator, from a copy of the tree; then ansible-doc on this core."""
    install(session, core, "ansible-core", "-r", "requirements.txt", "-r", "tests/integration/requirements.txt")
    copy = tree.make_copy(ROOT, TMP / "copies" / session.name)
    workdir = TMP / (session.name + "-run")
    workdir.mkdir(parents=True, exist_ok=True)
    python = python_of(session)
    version = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, check=True).stdout.strip()
    # The real HOME here: with a HOME that differs from the passwd home, async tasks break (async_status looks under
    # ~user/.ansible_async). ansible-test --local builds no venv and downloads nothing.
    cmd = ["ansible-test", "integration", "--local", "--allow-unsupported", "--continue-on-error", "--python", version, "--color", "no", *session.posargs]
    with session.chdir(copy):
        listed = session.run(*cmd, "--list-targets", env=QUIET_ENV, silent=True)
    expected = [line.strip() for line in str(listed).splitlines() if re.fullmatch(r"[A-Za-z0-9_.-]+", line.strip())]
    if not expected:
        session.error("ansible-test integration --list-targets found no target")
    for name in ("port", "requests.jsonl"):
        (workdir / name).unlink(missing_ok=True)
    emulator = EmulatorProcess(
        ["--port-file", workdir / "port", "--request-log", workdir / "requests.jsonl"],
        python=python,
        cwd=ROOT,
        stderr=subprocess.STDOUT,
        log_path=workdir / "emulator.log",
        new_session=True,
    )
    with emulator:
        session.log("emulator at %s (log: %s)" % (emulator.endpoint, workdir / "emulator.log"))
        values = {
            "oss_endpoint": emulator.endpoint,
            "oss_control_url": emulator.endpoint + "/_emulator",
            **INTEGRATION_CONFIG,
            "oss_emulator_python": python,
            "oss_repo_root": str(ROOT),
        }
        (copy / "tests" / "integration" / "integration_config.yml").write_text(
            "---\n# Written by noxfile.py for one run against the OSS emulator.\n"
            + "".join("%s: %s\n" % (key, json.dumps(value)) for key, value in values.items())
        )
        with session.chdir(copy):
            output = str(session.run(*cmd, env=QUIET_ENV, silent=True))
    print(output)
    ran = set(re.findall(r"^Running (\S+) integration test role", output, re.M))
    not_run = [target for target in expected if target not in ran]
    if not_run or "WARNING: All targets skipped" in output:
        session.error("integration targets not run: " + (", ".join(not_run) or "all skipped"))
    session.log("ansible-core %s: %d of %d targets ran and passed" % (core, len(ran), len(expected)))
    check_ansible_doc(session, copy.parents[2])


# The emulator's built-in account and buckets (tests/integration/integration_config.yml.sample); not real credentials.
INTEGRATION_CONFIG = {
    "oss_region": "cn-hangzhou",
    "oss_access_key_id": "LTAI5tEmulatorKey0001",
    "oss_access_key_secret": "EmulatorSecret0001xxxxxxxxxxxxxx",
    "oss_sts_access_key_id": "STS.EmulatorStsKey0001",
    "oss_sts_access_key_secret": "EmulatorStsSecret0001xxxxxxxxxxx",
    "oss_security_token": "EmulatorSecurityToken0001",
    "oss_bucket": "demo-bucket",
    "oss_other_bucket": "other-bucket",
}


def _define(kind: str, func, core: str, python: str) -> None:
    def session_func(session: nox.Session) -> None:
        func(session, core)

    session_func.__name__ = "%s_%s" % (kind, core.replace(".", "_"))
    session_func.__doc__ = "%s with ansible-core %s on Python %s" % (func.__doc__ or kind, core, python)
    nox.session(name="%s-%s" % (kind, core), python=python, tags=[kind, "core-" + core], allow_parallel=True)(session_func)


_units.__doc__ = "Unit tests (pytest tests/unit)"
for _core, _python in CORES.items():
    _define("units", _units, _core, _python)
    _define("integration", _integration, _core, _python)


# --- the other stages ----------------------------------------------------------------------------------------------


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def emulator(session: nox.Session) -> None:
    """The OSS emulator's own tests (pytest tests/emulator)."""
    install(session, NEWEST, "-r", "tests/emulator/requirements.txt")
    pytest(session, "tests/emulator")


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def reliability(session: nox.Session) -> None:
    """Real ansible-playbook runs against the emulator under faults, bad input, authentication problems and secrets."""
    install(session, NEWEST, "ansible-core", "-r", "requirements.txt", "-r", "tests/reliability/requirements.txt")
    output = pytest(session, "tests/reliability")
    match = re.search(r"rows not as expected: (\d+); rows: (\d+)", output)
    if not match or int(match.group(1)):
        session.error("the reliability suite printed no summary line" if not match else "%s reliability rows not as expected" % match.group(1))


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def artifact(session: nox.Session) -> None:
    """Build the tarball (contents checked), install it, render the docs and run the demo from the installed copy;
    ansible-builder create on meta/execution-environment.yml and introspect on the installed collection."""
    install(session, NEWEST, "ansible-core", "ansible-builder", "-r", "requirements.txt")
    work = TMP / "artifact"
    shutil.rmtree(work, ignore_errors=True)
    dist, collections = work / "dist", work / "collections"
    env = isolated_env(ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    # Built from the working tree, as `make build` and a maintainer do: build_ignore must keep out whatever lies around.
    session.run("ansible-galaxy", "collection", "build", "--force", "--output-path", str(dist), env=env)
    tarballs = sorted(dist.glob("alicloud-oss-*.tar.gz"))
    if len(tarballs) != 1:
        session.error("expected one tarball in %s, found %d" % (dist, len(tarballs)))
    names = tarball_checks.member_names(tarballs[0])
    session.log("%s: %d files, %.0f kB" % (tarballs[0].name, len(names), tarballs[0].stat().st_size / 1024))
    problems = tarball_checks.problems(names, tree.tree_files(ROOT), tarballs[0].stat().st_size)
    if problems:
        session.error("the tarball " + "; ".join(problems))
    session.run("ansible-galaxy", "collection", "install", "--force", "--offline", str(tarballs[0]), "-p", str(collections), env=env)
    installed = collections / "ansible_collections" / "alicloud" / "oss"
    check_ansible_doc(session, collections)
    # Playbook and modules from the installed copy; the emulator and the demo driver from the repository.
    session.run(
        "python",
        str(ROOT / "hack" / "demo.py"),
        "--collections-path",
        str(collections),
        "--playbook",
        str(installed / "examples" / "custom_domain.yml"),
        env=dict(QUIET_ENV, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false"),
    )
    check_execution_environment(session, tarballs[0], installed, collections, work / "ee", env)


def check_execution_environment(session: nox.Session, tarball: Path, installed: Path, collections: Path, work: Path, env: dict) -> None:
    """meta/execution-environment.yml is a valid schema-3 file; an execution environment definition that includes the
    tarball gets its build context from `ansible-builder create` (no container engine needed); and `ansible-builder
    introspect`, which the build runs on the installed collections, finds every requirement of requirements.txt."""
    session.run(
        "python",
        "-c",
        "import sys, yaml; from ansible_builder.ee_schema import validate_schema; validate_schema(yaml.safe_load(open(sys.argv[1])))",
        str(installed / "meta" / "execution-environment.yml"),
    )
    work.mkdir(parents=True, exist_ok=True)
    definition = {
        "version": 3,
        "images": {"base_image": {"name": "quay.io/fedora/python-311:latest"}},
        "dependencies": {
            "ansible_core": {"package_pip": "ansible-core"},
            "ansible_runner": {"package_pip": "ansible-runner"},
            "galaxy": {"collections": [{"name": "/build/collections/" + tarball.name, "type": "file"}]},
        },
        "additional_build_files": [{"src": str(tarball), "dest": "collections"}],
    }
    (work / "execution-environment.yml").write_text(json.dumps(definition, indent=2))
    session.run(
        "ansible-builder",
        "create",
        "--file",
        str(work / "execution-environment.yml"),
        "--context",
        str(work / "context"),
        "--output-filename",
        "Containerfile",
        env=env,
    )
    for wanted in ("Containerfile", "_build/requirements.yml", "_build/collections/" + tarball.name):
        if not (work / "context" / wanted).is_file():
            session.error("ansible-builder create wrote no %s" % wanted)
    introspected = str(session.run("ansible-builder", "introspect", str(collections), env=env, silent=True))
    print(introspected)
    wanted = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines() if line.strip() and not line.startswith("#")]
    lacking = [line for line in wanted if "%s  # from collection alicloud.oss" % line not in introspected]
    if lacking:
        session.error("ansible-builder introspect does not list %s from alicloud.oss" % ", ".join(lacking))


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def sanity(session: nox.Session) -> None:
    """ansible-test sanity --venv from a copy of the tree, the offline get-pip stand-in; no test skipped or ignored;
    compile and import also on the other Pythons the modules claim that are installed."""
    install(session, NEWEST, "ansible-core")
    ignores = sanity_checks.ignore_entries(ROOT)
    if ignores:
        session.error("the collection keeps no sanity ignores: " + "; ".join(ignores))
    copy = tree.make_copy(ROOT, TMP / "copies" / "sanity")
    python = python_of(session)
    versions = json.loads(subprocess.run([python, "-c", PIP_VERSIONS], capture_output=True, text=True, check=True).stdout)
    for note in sanity_checks.install_get_pip_stand_in(TEST_HOME / ".ansible" / "test" / "cache", versions["pip"], ROOT / "hack" / "get_pip_offline.py"):
        session.log(note)
    env = isolated_env()
    with session.chdir(copy):
        listed = str(session.run("ansible-test", "sanity", "--list-tests", "--local", "--python", CONTROLLER_PYTHON, "--color", "no", env=env, silent=True))
    expected = sanity_checks.listed_tests(listed)
    selected = [arg for test in session.posargs for arg in ("--test", test)]
    junit_dir = copy / "tests" / "output" / "junit"
    shutil.rmtree(junit_dir, ignore_errors=True)
    with session.chdir(copy):
        output = str(
            session.run("ansible-test", "sanity", "--color", "no", "--junit", "-v", "--python", CONTROLLER_PYTHON, "--venv", *selected, env=env, silent=True)
        )
    print(output)
    # compile and import once more with every other Python ansible-test supports, the modules claim and is installed.
    floor = tuple(int(x) for x in re.search(r">=\s*(\d+)\.(\d+)", (ROOT / "tests" / "config.yml").read_text()).groups())
    wanted = [v for v in versions["pythons"] if tuple(int(x) for x in v.split(".")) >= floor and v != CONTROLLER_PYTHON]
    found = {v: interpreters.find(v) for v in wanted}
    session.log(
        "compile and import on Python %s; not installed here: %s"
        % (", ".join([CONTROLLER_PYTHON] + [v for v, p in found.items() if p]), ", ".join(v for v, p in found.items() if not p) or "-")
    )
    extra = {v: p for v, p in found.items() if p}
    if extra and not session.posargs:
        path = os.pathsep.join([str(Path(python).parent)] + [os.path.dirname(p) for p in extra.values()] + [os.environ["PATH"]])
        with session.chdir(copy):
            output += str(
                session.run(
                    "ansible-test",
                    "sanity",
                    "--color",
                    "no",
                    "--junit",
                    "-v",
                    "--test",
                    "compile",
                    "--test",
                    "import",
                    *("--target-python=%s@%s" % item for item in extra.items()),
                    env=dict(env, PATH=path),
                    silent=True,
                )
            )
    problems, notes = sanity_checks.assess(sanity_checks.read_junit(junit_dir), [t for t in expected if not session.posargs or t in session.posargs], output)
    for note in notes:
        session.log(note)
    if problems:
        session.error("; ".join(problems))


# The pip version(s) ansible-test bootstraps into its venvs, and the Python versions it supports (from ansible_test itself).
PIP_VERSIONS = """\
import json, types
from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS
from ansible_test._internal.python_requirements import get_venv_packages
pips = sorted({get_venv_packages(types.SimpleNamespace(version=v))["pip"] for v in SUPPORTED_PYTHON_VERSIONS})
print(json.dumps({"pip": pips, "pythons": list(SUPPORTED_PYTHON_VERSIONS)}))
"""


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def lint(session: nox.Session) -> None:
    """ansible-lint (production profile) and ruff (lint; format check on the files listed in ruff.toml's comment, or on
    everything with RUFF_FORMAT_ALL=1)."""
    install(session, NEWEST, "ansible-lint", "ruff")
    session.run("ruff", "check", "--no-cache", ".")
    if os.environ.get("RUFF_FORMAT_ALL") == "1":
        session.run("ruff", "format", "--no-cache", "--check", ".")
    else:
        session.run("ruff", "format", "--no-cache", "--check", *RUFF_FORMATTED)
    tree.link_collection(ROOT, COLLECTIONS)
    # offline: true (.ansible-lint) keeps ansible-lint from installing the collection; the link makes it resolvable.
    output = str(session.run("ansible-lint", "--nocolor", "--format", "pep8", env=isolated_env(ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS)), silent=True))
    print(output)
    if "'production' was required, and it passed" not in output:
        session.error("ansible-lint did not report that the production profile passed")


# The files `ruff format --check` covers until the whole tree is formatted once (docs/development.md, "ruff").
RUFF_FORMATTED = ["noxfile.py", "hack", "tests/support"]


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def docs(session: nox.Session) -> None:
    """antsibull-docs lint-collection-docs (with docs/docsite/links.yml) and ansible-doc for every module, from a copy."""
    install(session, NEWEST, "antsibull-docs", "ansible-core")
    copy = tree.make_copy(ROOT, TMP / "copies" / "docs")
    env = isolated_env(ANSIBLE_COLLECTIONS_PATH=str(copy.parents[2]), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    with session.chdir(copy):
        session.run("antsibull-docs", "lint-collection-docs", "--plugin-docs", ".", env=env)
    check_ansible_doc(session, copy.parents[2])


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def tooling(session: nox.Session) -> None:
    """The tests of hack/: the noxfile's helpers, the benchmark's pure functions."""
    install(session, NEWEST, "pytest")
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *session.posargs, "hack/tests", env=QUIET_ENV)


@nox.session(python=CONTROLLER_PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """The benchmark (make bench): not part of make test."""
    install(session, NEWEST, "ansible-core", "alibabacloud-oss-v2", "-r", "requirements.txt")
    tree.link_collection(ROOT, COLLECTIONS)
    session.run("python", "hack/bench/run.py", *session.posargs, env=QUIET_ENV)
