# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's import measurements: import time against the SDKs, the module_utils' own load time, the marginal cost
of each library plugins/ imports, compile time of the collection's files."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from common import AUDIT_BASIC_ONLY, COLLECTIONS, MU_PREFIX, OSS2_PIN, PROBES, ROOT, WORK, BenchError, median, say


# --- 4. import time --------------------------------------------------------------------------------------------------
def parse_importtime(stderr: str) -> list:
    """[(depth, self_us, cumulative_us, name)] from -X importtime output."""
    entries = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)", line)
        if match:
            entries.append((len(match.group(3)) // 2, int(match.group(1)), int(match.group(2)), match.group(4)))
    return entries


def top_level_after(entries: list, marker: str) -> int:
    """Cumulative microseconds of the top-level imports that follow the top-level import `marker`."""
    names = [name for depth, _self, _cum, name in entries if depth == 0]
    if marker not in names:
        raise BenchError(f"no top-level import {marker} in the -X importtime output")
    start = max(index for index, (depth, _s, _c, name) in enumerate(entries) if depth == 0 and name == marker)
    return sum(cumulative for depth, _self, cumulative, _name in entries[start + 1 :] if depth == 0)


def import_cost(python: str, statement: str, after: str, env=None) -> int:
    """The import time of `statement` (microseconds) in a fresh interpreter, counted after the top-level import `after`."""
    done = subprocess.run([python, "-X", "importtime", "-c", statement], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise BenchError(f"{python} -c {statement!r} failed: {done.stderr[-2000:]}")
    return top_level_after(parse_importtime(done.stderr), after)


def oss2_python(install: bool) -> tuple:
    """(python with oss2, note). oss2 is not a dependency: it goes into a throwaway venv under .tmp/bench only."""
    venv = WORK / "oss2-venv"
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import oss2; print(oss2.__version__)"]
    if python.exists() and subprocess.run(check, capture_output=True, check=False).returncode == 0:
        return str(python), None
    if not install:
        return None, f"oss2 not measured: no venv at {venv} and --no-install was given"
    say(f"(installing {OSS2_PIN} into the throwaway venv {venv.relative_to(ROOT)}; only the first run does this)")
    shutil.rmtree(venv, ignore_errors=True)
    steps = ([sys.executable, "-m", "venv", str(venv)], [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", OSS2_PIN])
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return None, f"oss2 not measured: `{' '.join(step[-3:])}` failed: {(done.stderr or done.stdout).strip()[-300:]}"
    if subprocess.run(check, capture_output=True, check=False).returncode != 0:
        return None, "oss2 not measured: installed but does not import"
    return str(python), None


def sources_zip() -> Path:
    """The collection's module_utils as sources in a zip, as an AnsiballZ payload carries them (no bytecode: compiled on import)."""
    path = WORK / "module_utils-sources.zip"
    package = "ansible_collections/alicloud/oss/plugins/module_utils"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for parent in (
            "ansible_collections",
            "ansible_collections/alicloud",
            "ansible_collections/alicloud/oss",
            "ansible_collections/alicloud/oss/plugins",
            package,
        ):
            archive.writestr(f"{parent}/__init__.py", "")
        for source in sorted((ROOT / "plugins" / "module_utils").glob("_*.py")):
            archive.write(source, f"{package}/{source.name}")
    return path


def measure_imports(runs: int, install: bool) -> dict:
    """Cumulative -X importtime of one import statement in a fresh interpreter. Bytecode is cached (in a private
    PYTHONPYCACHEPREFIX, filled by one warm-up run per target) for everything but the collection's module_utils when they
    come from the sources zip, which is how a module run meets them. The targets are measured in turn, round after round,
    so that a change of machine load touches them all alike; median and minimum."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    from_zip, from_tree = dict(env, PYTHONPATH=str(sources_zip())), dict(env, PYTHONPATH=str(COLLECTIONS))
    ours = "; ".join(f"import {MU_PREFIX}{path.stem}" for path in sorted((ROOT / "plugins" / "module_utils").glob("_*.py")))
    basic = "import ansible.module_utils.basic"
    targets = {
        "alicloud.oss module_utils, sources (as in a module run)": (sys.executable, ours, "site", from_zip),
        "  the same beyond ansible.module_utils.basic": (sys.executable, f"{basic}; {ours}", basic.split()[1], from_zip),
        "alicloud.oss module_utils, bytecode cached": (sys.executable, ours, "site", from_tree),
        "  the same beyond ansible.module_utils.basic ": (sys.executable, f"{basic}; {ours}", basic.split()[1], from_tree),
        "ansible.module_utils.basic (every module, ping too)": (sys.executable, basic, "site", env),
        "requests": (sys.executable, "import requests", "site", env),
        "alibabacloud_oss_v2": (sys.executable, "import alibabacloud_oss_v2", "site", env),
    }
    python, note = oss2_python(install)
    if python:
        targets["oss2"] = (python, "import oss2", "site", env)
    for interpreter, statement, after, environment in targets.values():
        import_cost(interpreter, statement, after, environment)  # warm-up: writes the bytecode cache
    samples = {name: [] for name in targets}
    for _run in range(runs):
        for name, (interpreter, statement, after, environment) in targets.items():
            samples[name].append(import_cost(interpreter, statement, after, environment))
    return {
        "us": {name: int(median(values)) for name, values in samples.items()},
        "min_us": {name: min(values) for name, values in samples.items()},
        "notes": [note] if note else [],
        "own_us": own_cost(runs, from_zip, from_tree),
        "own_us_per_file": own_cost_per_file(max(3, runs // 2), from_zip),
    }


def own_cost(runs: int, from_zip: dict, from_tree: dict) -> dict:
    """The module_utils' own load time (every library they import loaded first; perf_counter, median): from the sources zip
    (a module run), from the tree without bytecode, from the tree with bytecode (what a bytecode cache would leave)."""
    ours = ",".join(f"{MU_PREFIX}{path.stem}" for path in sorted((ROOT / "plugins" / "module_utils").glob("_*.py")))
    libraries = ",".join(sorted(name for name, when in plugin_imports().items() if when == "at import"))
    # A copy of the sources that never gets bytecode (writing is off), next to the cached bytecode of everything else.
    copy = WORK / "module_utils-sources"
    shutil.rmtree(copy, ignore_errors=True)
    with zipfile.ZipFile(from_zip["PYTHONPATH"]) as archive:
        archive.extractall(copy)
    variants = {
        "sources in a zip (as in a module run)": from_zip,
        "sources, no zip": dict(from_tree, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1"),
        "bytecode cached": from_tree,
    }
    samples = {name: [] for name in variants}
    for _run in range(runs):
        for name, environment in variants.items():
            done = subprocess.run(
                [sys.executable, str(PROBES / "own_imports.py"), ours, libraries], capture_output=True, text=True, env=environment, check=False
            )
            if done.returncode != 0:
                raise BenchError(f"loading the module_utils ({name}) failed: {done.stderr[-1500:]}")
            samples[name].append(float(done.stdout))
    return {name: int(median(values)) for name, values in samples.items()}


def own_cost_per_file(runs: int, from_zip: dict) -> dict:
    """{path: microseconds} to import one module_utils file from the sources zip once the libraries and the collection files it
    imports are loaded: what a run saves when it does not import that file (median)."""
    libraries = sorted(name for name, when in plugin_imports().items() if when == "at import")
    costs = {}
    for path in sorted((ROOT / "plugins" / "module_utils").glob("_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = [node.module for node in tree.body if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(MU_PREFIX)]
        values = []
        for _run in range(runs):
            done = subprocess.run(
                [sys.executable, str(PROBES / "own_imports.py"), MU_PREFIX + path.stem, ",".join(libraries + own)],
                capture_output=True,
                text=True,
                env=from_zip,
                check=False,
            )
            if done.returncode != 0:
                raise BenchError(f"loading {path.name} from the sources zip failed: {done.stderr[-1500:]}")
            values.append(float(done.stdout))
        costs[str(path.relative_to(ROOT))] = int(median(values))
    return costs


# --- 6. marginal cost of each library the module_utils import ---------------------------------------------------------
def marginal(name: str, preloaded: str, runs: int) -> dict:
    values, probe = [], {}
    for _run in range(runs):
        done = subprocess.run([sys.executable, str(PROBES / "marginal_import.py"), name, preloaded], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BenchError(f"importing {name}: {done.stderr[-1000:]}")
        probe = json.loads(done.stdout)
        values.append(probe["us"])
        if probe["loaded"]:
            break  # already loaded by what is preloaded: costs nothing, no need to repeat
    return {
        "import": name,
        "on_top_of": preloaded.replace(",", " + "),
        "us": int(median(values)),
        "already_loaded": probe["loaded"],
        "new_modules": len(probe["new"]),
    }


def plugin_imports() -> dict:
    """{library: "at import" | "deferred"} for every library plugins/ imports (not ansible*, not the collection itself)."""
    found = {}
    for path in sorted((ROOT / "plugins").glob("*/*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deferred = {id(node) for function in ast.walk(tree) if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) for node in ast.walk(function)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name == "__future__" or name.split(".")[0] in ("ansible", "ansible_collections"):
                    continue
                when = "deferred" if id(node) in deferred else "at import"
                if found.get(name) != "at import":
                    found[name] = when
    return found


def measure_audit(runs: int) -> list:
    rows = []
    for name, when in sorted(plugin_imports().items()):
        rows.append(dict(marginal(name, "ansible.module_utils.basic,requests", runs), imported=when))
    rows += [dict(marginal(name, "ansible.module_utils.basic", runs), imported="alternative") for name in AUDIT_BASIC_ONLY]
    return rows


def compile_costs(repetitions: int = 15) -> dict:
    """{path: {lines, compile_us}}: AnsiballZ ships sources, so every run compiles every collection file it imports."""
    costs = {}
    for path in sorted((ROOT / "plugins").glob("*/*.py")):
        source = path.read_text(encoding="utf-8")
        values = []
        for _repetition in range(repetitions):
            started = time.perf_counter()
            compile(source, str(path), "exec")
            values.append(time.perf_counter() - started)
        costs[str(path.relative_to(ROOT))] = {"lines": len(source.splitlines()), "compile_us": int(min(values) * 1e6)}
    return costs
