"""What the collection tarball must and must not hold."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

# Never in the tarball: development state and tooling (a name equal to an entry or below it; *.pyc, __pycache__,
# tarballs and .venv* anywhere). build_ignore in galaxy.yml keeps them out.
FORBIDDEN = (
    ".git",
    ".gitignore",
    ".ansible-lint",
    ".ci",
    ".venv",
    ".nox",
    ".tmp",
    ".cache",
    ".pytest_cache",
    ".hypothesis",
    ".ansible",
    ".ruff_cache",
    "build",
    "hack",
    "Makefile",
    "noxfile.py",
    "ruff.toml",
    "pyproject.toml",
    "constraints",
    "tests/output",
    "tests/integration/integration_config.yml",
    "changelogs/.plugin-cache.yaml",
)
# Always in the tarball: these files, and every file git knows under these directories.
REQUIRED_FILES = (
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "COPYING",
    "CHANGELOG.rst",
    "requirements.txt",
    "meta/runtime.yml",
    "meta/execution-environment.yml",
)
REQUIRED_DIRS = ("plugins", "meta", "docs", "examples", "changelogs")
MAX_BYTES = 2 * 1024 * 1024  # the tarball is about 0.2 MB; a multiple of that means something big slipped in


def member_names(tarball: Path) -> set[str]:
    """The file names in the tarball, without a leading ./"""
    with tarfile.open(tarball) as archive:
        return {m.name[2:] if m.name.startswith("./") else m.name for m in archive.getmembers() if not m.isdir()}


def forbidden(name: str) -> bool:
    """True for a member that must not ship."""
    parts = name.split("/")
    if "__pycache__" in parts or name.endswith((".pyc", ".tar.gz")) or parts[0].startswith(".venv"):
        return True
    return any(name == entry or name.startswith(entry + "/") for entry in FORBIDDEN)


def problems(names: set[str], tracked: list[str], size: int) -> list[str]:
    """What is wrong with a tarball holding `names` (of `size` bytes), given the files git knows."""
    found = []
    shipped = sorted(name for name in names if forbidden(name))
    if shipped:
        found.append("ships development files (extend build_ignore in galaxy.yml): " + ", ".join(shipped[:40]))
    wanted = list(REQUIRED_FILES) + [path for path in tracked if path.split("/")[0] in REQUIRED_DIRS]
    missing = sorted(set(path for path in wanted if path not in names))
    if missing:
        found.append("lacks files a user needs (check build_ignore in galaxy.yml): " + ", ".join(missing[:40]))
    if size > MAX_BYTES:
        found.append("is %.1f MB, more than %.1f MB" % (size / 1048576, MAX_BYTES / 1048576))
    return found


def pack_installed(collection_dir: Path, output_dir: Path) -> Path:
    """A collection artifact (namespace-name-version.tar.gz) of an installed collection (MANIFEST.json and FILES.json at
    its root, as the `ansible` package's wheel carries them), so that `ansible-galaxy collection install --offline` can
    satisfy a dependency from it. The wheel leaves out some files FILES.json lists (CI set-up, tests), and the install
    refuses an artifact whose FILES.json names a missing file: FILES.json is rewritten to what is there, and its
    checksum in MANIFEST.json with it. Every file's own checksum stays as published, and the install checks them."""
    manifest = json.loads((collection_dir / "MANIFEST.json").read_text(encoding="utf-8"))
    files = json.loads((collection_dir / "FILES.json").read_text(encoding="utf-8"))
    files["files"] = [entry for entry in files["files"] if entry["name"] == "." or (collection_dir / entry["name"]).exists()]
    files_json = json.dumps(files, indent=4).encode("utf-8")
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256(files_json).hexdigest()
    info = manifest["collection_info"]
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / ("%s-%s-%s.tar.gz" % (info["namespace"], info["name"], info["version"]))
    with tarfile.open(path, "w:gz") as archive:
        _add_bytes(archive, "MANIFEST.json", json.dumps(manifest, indent=4).encode("utf-8"))
        _add_bytes(archive, "FILES.json", files_json)
        for entry in files["files"]:
            if entry["name"] != ".":
                archive.add(collection_dir / entry["name"], arcname=entry["name"], recursive=False)
    return path


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes):
    member = tarfile.TarInfo(name)
    member.size = len(data)
    member.mode = 0o644
    archive.addfile(member, io.BytesIO(data))
