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
sys.path.insert(0, str(ROOT / "tests"))
from noxsupport import deprecations, interpreters, sanity as sanity_checks, tarball as tarball_checks, tree  # noqa: E402
from ossemu.process import EmulatorProcess  # noqa: E402  (the emulator's launcher, standard library only)
from support import community_crypto, pebble  # noqa: E402  (standard library only at import time)

TMP = ROOT / ".tmp"
COLLECTIONS = TMP / "collections"  # ansible_collections/alicloud/oss -> ROOT, for pytest, ansible-lint and the demo
TEST_HOME = ROOT / ".cache" / "ansible-test-home"  # HOME for ansible-test sanity, ansible-lint, ansible-doc (see docs)
FQCN_PREFIX = "alicloud.oss."

# ansible-core X.Y -> the Python its sessions run on: the oldest minor meta/runtime.yml claims, the previous release
# line on Python 3.11, and the current release line on Python 3.13. The pins (the newest patch release of each, and
# everything installed beside it) are in constraints/ansible-core-X.Y.txt. README.md's support table follows this.
CORES = {"2.17": "3.11", "2.19": "3.11", "2.21": "3.13"}
NEWEST = "2.21"  # sanity runs on this one; its integration run fails on deprecation warnings the collection causes
# lint, docs, artifact, emulator, reliability, tooling and bench run with the tools pinned beside this core.
TOOLS_CORE = "2.19"
# The lower bounds of requirements.txt (constraints/oldest-libraries.txt) are unit tested on this core.
OLDEST_LIBRARIES_CORE = "2.17"
CONTROLLER_PYTHON = CORES[TOOLS_CORE]
# The newest pre-release (ansible-core X.Y -> Python, pip requirement): optional sessions, not part of `make test`.
PRERELEASE = {"2.22": ("3.13", "ansible-core>=2.22.0rc1,<2.23")}
# A pythonX.Y that PATH does not answer for (a pyenv shim of a version pyenv does not select) is linked from where
# pyenv keeps it into .tmp/interpreters, first on PATH; one that is nowhere leaves nox to say "Python interpreter X.Y
# not found": the session is skipped, or fails under CI=true.
INTERPRETERS = interpreters.expose(sorted({*CORES.values(), *(python for python, _requirement in PRERELEASE.values())}), str(TMP / "interpreters"))

nox.options.default_venv_backend = "virtualenv"
nox.options.reuse_venv = "yes"  # install() below skips pip when nothing changed
nox.options.download_python = "never"  # a missing interpreter skips the session (fails it under CI=true)
nox.options.error_on_external_run = True
# `make test`: sanity first (the longest; it runs beside the others under `nox -j 2`), then the long ones.
nox.options.sessions = (
    ["sanity"]
    + ["integration-%s" % core for core in reversed(CORES)]
    + ["reliability", "acme", *("units-%s" % core for core in reversed(CORES)), "units-oldest-libraries", "emulator", "artifact", "lint", "docs", "tooling"]
)

QUIET_ENV = {"PY_COLORS": "0", "NO_COLOR": "1", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "PYTHONDONTWRITEBYTECODE": "1"}


def constraints(core: str) -> Path:
    return ROOT / "constraints" / ("ansible-core-%s.txt" % core)


def install(session: nox.Session, core: str, *args: str, pins_file: Path | None = None) -> None:
    """pip install args with the pins of `core` (or of pins_file); skipped when this venv already has exactly that (a stamp file).

    For a pre-release core, "ansible-core" becomes its requirement, and the rest keeps the pins of the newest core (but
    resolvelib, which follows ansible-core), so that only ansible-core changes."""
    if pins_file is not None:
        pins = ["-c", str(pins_file)]
        files = [pins_file]
    elif core in PRERELEASE:
        args = tuple(PRERELEASE[core][1] if arg == "ansible-core" else arg for arg in args)
        kept = [line for line in constraints(NEWEST).read_text().splitlines() if not line.lower().startswith(("ansible-core==", "resolvelib=="))]
        pinned = TMP / ("constraints-%s.txt" % core)
        pinned.parent.mkdir(parents=True, exist_ok=True)
        pinned.write_text("\n".join(kept) + "\n")
        pins: list[str] = ["-c", str(pinned)]
        files = [pinned]
    else:
        pins = ["-c", str(constraints(core))]
        files = [constraints(core)]
    parts = [*pins, *args]
    files += [ROOT / args[i + 1] for i, arg in enumerate(args) if arg == "-r"]
    digest = hashlib.sha256(json.dumps(parts).encode() + b"".join(f.read_bytes() for f in files)).hexdigest()
    rebuild_if_other_python(session)
    stamp = Path(session.virtualenv.location) / ".alicloud-oss-installed"
    if stamp.is_file() and stamp.read_text() == digest:
        session.log("requirements unchanged since the last install; not running pip")
        return
    session.install("--disable-pip-version-check", *pins, *args)
    stamp.write_text(digest)


def rebuild_if_other_python(session: nox.Session) -> None:
    """nox reuses a venv even when the session now asks for another Python (a core moved to a newer one): rebuild it."""
    wanted = session.python if isinstance(session.python, str) else None
    if not wanted:
        return
    have = subprocess.run(
        [python_of(session), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if have != wanted:
        session.log("%s holds Python %s, the session wants %s: rebuilding it" % (session.virtualenv.location, have or "nothing", wanted))
        session.virtualenv.reuse_existing = False
        session.virtualenv.create()


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


def roles() -> list[str]:
    return sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "meta" / "argument_specs.yml").is_file())


# Most lines a module's ansible-doc page may take (piped, so ansible-doc wraps at its default width): issue 13 halved the cname page (423 lines
# then) so that a module's own options are not buried under the shared ones; the others got budgets of the same kind.
PAGE_LINES_BUDGET = {"cname": 211, "cname_token": 195, "cname_certificate": 245, "cname_info": 350, "alidns_record": 235, "object": 215}


def check_ansible_doc(session: nox.Session, collections_root: Path) -> None:
    """Every module and role renders with this session's ansible-doc, exit 0 and nothing on stderr; module pages
    stay within PAGE_LINES_BUDGET."""
    env = isolated_env(ANSIBLE_COLLECTIONS_PATH=str(collections_root), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    bad = []
    for kind, name in [("module", module) for module in modules()] + [("role", role) for role in roles()]:
        fqcn = FQCN_PREFIX + name
        proc = subprocess.run(
            [str(Path(python_of(session)).parent / "ansible-doc"), "-t", kind, fqcn],
            env={**os.environ, **{k: v for k, v in env.items() if v is not None}},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        # ansible-doc -t role on 2.21 warns about a collection of ansible-core's own (_protomatter): not ours to fix.
        stderr = "\n".join(line for line in proc.stderr.splitlines() if "/ansible/_internal/" not in line).strip()
        clean = proc.returncode == 0 and not stderr and fqcn.upper() in proc.stdout.upper()
        lines = len(proc.stdout.splitlines())
        budget = PAGE_LINES_BUDGET.get(name) if kind == "module" else None
        if budget is not None and lines > budget:
            clean = False
            stderr = "%d lines, over its budget of %d (PAGE_LINES_BUDGET)" % (lines, budget)
        verdict = "clean" if clean else "NOT CLEAN (exit %d) %s" % (proc.returncode, stderr)
        session.log("ansible-doc -t %s %s: %s, %d lines%s" % (kind, fqcn, verdict, lines, " (budget %d)" % budget if budget else ""))
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


@nox.session(name="units-oldest-libraries", python=CORES[OLDEST_LIBRARIES_CORE], allow_parallel=True)
def units_oldest_libraries(session: nox.Session) -> None:
    """Unit tests with the oldest requests, defusedxml and cryptography requirements.txt allows (on ansible-core 2.17)."""
    pins = ROOT / "constraints" / "oldest-libraries.txt"
    install(session, OLDEST_LIBRARIES_CORE, "ansible-core", "-r", "requirements.txt", "-r", "tests/unit/requirements.txt", pins_file=pins)
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
            output = str(session.run(*cmd, env=dict(QUIET_ENV, ANSIBLE_DEPRECATION_WARNINGS="true"), silent=True))
    print(output)
    ours, core_settings = deprecations.split(output)
    for warning in core_settings:
        session.log("ansible-core's own deprecation (not the collection's): " + warning.splitlines()[0])
    ran = set(re.findall(r"^Running (\S+) integration test role", output, re.M))
    not_run = [target for target in expected if target not in ran]
    if not_run or "WARNING: All targets skipped" in output:
        session.error("integration targets not run: " + (", ".join(not_run) or "all skipped"))
    session.log("ansible-core %s: %d of %d targets ran and passed" % (core, len(ran), len(expected)))
    if ours and (core == NEWEST or core in PRERELEASE):
        session.error("%d deprecation warning(s) caused by the collection:\n%s" % (len(ours), "\n".join(ours)))
    for warning in ours:
        session.log("deprecation warning (fails the run on ansible-core %s and later): %s" % (NEWEST, warning.splitlines()[0]))
    check_ansible_doc(session, copy.parents[2])
    install_get_pip_stand_in(session)  # so that ansible-test sanity of this core works offline too


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


def _define(kind: str, func, core: str, python: str, name: str | None = None, prerelease: bool = False, default: bool = True) -> None:
    def session_func(session: nox.Session) -> None:
        func(session, core)

    label = "the %s pre-release" % core if prerelease else core
    session_func.__name__ = "%s_%s" % (kind, core.replace(".", "_"))
    session_func.__doc__ = "%s, ansible-core %s on Python %s" % (SUMMARIES[kind], label, python)
    tags = [kind, "core-" + core] + (["prerelease"] if prerelease else [])
    nox.session(name=name or "%s-%s" % (kind, core), python=python, tags=tags, allow_parallel=True, default=default and not prerelease)(session_func)


SUMMARIES = {
    "units": "Unit tests (pytest tests/unit)",
    "integration": "Integration tests against the OSS emulator (ansible-test), then ansible-doc",
    "sanity": "ansible-test sanity, nothing skipped or ignored",
}
for _core, _python in CORES.items():
    _define("units", _units, _core, _python)
    _define("integration", _integration, _core, _python)
for _core, (_python, _requirement) in PRERELEASE.items():
    _define("units", _units, _core, _python, prerelease=True)
    _define("integration", _integration, _core, _python, prerelease=True)


# --- the other stages ----------------------------------------------------------------------------------------------


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def emulator(session: nox.Session) -> None:
    """The OSS emulator's own tests (pytest tests/emulator)."""
    install(session, TOOLS_CORE, "-r", "tests/emulator/requirements.txt")
    pytest(session, "tests/emulator")


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def reliability(session: nox.Session) -> None:
    """Real ansible-playbook runs against the emulator under faults, bad input, authentication problems and secrets."""
    install(session, TOOLS_CORE, "ansible-core", "-r", "requirements.txt", "-r", "tests/reliability/requirements.txt")
    output = pytest(session, "tests/reliability")
    match = re.search(r"rows not as expected: (\d+); rows: (\d+)", output)
    if not match or int(match.group(1)):
        session.error("the reliability suite printed no summary line" if not match else "%s reliability rows not as expected" % match.group(1))


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def acme(session: nox.Session) -> None:
    """ACME end to end: ansible-playbook with community.crypto gets certificates from Pebble through the emulator.

    Pebble comes from PATH, or apt-get on Debian as root; without it the session is skipped with what to install
    (under CI=true it fails). community.crypto comes from the pinned `ansible` wheel (constraints/community-crypto.txt),
    downloaded once into .cache/."""
    install(session, TOOLS_CORE, "ansible-core", "-r", "requirements.txt", "-r", "tests/acme/requirements.txt")
    if pebble.install_pebble(log=session.log) is None:
        if os.environ.get("CI", "").lower() == "true":
            session.error(pebble.INSTALL_HINT)
        session.skip(pebble.INSTALL_HINT)
    fetch_community_crypto(session)
    pytest(session, "tests/acme")


def fetch_community_crypto(session: nox.Session) -> Path:
    try:
        return community_crypto.ensure_community_crypto(ROOT, python=python_of(session), log=session.log)
    except community_crypto.CommunityCryptoError as exc:
        session.error(str(exc))


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def artifact(session: nox.Session) -> None:
    """Build, check and install the tarball; ansible-doc, the demo and the execution environment from the installed copy.

    ansible-builder checks meta/execution-environment.yml: schema, create, and introspect of the installed collection."""
    install(session, TOOLS_CORE, "ansible-core", "ansible-builder", "-r", "requirements.txt")
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
    # Galaxy is not reachable here: the dependency comes from the cached community.crypto, packed as an artifact, so
    # that the offline install still resolves galaxy.yml's dependency range against a real release.
    crypto = fetch_community_crypto(session) / "ansible_collections" / "community" / "crypto"
    dependency = tarball_checks.pack_installed(crypto, work / "dependencies")
    session.run("ansible-galaxy", "collection", "install", "--force", "--offline", str(tarballs[0]), str(dependency), "-p", str(collections), env=env)
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
        "--report-playbook",
        str(installed / "examples" / "certificate_report.yml"),
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


def _sanity(session: nox.Session, core: str) -> None:
    """ansible-test sanity --venv from a copy of the tree, the offline get-pip stand-in; no test skipped or ignored;
    compile and import also on the other Pythons the modules claim that are installed."""
    install(session, core, "ansible-core")
    ignores = sanity_checks.ignore_entries(ROOT)
    if ignores:
        session.error("the collection keeps no sanity ignores: " + "; ".join(ignores))
    copy = tree.make_copy(ROOT, TMP / "copies" / session.name)
    python = python_of(session)
    versions = install_get_pip_stand_in(session)
    controller = session.run("python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])", silent=True).strip()
    env = isolated_env()
    with session.chdir(copy):
        listed = str(session.run("ansible-test", "sanity", "--list-tests", "--local", "--python", controller, "--color", "no", env=env, silent=True))
    expected = sanity_checks.listed_tests(listed)
    selected = [arg for test in session.posargs for arg in ("--test", test)]
    junit_dir = copy / "tests" / "output" / "junit"
    shutil.rmtree(junit_dir, ignore_errors=True)
    with session.chdir(copy):
        output = str(session.run("ansible-test", "sanity", "--color", "no", "--junit", "-v", "--python", controller, "--venv", *selected, env=env, silent=True))
    print(output)
    # compile and import once more with every other Python ansible-test supports, the modules claim and is installed.
    floor = tuple(int(x) for x in re.search(r">=\s*(\d+)\.(\d+)", (ROOT / "tests" / "config.yml").read_text()).groups())
    wanted = [v for v in versions["pythons"] if tuple(int(x) for x in v.split(".")) >= floor and v != controller]
    found = {v: interpreters.find(v) for v in wanted}
    session.log(
        "compile and import on Python %s; not installed here: %s"
        % (", ".join([controller] + [v for v, p in found.items() if p]), ", ".join(v for v, p in found.items() if not p) or "-")
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


def install_get_pip_stand_in(session: nox.Session) -> dict:
    """Put hack/get_pip_offline.py where this session's ansible-test looks for get-pip (its pip version: 23.1.2
    on ansible-core 2.17, 24.2 on 2.19, 25.2 on 2.21); returns {"pip": [...], "pythons": [...]} as ansible-test reports them."""
    versions = json.loads(subprocess.run([python_of(session), "-c", PIP_VERSIONS], capture_output=True, text=True, check=True).stdout)
    for note in sanity_checks.install_get_pip_stand_in(TEST_HOME / ".ansible" / "test" / "cache", versions["pip"], ROOT / "hack" / "get_pip_offline.py"):
        session.log(note)
    return versions


_define("sanity", _sanity, NEWEST, CORES[NEWEST], name="sanity")
for _core, _python in CORES.items():
    if _core != NEWEST:
        _define("sanity", _sanity, _core, _python, default=False)
for _core, (_python, _requirement) in PRERELEASE.items():
    _define("sanity", _sanity, _core, _python, prerelease=True)


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
    """ansible-lint (production profile), ruff check and ruff format --check on the whole tree."""
    install(session, TOOLS_CORE, "ansible-lint", "ruff")
    session.run("ruff", "check", "--no-cache", ".")
    session.run("ruff", "format", "--no-cache", "--check", ".")
    tree.link_collection(ROOT, COLLECTIONS)
    # offline: true (.ansible-lint) keeps ansible-lint from installing collections; the link makes this one resolvable,
    # and the cached community.crypto (a dependency, used by tests/acme) the other.
    collections_path = os.pathsep.join([str(COLLECTIONS), str(fetch_community_crypto(session))])
    output = str(session.run("ansible-lint", "--nocolor", "--format", "pep8", env=isolated_env(ANSIBLE_COLLECTIONS_PATH=collections_path), silent=True))
    print(output)
    if "'production' was required, and it passed" not in output:
        session.error("ansible-lint did not report that the production profile passed")


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def docs(session: nox.Session) -> None:
    """antsibull-docs lint-collection-docs (with docs/docsite/links.yml) and ansible-doc for every module, from a copy."""
    install(session, TOOLS_CORE, "antsibull-docs", "ansible-core")
    copy = tree.make_copy(ROOT, TMP / "copies" / "docs")
    # antsibull-docs resolves the dependencies galaxy.yml declares: the cached community.crypto beside the copy.
    collections_path = os.pathsep.join([str(copy.parents[2]), str(fetch_community_crypto(session))])
    env = isolated_env(ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    with session.chdir(copy):
        session.run("antsibull-docs", "lint-collection-docs", "--plugin-docs", ".", env=env)
    check_ansible_doc(session, copy.parents[2])


@nox.session(python=CONTROLLER_PYTHON, allow_parallel=True)
def tooling(session: nox.Session) -> None:
    """The tests of hack/: the noxfile's helpers, the benchmark's pure functions."""
    install(session, TOOLS_CORE, "pytest")
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *session.posargs, "hack/tests", env=QUIET_ENV)


@nox.session(python=CONTROLLER_PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """The benchmark (make bench): not part of make test."""
    install(session, TOOLS_CORE, "ansible-core", "alibabacloud-oss-v2", "-r", "requirements.txt")
    tree.link_collection(ROOT, COLLECTIONS)
    fetch_community_crypto(session)  # the certificate_renewal role's dependency, for its nothing-due run
    session.run("python", "hack/bench/run.py", *session.posargs, env=QUIET_ENV)
