#!/usr/bin/env python
"""Test harness for the alicloud.oss collection: ``make test`` runs ``hack/run_tests.py --all``.

Stages (each one a subprocess; see ``--list`` and docs/development.md):

  units               pytest tests/unit, the collection importable as ansible_collections.alicloud.oss
  units-oldest        the same with the oldest ansible-core that meta/runtime.yml claims (.venv-oldest)
  emulator            pytest tests/emulator (the OSS emulator's own tests)
  integration         ansible-test integration against the OSS emulator, from a copy of the tree
  integration-oldest  the same with the oldest ansible-core (.venv-oldest)
  reliability         pytest tests/reliability: real ansible-playbook runs against faults, bad input, secrets
  artifact            ansible-galaxy collection build and install, then the demo from the installed copy
  sanity              ansible-test sanity --venv, from a copy of the tree of its own
  lint                ansible-lint, production profile
  docs                antsibull-docs lint-collection-docs and ansible-doc for every module (both ansible-cores)

Each stage ends passed, failed or skipped (with the reason); the summary gives counts and durations,
and the last line reads ``N passed, N failed, N skipped`` (stages). The exit status is non-zero when a
stage failed.

When sanity runs together with other stages (``--all``), it runs concurrently with them, in a thread:
it is mostly pip installs and pylint in venvs of its own, on a copy of the tree of its own. Its output
goes to its log as usual and is printed, held back, after the other stages; ``--serial`` runs it in
turn instead (``--fail-fast`` does too).

Offline pip bootstrap for ansible-test
--------------------------------------
ansible-test creates virtual environments (one per sanity test, plus the ``--venv`` delegation venv)
without pip and bootstraps pip into each of them with ``get-pip-<version>.py``, downloaded from
https://ci-files.testing.ansible.com/. A machine that reaches the package index but not the internet
fails there ("Download failed ... can be manually downloaded and saved to:
~/.ansible/test/cache/get_pip_24_2.py", ansible/ansible#77304). ansible-test uses that cache file
when it exists, so this harness:

* gives ansible-test sanity, ansible-lint and ansible-doc a project-local HOME,
  ``.cache/ansible-test-home`` (git-ignored): nothing is written to the user's home, and the sanity
  venvs are cached per project (the first sanity run builds them, later runs reuse them).
  ansible-test integration keeps the real HOME: it creates no venv, and a HOME that differs from the
  passwd home breaks async tasks (see stage_integration);
* copies hack/get_pip_offline.py to ``$HOME/.ansible/test/cache/get_pip_<version>.py`` for the pip
  version(s) the installed ansible-test asks for (read from ansible_test, not hard-coded), leaving
  alone a cache file that is not the stand-in (for example a real get-pip.py someone put there);
* points pip at the user's own pip configuration (``PIP_CONFIG_FILE``) because the HOME change would
  otherwise hide ``~/.config/pip/pip.conf`` (a mirror, extra index or find-links).

The stand-in installs the interpreter's bundled pip with ``ensurepip`` and then the requested pip
version from the package index. The sanity venvs still ``pip install`` their pinned requirements on
the first run, so the package index (or a mirror) must be reachable then.

The sanity stage fails when a sanity test is skipped for any reason other than "no files it applies
to", when any test that ``ansible-test sanity --list-tests`` names has no result, and when
tests/sanity holds an ignore file with entries.

Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import glob
import importlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
import typing as t
import xml.etree.ElementTree as ET  # only parses ansible-test's own junit output

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'tests', 'emulator'))
EmulatorProcess = importlib.import_module('ossemu.process').EmulatorProcess  # the emulator's launcher (standard library only)
NAMESPACE = 'alicloud'
NAME = 'oss'
VENV_PYTHON = os.path.abspath(sys.executable)  # the Makefile runs this file with .venv/bin/python
VENV_BIN = os.path.dirname(VENV_PYTHON)
CONTROLLER_PYTHON = '%d.%d' % sys.version_info[:2]
OLDEST_VENV = os.path.join(REPO, '.venv-oldest')  # `make venv-oldest`, from requirements-oldest.txt

TMP = os.path.join(REPO, '.tmp')
LOG_DIR = os.path.join(TMP, 'logs')
COLLECTIONS_LINK_ROOT = os.path.join(TMP, 'collections')  # ansible_collections/alicloud/oss -> REPO
COPY_ROOT = os.path.join(TMP, 'ansible-test')  # ansible_collections/alicloud/oss: a copy of the tree
COPY = os.path.join(COPY_ROOT, 'ansible_collections', NAMESPACE, NAME)
# sanity has a copy of its own, so that it can run while integration rewrites the copy above.
SANITY_COPY_ROOT = os.path.join(TMP, 'ansible-test-sanity')
SANITY_COPY = os.path.join(SANITY_COPY_ROOT, 'ansible_collections', NAMESPACE, NAME)
ARTIFACT_DIR = os.path.join(TMP, 'artifact')
TEST_HOME = os.path.join(REPO, '.cache', 'ansible-test-home')
GET_PIP_STAND_IN = os.path.join(REPO, 'hack', 'get_pip_offline.py')
GET_PIP_MARKER = 'alicloud.oss offline get-pip stand-in'

INTEGRATION_CONFIG = {
    'oss_region': 'cn-hangzhou',
    'oss_access_key_id': 'LTAI5tEmulatorKey0001',
    'oss_access_key_secret': 'EmulatorSecret0001xxxxxxxxxxxxxx',
    'oss_sts_access_key_id': 'STS.EmulatorStsKey0001',
    'oss_sts_access_key_secret': 'EmulatorStsSecret0001xxxxxxxxxxx',
    'oss_security_token': 'EmulatorSecurityToken0001',
    'oss_bucket': 'demo-bucket',
    'oss_other_bucket': 'other-bucket',
}

STAGES = ('units', 'units-oldest', 'emulator', 'integration', 'integration-oldest', 'reliability', 'artifact', 'sanity', 'lint', 'docs')
# The stages that use a copy of the tree, and which copy: a lock per copy serialises concurrent harness runs.
COPY_STAGES = {'integration': COPY_ROOT, 'integration-oldest': COPY_ROOT, 'docs': COPY_ROOT, 'sanity': SANITY_COPY_ROOT}
CONCURRENT_STAGE = 'sanity'  # run beside the others (see --serial)
TIMEOUTS = {'units': 600, 'units-oldest': 600, 'emulator': 600, 'integration': 1800, 'integration-oldest': 1800, 'reliability': 900,
            'artifact': 900, 'sanity': 2400, 'lint': 900, 'docs': 900}

# Sanity-test skip reasons that are not a problem: the test has no file to look at.
NOT_APPLICABLE = 'No tests applicable.'


@dataclasses.dataclass
class Result:
    """The outcome of one stage."""

    stage: str
    status: str = 'passed'  # passed, failed or skipped
    counts: str = ''
    reason: str = ''
    duration: float = 0.0
    details: list[str] = dataclasses.field(default_factory=list)

    def fail(self, reason: str) -> Result:
        """Mark the stage failed, keeping the first reason and listing the others."""
        if self.status != 'failed':
            self.status = 'failed'
            self.reason = reason
        elif reason and reason != self.reason:
            self.details.append(reason)
        return self

    def skip(self, reason: str) -> Result:
        """Mark the stage skipped."""
        self.status = 'skipped'
        self.reason = reason
        return self


@dataclasses.dataclass
class Completed:
    """A finished subprocess."""

    cmd: list[str]
    returncode: int
    output: str
    timed_out: bool = False

    @property
    def lines(self) -> list[str]:
        """The combined output, line by line."""
        return self.output.splitlines()


# ---------------------------------------------------------------------------------------------------
# helpers


# Output of a stage that runs concurrently: its thread sets _OUTPUT.buffer to a list, and say() and run() append to it
# instead of printing; the buffer is printed when the stage is collected.
_OUTPUT = threading.local()
# Process groups of the running subprocesses, so that Ctrl-C can take down those of a concurrent stage too.
_RUNNING: set[int] = set()
_STOPPING = threading.Event()  # set on Ctrl-C: a concurrent stage starts no further subprocess


def _held_back() -> t.Optional[list[str]]:
    return getattr(_OUTPUT, 'buffer', None)


def say(message: str) -> None:
    """Print a harness message (or hold it back, in a concurrent stage)."""
    buffer = _held_back()
    if buffer is not None:
        buffer.append(message + '\n')
    else:
        print(message, flush=True)


def banner(text: str) -> None:
    """Print a stage banner."""
    say('\n' + '=' * 100 + '\n== ' + text + '\n' + '=' * 100)


def run(cmd: list[str], stage: str, cwd: str = REPO, env: t.Optional[dict[str, str]] = None, timeout: t.Optional[float] = None,
        echo: bool = True, log_name: t.Optional[str] = None) -> Completed:
    """Run a command, stream its combined output to the console and a log file, and return it."""
    if _STOPPING.is_set():
        raise RuntimeError('the harness is stopping')
    os.makedirs(LOG_DIR, exist_ok=True)
    log_path = os.path.join(LOG_DIR, (log_name or stage) + '.log')
    say('$ (cd %s && %s)' % (os.path.relpath(cwd, REPO) if cwd.startswith(REPO) else cwd, shlex.join(cmd)))
    chunks: list[str] = []
    with open(log_path, 'a', encoding='utf-8') as log, \
            subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             start_new_session=True) as proc:
        log.write('$ %s\n' % shlex.join(cmd))
        _RUNNING.add(proc.pid)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                time.sleep(5)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            if proc.stdout is None:
                raise RuntimeError('no stdout pipe')
            for raw in iter(proc.stdout.readline, b''):
                line = raw.decode('utf-8', 'replace')
                chunks.append(line)
                log.write(line)
                if echo:
                    buffer = _held_back()
                    if buffer is not None:
                        buffer.append(line)
                    else:
                        sys.stdout.write(line)
                        sys.stdout.flush()
            proc.wait()
        except BaseException:
            # The child runs in its own session (so a timeout can kill its whole tree); on Ctrl-C take it down too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            raise
        finally:
            _RUNNING.discard(proc.pid)
            if timer:
                timer.cancel()
    if timed_out.is_set():
        say('!! %s timed out after %ds and was killed' % (cmd[0], timeout or 0))
    return Completed(cmd, proc.returncode, ''.join(chunks), timed_out.is_set())


def venv_env(bin_dir: str = VENV_BIN, **extra: str) -> dict[str, str]:
    """The environment for a subprocess: the venv's bin first on PATH, colours off."""
    env = dict(os.environ)
    env['PATH'] = bin_dir + os.pathsep + env.get('PATH', '')
    env['VIRTUAL_ENV'] = os.path.dirname(bin_dir)
    env.pop('PYTHONHOME', None)
    env['PY_COLORS'] = '0'
    env['NO_COLOR'] = '1'
    env['ANSIBLE_NOCOLOR'] = '1'
    env['ANSIBLE_FORCE_COLOR'] = '0'
    env.update(extra)
    return env


def user_pip_config() -> t.Optional[str]:
    """The user's own pip configuration file, which a changed HOME would hide from pip."""
    home = os.path.expanduser('~')
    xdg = os.environ.get('XDG_CONFIG_HOME') or os.path.join(home, '.config')
    for path in (os.path.join(xdg, 'pip', 'pip.conf'), os.path.join(home, '.pip', 'pip.conf')):
        if os.path.isfile(path):
            return path
    return None


def isolated_env(bin_dir: str = VENV_BIN, **extra: str) -> dict[str, str]:
    """The environment for ansible-test, ansible-lint and ansible-doc: a project-local HOME."""
    env = venv_env(bin_dir, **extra)
    real_home = os.path.expanduser('~')
    os.makedirs(TEST_HOME, exist_ok=True)
    env['HOME'] = TEST_HOME
    if 'PIP_CONFIG_FILE' not in os.environ:
        config = user_pip_config()
        if config:
            env['PIP_CONFIG_FILE'] = config
    if 'PYENV_ROOT' not in os.environ and os.path.isdir(os.path.join(real_home, '.pyenv')):
        env['PYENV_ROOT'] = os.path.join(real_home, '.pyenv')  # pyenv shims find their interpreters through it
    for name in ('XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME', 'ANSIBLE_HOME', 'ANSIBLE_CONFIG'):
        env.pop(name, None)
    return env


def tree_files() -> list[str]:
    """The files of the tree as git sees them: tracked plus untracked-but-not-ignored."""
    out = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=REPO, check=True,
                         stdout=subprocess.PIPE).stdout.decode('utf-8')
    return sorted(path for path in set(out.split('\0')) if path and os.path.lexists(os.path.join(REPO, path)))


def make_copy(copy: str = COPY, keep: tuple[str, ...] = ('.git', 'tests/output')) -> int:
    """(Re)create an ansible_collections/alicloud/oss copy of the tree; keep ansible-test's output dir (venv caches).

    The copy gets its own (empty) git repository: ansible-test lists content with ``git ls-files`` from the nearest
    directory holding ``.git``, which would otherwise be this repository, where .tmp/ is ignored ("All targets skipped").
    """
    files = tree_files()
    wanted = set(files)
    if os.path.isdir(copy):
        for root, dirs, names in os.walk(copy, topdown=True):
            rel_root = os.path.relpath(root, copy)
            rel_root = '' if rel_root == '.' else rel_root
            dirs[:] = [d for d in dirs if os.path.join(rel_root, d) not in keep]
            for name in names:
                rel = os.path.join(rel_root, name)
                if rel not in wanted:
                    os.unlink(os.path.join(root, name))
            for d in list(dirs):
                path = os.path.join(root, d)
                if os.path.islink(path):
                    os.unlink(path)
                    dirs.remove(d)
    for rel in files:
        src = os.path.join(REPO, rel)
        dst = os.path.join(copy, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.lexists(dst) or os.path.islink(dst):
            os.unlink(dst)
        shutil.copy2(src, dst, follow_symlinks=False)
    if not os.path.isdir(os.path.join(copy, '.git')):
        subprocess.run(['git', 'init', '--quiet', copy], check=True)
    # Remove directories left empty by deleted files.
    for root, dirs, names in os.walk(copy, topdown=False):
        if root != copy and not dirs and not names and not os.path.relpath(root, copy).startswith(keep):
            os.rmdir(root)
    return len(files)


@contextlib.contextmanager
def copy_lock(root: str) -> t.Iterator[None]:
    """Serialise the stages that share a copy of the tree across concurrent harness runs."""
    os.makedirs(TMP, exist_ok=True)
    with open(root + '.lock', 'w', encoding='utf-8') as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say('waiting for another hack/run_tests.py run to finish with %s ...' % os.path.relpath(root, REPO))
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def ensure_collection_link() -> None:
    """.tmp/collections/ansible_collections/alicloud/oss -> the repository (the Makefile makes it too)."""
    link = os.path.join(COLLECTIONS_LINK_ROOT, 'ansible_collections', NAMESPACE, NAME)
    if os.path.islink(link) and os.path.realpath(link) == os.path.realpath(REPO):
        return
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(REPO, link)


def has_files(pattern: str) -> bool:
    """True when the glob (relative to the repo) matches a file."""
    return any(os.path.isfile(p) for p in glob.glob(os.path.join(REPO, pattern), recursive=True))


def module_names() -> list[str]:
    """The collection's module names."""
    return sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(REPO, 'plugins', 'modules', '*.py'))
                  if not os.path.basename(p).startswith('__'))


PYTEST_COUNT = re.compile(r'(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected|warnings?|rerun)')


def pytest_counts(output: str) -> str:
    """The counts from pytest's final summary line, e.g. '320 passed, 2 skipped'."""
    for line in reversed(output.splitlines()):
        if re.search(r'\b(passed|failed|error|errors|no tests ran)\b.* in [\d.]+s', line):
            found = PYTEST_COUNT.findall(line)
            if found:
                return ', '.join('%s %s' % pair for pair in found)
            if 'no tests ran' in line:
                return 'no tests ran'
    return ''


# ---------------------------------------------------------------------------------------------------
# stages


def run_pytest(result: Result, path: str, xdist: t.Sequence[str] = (), bin_dir: str = VENV_BIN) -> Completed:
    """Run pytest on one directory of the repository, with the python of bin_dir; xdist holds the pytest-xdist options."""
    ensure_collection_link()
    cmd = [os.path.join(bin_dir, 'python'), '-m', 'pytest', '-q', '-p', 'no:cacheprovider'] + list(xdist) + [path]
    env = venv_env(bin_dir, PYTHONPATH=COLLECTIONS_LINK_ROOT, PYTHONDONTWRITEBYTECODE='1')
    done = run(cmd, result.stage, env=env, timeout=TIMEOUTS[result.stage])
    result.counts = pytest_counts(done.output)
    check_pytest(result, done, path)
    return done


def check_pytest(result: Result, done: Completed, path: str) -> Result:
    """Fail the stage on a timeout, no tests or a non-zero exit status of pytest."""
    if done.timed_out:
        return result.fail('timed out after %ds' % TIMEOUTS[result.stage])
    if done.returncode == 5:
        return result.fail('pytest collected no tests in %s' % path)
    if done.returncode != 0:
        failed = [line for line in done.lines if line.startswith(('FAILED ', 'ERROR '))]
        result.details.extend(failed)
        return result.fail('pytest exited with %d' % done.returncode)
    return result


XDIST = ('-n', '2')


def stage_units(result: Result, options: argparse.Namespace) -> Result:
    """Unit tests."""
    if not has_files('tests/unit/**/test_*.py'):
        return result.fail('no unit tests found under tests/unit')
    version = ansible_core_version(VENV_BIN)
    run_pytest(result, 'tests/unit', XDIST if options.xdist else ())
    result.counts = 'ansible-core %s: %s' % (version, result.counts or '-')
    return result


def stage_units_oldest(result: Result, options: argparse.Namespace) -> Result:
    """Unit tests with the oldest ansible-core that meta/runtime.yml claims."""
    if not has_files('tests/unit/**/test_*.py'):
        return result.fail('no unit tests found under tests/unit')
    bin_dir = oldest_bin(result, options)
    if bin_dir is None:
        return result
    version = ansible_core_version(bin_dir)
    run_pytest(result, 'tests/unit', XDIST if options.xdist else (), bin_dir=bin_dir)
    result.counts = 'ansible-core %s: %s' % (version, result.counts or '-')
    return result


def stage_emulator(result: Result, options: argparse.Namespace) -> Result:
    """The emulator's own tests."""
    if not has_files('tests/emulator/**/test_*.py'):
        return result.skip('no tests yet (no tests/emulator/**/test_*.py)')
    run_pytest(result, 'tests/emulator', XDIST if options.xdist else ())
    return result


RELIABILITY_SUMMARY = re.compile(r'known bugs \(xfail\): (\d+); rows not as expected: (\d+); rows: (\d+)')


def stage_reliability(result: Result, options: argparse.Namespace) -> Result:
    """The reliability suite: real ansible-playbook runs against the emulator (faults, bad input, secrets); prints a table."""
    if not has_files('tests/reliability/**/test_*.py'):
        return result.skip('no tests yet (no tests/reliability/**/test_*.py)')
    # Rows of one scenario share a playbook run: keep each xdist_group in one worker.
    done = run_pytest(result, 'tests/reliability', XDIST + ('--dist', 'loadgroup') if options.xdist else ())
    summary = [line.strip() for line in done.lines if RELIABILITY_SUMMARY.search(line)]
    if summary:
        known, unexpected, rows = RELIABILITY_SUMMARY.search(summary[-1]).groups()
        result.counts = '%s; %s rows, %s not as expected, %s known bugs' % (result.counts or '-', rows, unexpected, known)
        result.details.append(summary[-1])
        if int(unexpected) and result.status != 'failed':
            result.fail('%s reliability rows not as expected' % unexpected)
    elif result.status != 'failed':
        result.fail('the reliability suite printed no summary line (rows not as expected: N; rows: N)')
    return result


# --- the oldest ansible-core


def ansible_core_version(bin_dir: str) -> str:
    """The ansible-core version installed in the venv of bin_dir."""
    code = 'from ansible.release import __version__; print(__version__)'
    proc = subprocess.run([os.path.join(bin_dir, 'python'), '-c', code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, check=False)
    return proc.stdout.decode('utf-8', 'replace').strip() if proc.returncode == 0 else 'unknown'


def python_version(bin_dir: str) -> str:
    """X.Y of the venv's python."""
    code = 'import sys; print("%d.%d" % sys.version_info[:2])'
    return subprocess.run([os.path.join(bin_dir, 'python'), '-c', code], stdout=subprocess.PIPE, timeout=60, check=True).stdout.decode().strip()


def requires_ansible_floor() -> tuple[int, int]:
    """The lowest ansible-core X.Y that meta/runtime.yml's requires_ansible claims (>=X.Y.Z)."""
    with open(os.path.join(REPO, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        match = re.search(r'^requires_ansible:\s*[\'"]?>=\s*(\d+)\.(\d+)', handle.read(), re.M)
    if not match:
        raise RuntimeError('meta/runtime.yml has no requires_ansible: ">=X.Y.Z"')
    return int(match.group(1)), int(match.group(2))


def oldest_bin(result: Result, options: argparse.Namespace) -> t.Optional[str]:
    """The bin dir of the oldest-core venv; None (and the stage failed) when it is missing or holds another ansible-core."""
    bin_dir = os.path.join(os.path.abspath(options.oldest_venv), 'bin')
    if not os.path.isfile(os.path.join(bin_dir, 'python')):
        result.fail('no %s: build it with `make venv-oldest` (from requirements-oldest.txt)' % os.path.relpath(options.oldest_venv, REPO))
        return None
    version = ansible_core_version(bin_dir)
    floor = requires_ansible_floor()
    if tuple(int(x) for x in re.findall(r'\d+', version)[:2]) != floor:
        result.fail('%s holds ansible-core %s, but meta/runtime.yml claims >=%d.%d: rebuild it from requirements-oldest.txt'
                    % (os.path.relpath(options.oldest_venv, REPO), version, *floor))
        return None
    return bin_dir


# --- get-pip stand-in and ansible-test helpers


def ansible_test_pip_versions() -> list[str]:
    """The pip version(s) ansible-test bootstraps into its venvs, read from the installed ansible-test."""
    code = ('import json, types\n'
            'from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS\n'
            'from ansible_test._internal.python_requirements import get_venv_packages\n'
            'print(json.dumps(sorted({get_venv_packages(types.SimpleNamespace(version=v))["pip"] for v in SUPPORTED_PYTHON_VERSIONS})))\n')
    try:
        out = subprocess.run([VENV_PYTHON, '-c', code], check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60).stdout
        return json.loads(out)
    except (subprocess.SubprocessError, OSError, ValueError) as ex:
        # Fall back to reading the default from the source (the internal API may change).
        source = os.path.join(ansible_test_root(), '_internal', 'python_requirements.py')
        with open(source, encoding='utf-8') as handle:
            match = re.search(r"default_packages\s*=\s*dict\(\s*pip='([^']+)'", handle.read())
        if not match:
            raise RuntimeError('cannot tell which pip version ansible-test bootstraps: %s' % ex) from ex
        return [match.group(1)]


def ansible_test_root() -> str:
    """The installed ansible_test package directory."""
    out = subprocess.run([VENV_PYTHON, '-c', 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))'],
                         check=True, stdout=subprocess.PIPE, timeout=60).stdout
    return out.decode().strip()


def install_get_pip_stand_in() -> list[str]:
    """Put the offline get-pip stand-in where ansible-test looks before downloading; return notes."""
    notes = []
    cache = os.path.join(TEST_HOME, '.ansible', 'test', 'cache')
    os.makedirs(cache, exist_ok=True)
    with open(GET_PIP_STAND_IN, encoding='utf-8') as handle:
        stand_in = handle.read()
    for version in ansible_test_pip_versions():
        path = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))
        if os.path.exists(path):
            with open(path, encoding='utf-8', errors='replace') as handle:
                current = handle.read()
            if GET_PIP_MARKER not in current:
                notes.append('kept the existing %s (not the stand-in)' % path)
                continue
            if current == stand_in:
                continue
        tmp = path + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as handle:
            handle.write(stand_in)
        os.replace(tmp, path)
        notes.append('installed the get-pip stand-in for pip %s at %s' % (version, os.path.relpath(path, REPO)))
    return notes


def ansible_test(args: list[str], bin_dir: str = VENV_BIN) -> list[str]:
    """The ansible-test command line."""
    return [os.path.join(bin_dir, 'ansible-test')] + args


def check_sanity_ignores(result: Result) -> None:
    """Fail on any tests/sanity/ignore-*.txt entry: the collection keeps no sanity ignores."""
    for path in sorted(glob.glob(os.path.join(REPO, 'tests', 'sanity', 'ignore-*.txt'))):
        with open(path, encoding='utf-8') as handle:
            entries = [line.strip() for line in handle if line.strip() and not line.lstrip().startswith('#')]
        if entries:
            result.fail('%s has %d entries; the collection keeps no sanity ignores' % (os.path.relpath(path, REPO), len(entries)))
            result.details.extend('  %s' % entry for entry in entries)


def list_sanity_tests(env: dict[str, str]) -> list[str]:
    """The sanity tests the installed ansible-test would run here."""
    done = run(ansible_test(['sanity', '--list-tests', '--local', '--python', CONTROLLER_PYTHON, '--color', 'no']), 'sanity',
               cwd=SANITY_COPY, env=env, timeout=300, echo=False, log_name='sanity-list')
    if done.returncode != 0:
        raise RuntimeError('ansible-test sanity --list-tests failed:\n' + done.output)
    return [line.strip() for line in done.lines if re.fullmatch(r'[a-z0-9][a-z0-9.-]*', line.strip())]


def read_sanity_junit(junit_dir: str) -> dict[str, tuple[str, str]]:
    """Map each sanity test result name to (status, message) from ansible-test's junit files."""
    results = {}
    for path in sorted(glob.glob(os.path.join(junit_dir, 'ansible-test-sanity-*.xml'))):
        for case in ET.parse(path).getroot().iter('testcase'):
            name = case.get('name', '')
            if case.find('skipped') is not None:
                node = case.find('skipped')
                message = (node.get('message') or node.text or '') if node is not None else ''
                results[name] = ('skipped', message.strip())
            elif case.find('failure') is not None or case.find('error') is not None:
                results[name] = ('failed', '')
            else:
                results[name] = ('passed', '')
    return results


SANITY_PROGRAMS = {'shellcheck': 'shellcheck', 'pwsh': 'pslint'}  # program a sanity test needs -> the test
SANITY_FINDING = re.compile(r'^ERROR: ([^\s:]+:\d+:\d+: .*)$')


MULTI_VERSION_TESTS = ('compile', 'import')  # the sanity tests that run on each target Python version


def module_python_floor() -> tuple[int, int]:
    """The lowest Python version tests/config.yml claims for modules (modules: python_requires: '>=X.Y')."""
    try:
        with open(os.path.join(REPO, 'tests', 'config.yml'), encoding='utf-8') as handle:
            match = re.search(r"python_requires:\s*['\"]?>=\s*(\d+)\.(\d+)", handle.read())
    except OSError:
        match = None
    return (int(match.group(1)), int(match.group(2))) if match else (3, 8)


def find_interpreter(version: str) -> t.Optional[str]:
    """A working python<version> interpreter with venv and ensurepip, or None."""
    candidates = []
    found = shutil.which('python' + version)
    if found:
        candidates.append(found)
    pyenv_root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    candidates += sorted(glob.glob(os.path.join(pyenv_root, 'versions', version + '.*', 'bin', 'python' + version)), reverse=True)
    probe = 'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2]); print(sys.executable)'
    for candidate in candidates:
        try:
            proc = subprocess.run([candidate, '-c', probe], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        lines = proc.stdout.decode('utf-8', 'replace').split()
        if proc.returncode == 0 and len(lines) == 2 and lines[0] == version and os.path.isfile(lines[1]):
            return lines[1]
    return None


def extra_target_pythons() -> tuple[dict[str, str], list[str]]:
    """Interpreters for the multi-version sanity tests besides the controller's, and the versions not found."""
    code = 'from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS as v; print(" ".join(v))'
    out = subprocess.run([VENV_PYTHON, '-c', code], check=True, stdout=subprocess.PIPE, timeout=60).stdout.decode().split()
    floor = module_python_floor()
    wanted = [v for v in out if tuple(int(x) for x in v.split('.')) >= floor and v != CONTROLLER_PYTHON]
    found, missing = {}, []
    for version in wanted:
        path = find_interpreter(version)
        if path:
            found[version] = path
        else:
            missing.append(version)
    return found, missing


def stage_sanity(result: Result, options: argparse.Namespace) -> Result:
    """ansible-test sanity from a copy of the tree."""
    check_sanity_ignores(result)
    count = make_copy(SANITY_COPY)
    say('copied %d files to %s' % (count, os.path.relpath(SANITY_COPY, REPO)))
    for note in install_get_pip_stand_in():
        say(note)
    env = isolated_env()
    expected = list_sanity_tests(env)
    selected = options.sanity_test or []
    if selected:
        expected = [test for test in expected if test in selected]
    junit_dir = os.path.join(SANITY_COPY, 'tests', 'output', 'junit')
    shutil.rmtree(junit_dir, ignore_errors=True)

    # Every sanity test, with the controller's Python.
    mode = ['--local'] if options.sanity_local else ['--venv']
    cmd = ansible_test(['sanity', '--color', 'no', '--junit', '-v', '--python', CONTROLLER_PYTHON] + mode)
    cmd += [arg for name in selected for arg in ('--test', name)]
    runs = [run(cmd, result.stage, cwd=SANITY_COPY, env=env, timeout=TIMEOUTS['sanity'])]

    # compile and import once more with every other Python that the modules claim and that is installed here.
    multi = [test for test in MULTI_VERSION_TESTS if test in expected]
    if multi and not options.sanity_controller_python_only and not runs[0].timed_out:
        pythons, not_found = extra_target_pythons()
        versions = [CONTROLLER_PYTHON] + sorted(pythons, key=lambda v: tuple(int(x) for x in v.split('.')))
        absent = ('; not installed here: ' + ', '.join(not_found)) if not_found else ''
        result.details.append('%s ran on Python %s%s' % (' and '.join(multi), ', '.join(versions), absent))
        if pythons:
            extra_env = dict(env)
            # Put the real interpreters first: ansible-test looks some of them up by name (pyenv shims may not work).
            extra_env['PATH'] = os.pathsep.join([VENV_BIN] + [os.path.dirname(p) for p in pythons.values()] + [env['PATH']])
            cmd = ansible_test(['sanity', '--color', 'no', '--junit', '-v'])
            cmd += [arg for test in multi for arg in ('--test', test)]
            cmd += [arg for version, path in pythons.items() for arg in ('--target-python', '%s@%s' % (version, path))]
            runs.append(run(cmd, result.stage, cwd=SANITY_COPY, env=extra_env, timeout=TIMEOUTS['sanity']))
    if any(done.timed_out for done in runs):
        return result.fail('timed out after %ds' % TIMEOUTS['sanity'])

    junit = read_sanity_junit(junit_dir)
    ran, not_applicable, skipped, failed = [], [], [], []
    for name, (status, message) in sorted(junit.items()):
        if status == 'passed':
            ran.append(name)
        elif status == 'failed':
            failed.append(name)
        elif message == NOT_APPLICABLE:
            not_applicable.append(name)
        else:
            skipped.append('%s (%s)' % (name, message))
    seen = {name.split('-python-')[0] for name in junit}
    missing = [test for test in expected if test not in seen]
    lines = [line for done in runs for line in done.lines]
    warnings = list(dict.fromkeys(line for line in lines if line.startswith('WARNING: ')
                                  and re.search(r'Skipping|not found|missing|unsupported', line)))
    # ansible-test reports a test whose program is missing as a plain skip ("No tests applicable."); name it.
    for program in re.findall(r'^WARNING: Required program "([^"]+)" not found', '\n'.join(warnings), re.M):
        test = SANITY_PROGRAMS.get(program)
        for name in [n for n in not_applicable if test and n.split('-python-')[0] == test]:
            not_applicable.remove(name)
            skipped.append('%s (required program "%s" not found)' % (name, program))
    findings = [m.group(1) for m in map(SANITY_FINDING.match, lines) if m]

    result.counts = '%d results: %d passed, %d failed, %d not applicable, %d skipped; %d findings' % (
        len(junit), len(ran), len(failed), len(not_applicable), len(skipped), len(findings))
    result.details.append('passed: ' + (', '.join(ran) or '-'))
    if not_applicable:
        result.details.append('not applicable (no files to check): ' + ', '.join(not_applicable))
    for done in runs:
        if done.returncode != 0:
            result.fail('ansible-test sanity exited with %d%s' % (done.returncode, (': ' + ', '.join(failed)) if failed else ''))
    if skipped:
        result.fail('sanity tests skipped: ' + '; '.join(skipped))
    if missing:
        result.fail('sanity tests without a result: ' + ', '.join(missing))
    if warnings:
        result.fail('ansible-test warned about skipped or missing pieces')
        result.details.extend(warnings)
    if not junit:
        result.fail('no sanity results found in ' + os.path.relpath(junit_dir, REPO))
    result.details.extend(findings)
    return result


# --- integration


def start_emulator(workdir: str) -> t.Any:
    """The OSS emulator in a subprocess (its own session), for the integration stage; stop it with `with` or stop()."""
    port_file = os.path.join(workdir, 'port')
    request_log = os.path.join(workdir, 'requests.jsonl')
    log_path = os.path.join(workdir, 'emulator.log')
    for path in (port_file, request_log):
        if os.path.exists(path):
            os.unlink(path)
    emulator = EmulatorProcess(['--port-file', port_file, '--request-log', request_log], python=VENV_PYTHON, env=venv_env(), cwd=REPO,
                               stderr=subprocess.STDOUT, log_path=log_path, new_session=True)
    say('$ ' + shlex.join(emulator.command) + '  (output in %s)' % os.path.relpath(log_path, REPO))
    emulator.start()
    say('emulator ready at ' + emulator.endpoint)
    return emulator


def integration_config(url: str) -> str:
    """The integration_config.yml text for an emulator at the given URL (JSON is valid YAML)."""
    values = {'oss_endpoint': url, 'oss_control_url': url + '/_emulator'}
    values.update(INTEGRATION_CONFIG)
    values['oss_emulator_python'] = VENV_PYTHON
    values['oss_repo_root'] = REPO
    lines = ['---', '# Written by hack/run_tests.py for one run against the OSS emulator.']
    lines += ['%s: %s' % (key, json.dumps(value)) for key, value in values.items()]
    return '\n'.join(lines) + '\n'


def stage_integration(result: Result, options: argparse.Namespace) -> Result:
    """ansible-test integration against the OSS emulator."""
    return run_integration(result, options, VENV_BIN)


def stage_integration_oldest(result: Result, options: argparse.Namespace) -> Result:
    """ansible-test integration against the OSS emulator, with the oldest ansible-core that meta/runtime.yml claims."""
    bin_dir = oldest_bin(result, options)
    if bin_dir is None:
        return result
    return run_integration(result, options, bin_dir)


def run_integration(result: Result, options: argparse.Namespace, bin_dir: str) -> Result:
    """ansible-test integration of bin_dir's ansible-core (the emulator runs with the harness's venv)."""
    targets = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
                     for p in glob.glob(os.path.join(REPO, 'tests', 'integration', 'targets', '*', 'tasks', 'main.yml')))
    if not targets:
        return result.skip('no integration targets yet (no tests/integration/targets/*/tasks/main.yml)')
    if not os.path.isfile(os.path.join(REPO, 'tests', 'emulator', 'serve.py')):
        return result.fail('integration targets exist but tests/emulator/serve.py does not')
    count = make_copy()
    say('copied %d files to %s' % (count, os.path.relpath(COPY, REPO)))
    workdir = os.path.join(TMP, result.stage + '-run')
    os.makedirs(workdir, exist_ok=True)
    version = ansible_core_version(bin_dir)
    # The real HOME here, not the project-local one: with a HOME that differs from the passwd home, async tasks break
    # (async_wrapper writes the job file under $HOME/.ansible_async, async_status looks under ~user/.ansible_async:
    # "could not find job"), and ansible-test passes no ANSIBLE_ASYNC_DIR through. ansible-test --local only adds its
    # SSH key pair under ~/.ansible/test/ here; no venv, no download.
    env = venv_env(bin_dir)
    cmd = ansible_test(['integration', '--local', '--allow-unsupported', '--continue-on-error', '--python', python_version(bin_dir), '--color', 'no'],
                       bin_dir)
    cmd += list(options.integration_target or ())
    # The targets ansible-test will run (setup_* and other hidden dependency targets are not in the list).
    listed = run(cmd + ['--list-targets'], result.stage, cwd=COPY, env=env, timeout=300, echo=False, log_name=result.stage + '-list')
    expected = [line.strip() for line in listed.lines if re.fullmatch(r'[A-Za-z0-9_.-]+', line.strip())]
    if listed.returncode != 0 or not expected:
        result.details.extend(listed.lines)
        return result.fail('ansible-test integration --list-targets found no target to run (targets on disk: %s)' % ', '.join(targets))
    with start_emulator(workdir) as emulator:
        with open(os.path.join(COPY, 'tests', 'integration', 'integration_config.yml'), 'w', encoding='utf-8') as handle:
            handle.write(integration_config(emulator.endpoint))
        done = run(cmd, result.stage, cwd=COPY, env=env, timeout=TIMEOUTS[result.stage])
    ran = sorted(set(re.findall(r'^Running (\S+) integration test role', done.output, re.M)))
    recaps = re.findall(r'ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', done.output)
    failed_tasks = sum(int(r[3]) for r in recaps)
    result.counts = 'ansible-core %s: %d of %d targets run, %d failed tasks' % (version, len(ran), len(expected), failed_tasks)
    result.details.append('targets run: ' + ', '.join(ran or ['-']))
    result.details.append('emulator request log: ' + os.path.relpath(os.path.join(workdir, 'requests.jsonl'), REPO))
    if done.timed_out:
        return result.fail('timed out after %ds' % TIMEOUTS[result.stage])
    if done.returncode != 0:
        result.fail('ansible-test integration exited with %d' % done.returncode)
    not_run = [target for target in expected if target not in ran]
    if not_run:
        result.fail('integration targets not run: ' + ', '.join(not_run))
    if any(line.startswith('WARNING: All targets skipped') for line in done.lines):
        result.fail('ansible-test skipped all targets')
    return result


# --- lint and docs


def stage_lint(result: Result, options: argparse.Namespace) -> Result:
    """ansible-lint with the production profile (configured in .ansible-lint)."""
    del options
    # offline: true (.ansible-lint) stops ansible-lint from installing the collection with ansible-galaxy (into ./.ansible);
    # the symlinked collections root makes alicloud.oss resolvable for its playbook syntax checks instead.
    ensure_collection_link()
    env = isolated_env(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_LINK_ROOT)
    cmd = [os.path.join(VENV_BIN, 'ansible-lint'), '--nocolor', '--format', 'pep8']
    done = run(cmd, result.stage, env=env, timeout=TIMEOUTS['lint'])
    summary = [line for line in done.lines if line.startswith(('Passed:', 'Failed:'))]
    profile = [line for line in done.lines if 'Profile' in line or 'profile' in line]
    if summary:
        match = re.match(r'(Passed|Failed): (\d+) failure\(s\), (\d+) warning\(s\) (?:in|on) (\d+) files', summary[-1])
        result.counts = '%s failures, %s warnings, %s files' % match.group(2, 3, 4) if match else summary[-1]
    result.details.extend(line for line in done.lines if re.match(r'^[^\s:]+:\d+(:\d+)?: \S+', line))
    result.details.extend(summary)
    if done.timed_out:
        return result.fail('timed out after %ds' % TIMEOUTS['lint'])
    if done.returncode != 0:
        return result.fail('ansible-lint exited with %d' % done.returncode)
    if not any("'production' was required, and it passed" in line for line in profile):
        return result.fail('ansible-lint did not report that the production profile passed')
    return result


def check_ansible_doc(result: Result, bin_dir: str, collections_root: str, cwd: str) -> int:
    """Render every module with bin_dir's ansible-doc from collections_root; fail the stage on an error or any stderr. Returns the clean count."""
    env = isolated_env(bin_dir, ANSIBLE_COLLECTIONS_PATH=collections_root, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false')
    version = ansible_core_version(bin_dir)
    clean = 0
    for module in module_names():
        fqcn = '%s.%s.%s' % (NAMESPACE, NAME, module)
        proc = subprocess.run([os.path.join(bin_dir, 'ansible-doc'), '-t', 'module', fqcn], cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=300, check=False)
        stderr = proc.stderr.decode('utf-8', 'replace').strip()
        stdout = proc.stdout.decode('utf-8', 'replace')
        if proc.returncode != 0 or stderr or fqcn.upper() not in stdout.upper():
            result.fail('ansible-doc %s is not clean' % fqcn)
            result.details.append('ansible-doc %s (ansible-core %s): exit %d; stderr: %s' % (fqcn, version, proc.returncode, stderr or '-'))
        else:
            clean += 1
        say('ansible-doc %s (ansible-core %s): %s' % (fqcn, version, 'ok' if proc.returncode == 0 and not stderr else 'NOT CLEAN'))
    return clean


def stage_docs(result: Result, options: argparse.Namespace) -> Result:
    """antsibull-docs lint-collection-docs, and ansible-doc without warnings on both ansible-cores."""
    modules = module_names()
    if not modules:
        return result.skip('no modules yet (plugins/modules/*.py)')
    count = make_copy()
    say('copied %d files to %s' % (count, os.path.relpath(COPY, REPO)))
    env = isolated_env(ANSIBLE_COLLECTIONS_PATH=COPY_ROOT, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false')
    done = run([os.path.join(VENV_BIN, 'antsibull-docs'), 'lint-collection-docs', '--plugin-docs', '.'], result.stage, cwd=COPY, env=env,
               timeout=TIMEOUTS['docs'])
    if done.returncode != 0:
        result.fail('antsibull-docs lint-collection-docs exited with %d' % done.returncode)
        result.details.extend(line for line in done.lines if line.strip())
    counts = ['lint-collection-docs %s' % ('ok' if done.returncode == 0 else 'failed')]
    cores = [VENV_BIN]
    oldest = os.path.join(os.path.abspath(options.oldest_venv), 'bin')
    if os.path.isfile(os.path.join(oldest, 'ansible-doc')):
        cores.append(oldest)
    else:
        result.details.append('ansible-doc not run with the oldest ansible-core: no %s (make venv-oldest)' % os.path.relpath(options.oldest_venv, REPO))
    for bin_dir in cores:
        clean = check_ansible_doc(result, bin_dir, COPY_ROOT, COPY)
        counts.append('ansible-doc %s %d/%d modules clean' % (ansible_core_version(bin_dir), clean, len(modules)))
    result.counts = ', '.join(counts)
    return result


# --- artifact


# Never in the tarball: development state and tooling that a user of the collection does not need. Checked against the
# tarball's member names (a name equal to an entry or below it); __pycache__, *.pyc and tarballs anywhere.
ARTIFACT_FORBIDDEN = ('.git', '.gitignore', '.ci', '.venv', '.tmp', '.cache', '.pytest_cache', '.hypothesis', '.ansible', 'build', 'hack',
                      'Makefile', 'constraints.txt', 'requirements-dev.txt', 'requirements-oldest.txt', 'tests/output',
                      'tests/integration/integration_config.yml', 'changelogs/.plugin-cache.yaml')
# Always in the tarball: these files, and every file git knows under these directories.
ARTIFACT_REQUIRED_FILES = ('MANIFEST.json', 'FILES.json', 'README.md', 'COPYING', 'CHANGELOG.rst', 'meta/runtime.yml')
ARTIFACT_REQUIRED_DIRS = ('plugins', 'meta', 'docs', 'examples', 'changelogs')
ARTIFACT_MAX_BYTES = 2 * 1024 * 1024  # the tarball is about 0.2 MB; a multiple of that means something big slipped in


def forbidden_member(name: str) -> bool:
    """True for a tarball member that must not ship."""
    parts = name.split('/')
    if '__pycache__' in parts or name.endswith(('.pyc', '.tar.gz')) or parts[0].startswith('.venv'):
        return True
    return any(name == entry or name.startswith(entry + '/') for entry in ARTIFACT_FORBIDDEN)


def check_tarball(result: Result, tarball: str) -> None:
    """Fail the stage when the tarball holds development files or lacks a file a user needs."""
    with tarfile.open(tarball) as archive:
        names = {member.name[2:] if member.name.startswith('./') else member.name for member in archive.getmembers() if not member.isdir()}
    size = os.path.getsize(tarball)
    result.details.append('%s: %d files, %.0f kB' % (os.path.relpath(tarball, REPO), len(names), size / 1024))
    forbidden = sorted(name for name in names if forbidden_member(name))
    if forbidden:
        result.fail('the tarball holds %d development files (extend build_ignore in galaxy.yml)' % len(forbidden))
        result.details.extend('  ships: ' + name for name in forbidden[:40])
    wanted = list(ARTIFACT_REQUIRED_FILES) + [path for path in tree_files() if path.split('/')[0] in ARTIFACT_REQUIRED_DIRS]
    missing = sorted(set(path for path in wanted if path not in names))
    if missing:
        result.fail('the tarball lacks %d files a user needs (check build_ignore in galaxy.yml)' % len(missing))
        result.details.extend('  lacks: ' + name for name in missing[:40])
    if size > ARTIFACT_MAX_BYTES:
        result.fail('the tarball is %.1f MB, more than %.1f MB' % (size / 1048576, ARTIFACT_MAX_BYTES / 1048576))


def stage_artifact(result: Result, options: argparse.Namespace) -> Result:
    """ansible-galaxy collection build and install; ansible-doc and the demo playbook from the installed copy."""
    del options
    shutil.rmtree(ARTIFACT_DIR, ignore_errors=True)
    dist, collections = os.path.join(ARTIFACT_DIR, 'dist'), os.path.join(ARTIFACT_DIR, 'collections')
    galaxy = os.path.join(VENV_BIN, 'ansible-galaxy')
    # The project-local HOME keeps ansible-galaxy away from the user's ~/.ansible; no Galaxy server is asked (no dependencies).
    env = isolated_env(ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false')
    # Built from the working tree, as `make build` and a maintainer do: build_ignore must keep out whatever lies around.
    built = run([galaxy, 'collection', 'build', '--force', '--output-path', dist], result.stage, env=env, timeout=300)
    tarballs = sorted(glob.glob(os.path.join(dist, '%s-%s-*.tar.gz' % (NAMESPACE, NAME))))
    if built.returncode != 0 or len(tarballs) != 1:
        return result.fail('ansible-galaxy collection build exited with %d and wrote %d tarballs' % (built.returncode, len(tarballs)))
    tarball = tarballs[0]
    check_tarball(result, tarball)
    installed = run([galaxy, 'collection', 'install', '--force', '--offline', tarball, '-p', collections], result.stage, env=env, timeout=300)
    installed_root = os.path.join(collections, 'ansible_collections', NAMESPACE, NAME)
    if installed.returncode != 0 or not os.path.isfile(os.path.join(installed_root, 'MANIFEST.json')):
        return result.fail('ansible-galaxy collection install exited with %d; nothing at %s' % (installed.returncode, os.path.relpath(installed_root, REPO)))
    clean = check_ansible_doc(result, VENV_BIN, collections, ARTIFACT_DIR)
    # The demo's playbook and modules both come from the installed copy; the emulator and the demo driver from the repository.
    playbook = os.path.join(installed_root, 'examples', 'custom_domain.yml')
    demo = run([VENV_PYTHON, os.path.join('hack', 'demo.py'), '--collections-path', collections, '--playbook', playbook], result.stage,
               env=venv_env(ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false'), timeout=TIMEOUTS['artifact'])
    rows = [line for line in demo.lines if re.match(r'^(onboard|rotate|offboard)\s+[12]\s', line)]
    ok_rows = [line for line in rows if line.rstrip().endswith(' ok')]
    result.counts = '%s: ansible-doc %d/%d modules clean, demo %d/%d runs as expected' % (
        os.path.basename(tarball), clean, len(module_names()), len(ok_rows), len(rows))
    if demo.timed_out:
        return result.fail('the demo timed out after %ds' % TIMEOUTS['artifact'])
    if demo.returncode != 0 or not rows or len(ok_rows) != len(rows):
        result.fail('the demo from the installed collection exited with %d' % demo.returncode)
        result.details.extend(line for line in rows if line not in ok_rows)
    return result


STAGE_FUNCS: dict[str, t.Callable[[Result, argparse.Namespace], Result]] = {
    'units': stage_units,
    'units-oldest': stage_units_oldest,
    'emulator': stage_emulator,
    'integration': stage_integration,
    'integration-oldest': stage_integration_oldest,
    'reliability': stage_reliability,
    'artifact': stage_artifact,
    'sanity': stage_sanity,
    'lint': stage_lint,
    'docs': stage_docs,
}


# ---------------------------------------------------------------------------------------------------
# main


def tests_no_stage_runs() -> list[str]:
    """Directories under tests/ holding test_*.py files that no stage runs."""
    covered = {'unit', 'emulator', 'integration', 'reliability', 'sanity', 'output'}
    tests = os.path.join(REPO, 'tests')
    names = sorted(os.listdir(tests)) if os.path.isdir(tests) else []
    return ['tests/' + name for name in names if name not in covered and has_files('tests/%s/**/test_*.py' % name)]


def summarize(results: list[Result], wall: float) -> str:
    """The summary table and the final 'N passed, N failed' line."""
    rows = [('stage', 'result', 'counts', 'duration')]
    for res in results:
        label = res.status if res.status == 'passed' else '%s: %s' % (res.status, res.reason)
        rows.append((res.stage, label, res.counts or '-', '%.1fs' % res.duration))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ['', '=' * 100, 'SUMMARY']
    for row in rows:
        lines.append('  '.join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip())
    for res in results:
        if res.details and res.status != 'skipped':
            lines.append('')
            lines.append('%s:' % res.stage)
            lines.extend('  ' + detail for detail in res.details)
    total = sum(res.duration for res in results)
    lines.append('')
    for path in tests_no_stage_runs():
        lines.append('note: %s has test_*.py files that no stage of this harness runs' % path)
    if total > wall + 1:
        lines.append('total time %.1fs wall clock (stage durations add up to %.1fs: %s ran concurrently); logs in %s'
                     % (wall, total, CONCURRENT_STAGE, os.path.relpath(LOG_DIR, REPO)))
    else:
        lines.append('total time %.1fs; logs in %s' % (wall, os.path.relpath(LOG_DIR, REPO)))
    passed = sum(res.status == 'passed' for res in results)
    failed = sum(res.status == 'failed' for res in results)
    skipped = sum(res.status == 'skipped' for res in results)
    final = '%d passed, %d failed' % (passed, failed)
    if skipped:
        final += ', %d skipped' % skipped
    lines.append(final)
    return '\n'.join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('stages', nargs='*', metavar='STAGE', help='stages to run, in order: %s' % ', '.join(STAGES))
    parser.add_argument('--all', action='store_true', help='run every stage (implies --keep-going)')
    parser.add_argument('--list', action='store_true', help='list the stages and exit')
    parser.add_argument('--keep-going', action='store_true', default=None, help='run the remaining stages after a failure')
    parser.add_argument('--fail-fast', dest='keep_going', action='store_false', help='stop at the first failed stage (implies --serial)')
    parser.add_argument('--serial', action='store_true', help='run sanity in turn, not concurrently with the other stages')
    parser.add_argument('--xdist', action='store_true', help='run pytest with -n 2 (pytest-xdist)')
    parser.add_argument('--oldest-venv', default=OLDEST_VENV, metavar='DIR',
                        help='venv with the oldest ansible-core that meta/runtime.yml claims (default: .venv-oldest)')
    parser.add_argument('--sanity-local', action='store_true', help='ansible-test sanity --local instead of --venv')
    parser.add_argument('--sanity-controller-python-only', action='store_true',
                        help='run compile and import only with the controller Python, not also with other installed versions')
    parser.add_argument('--sanity-test', action='append', metavar='TEST', help='run only this sanity test (repeatable)')
    parser.add_argument('--integration-target', action='append', metavar='TARGET', help='run only this integration target (repeatable)')
    options = parser.parse_args(argv)
    unknown = [stage for stage in options.stages if stage not in STAGES]
    if unknown:
        parser.error('unknown stage(s): %s (choose from %s)' % (', '.join(unknown), ', '.join(STAGES)))
    if options.all:
        options.stages = list(STAGES)
        if options.keep_going is None:
            options.keep_going = True
    elif not options.stages and not options.list:
        parser.error('name one or more stages, or --all')
    return options


def execute(stage: str, options: argparse.Namespace) -> Result:
    """Run one stage (under its copy's lock when it uses a copy); a harness bug fails the stage, not the run."""
    result = Result(stage)
    start = time.monotonic()
    try:
        if stage in COPY_STAGES:
            with copy_lock(COPY_STAGES[stage]):
                STAGE_FUNCS[stage](result, options)
        else:
            STAGE_FUNCS[stage](result, options)
    except KeyboardInterrupt:
        result.fail('interrupted')
        raise
    except Exception as ex:  # pylint: disable=broad-exception-caught  # a harness bug must not hide the other stages
        result.fail('interrupted' if _STOPPING.is_set() else '%s: %s' % (type(ex).__name__, ex))
    finally:
        result.duration = time.monotonic() - start
    return result


class Concurrent:
    """A stage run in a thread beside the others; its output is held back and printed when it is collected."""

    def __init__(self, stage: str, options: argparse.Namespace) -> None:
        self.stage = stage
        self.result = Result(stage)
        self.buffer: list[str] = []
        self.thread = threading.Thread(target=self._run, args=(options,), name=stage, daemon=True)

    def start(self) -> Concurrent:
        """Start the stage."""
        say('stage %s runs concurrently with the others; its output follows them (and is in %s)'
            % (self.stage, os.path.relpath(os.path.join(LOG_DIR, self.stage + '.log'), REPO)))
        self.thread.start()
        return self

    def _run(self, options: argparse.Namespace) -> None:
        _OUTPUT.buffer = self.buffer
        self.result = execute(self.stage, options)  # Ctrl-C reaches the main thread only, which stops our subprocesses

    def collect(self) -> Result:
        """Wait for the stage, print its held-back output, and return its result."""
        if self.thread.is_alive():
            say('\nwaiting for the concurrent stage %s ...' % self.stage)
        self.thread.join()
        banner('stage %s (ran concurrently; its output, held back)' % self.stage)
        sys.stdout.write(''.join(self.buffer))
        say('-- %s %s%s (%.1fs)' % (self.stage, self.result.status, (': ' + self.result.reason) if self.result.reason else '',
                                    self.result.duration))
        return self.result


def stop_all_subprocesses() -> None:
    """Take down the process group of every subprocess still running (Ctrl-C)."""
    _STOPPING.set()
    for pid in list(_RUNNING):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)


def main(argv: list[str]) -> int:
    """Run the requested stages and print the summary."""
    options = parse_args(argv)
    if options.list:
        for stage in STAGES:
            say('%-19s %s' % (stage, (STAGE_FUNCS[stage].__doc__ or '').strip().split('\n', maxsplit=1)[0]))
        return 0
    if sys.prefix == sys.base_prefix:
        say('warning: %s is not a virtual environment python; run this through make' % VENV_PYTHON)
    os.makedirs(LOG_DIR, exist_ok=True)
    for stage in options.stages:
        log = os.path.join(LOG_DIR, stage + '.log')
        if os.path.exists(log):
            os.unlink(log)
    wall_start = time.monotonic()
    concurrent = None
    if CONCURRENT_STAGE in options.stages and len(options.stages) > 1 and not options.serial and options.keep_going:
        concurrent = Concurrent(CONCURRENT_STAGE, options).start()
    results = {}
    try:
        for stage in options.stages:
            if concurrent is not None and stage == concurrent.stage:
                continue
            banner('stage %s' % stage)
            start = time.monotonic()
            try:
                result = execute(stage, options)
            except KeyboardInterrupt:
                results[stage] = Result(stage, duration=time.monotonic() - start).fail('interrupted')
                raise
            results[stage] = result
            say('-- %s %s%s (%.1fs)' % (stage, result.status, (': ' + result.reason) if result.reason else '', result.duration))
            if result.status == 'failed' and not options.keep_going:
                break
        if concurrent is not None:
            results[concurrent.stage] = concurrent.collect()
    except KeyboardInterrupt:
        stop_all_subprocesses()
        if concurrent is not None:
            concurrent.thread.join(timeout=15)
            results[concurrent.stage] = concurrent.result.fail('interrupted')
    ordered = [results[stage] for stage in options.stages if stage in results]
    print(summarize(ordered, time.monotonic() - wall_start), flush=True)
    return 1 if any(res.status == 'failed' for res in ordered) else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
