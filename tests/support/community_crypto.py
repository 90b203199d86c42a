# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""community.crypto for the ACME tests, from the pinned `ansible` wheel of the package index (standard library only).

    root = ensure_community_crypto(repo_root)   # downloads once, then only reads the cache
    ANSIBLE_COLLECTIONS_PATH = f"{alicloud_collections}:{root}"

Galaxy is not reachable from these machines; the `ansible` package carries every collection it ships. The wheel
(about 50 MB) is downloaded with pip, checked against the pinned hash, and only ansible_collections/community/crypto/
is kept, under .cache/community-crypto/<version>/.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PIN_FILE = Path("constraints") / "community-crypto.txt"
PREFIX = "ansible_collections/community/crypto/"
WHEEL_PYTHON = "3.13"


class CommunityCryptoError(RuntimeError):
    """The pinned collection could not be fetched, or the cache holds something else."""


def pinned(repo_root: Path) -> tuple[str, str]:
    """(the pip requirement line with its hash, the community.crypto version the wheel carries)."""
    text = (Path(repo_root) / PIN_FILE).read_text(encoding="utf-8")
    requirement = next(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    version = re.search(r"^# community\.crypto==(\S+)$", text, re.M)
    if not version or "--hash=sha256:" not in requirement:
        raise CommunityCryptoError(f"{PIN_FILE} must hold one hashed requirement and a '# community.crypto==X.Y.Z' line")
    return requirement, version.group(1)


def cached(repo_root: Path) -> Path | None:
    """The collections root holding the pinned community.crypto, or None when it is not there yet."""
    _requirement, version = pinned(repo_root)
    root = Path(repo_root) / ".cache" / "community-crypto" / version
    return root if _version_at(root) == version else None


def ensure_community_crypto(repo_root: Path, python: str = sys.executable, log=print) -> Path:
    """The collections root holding the pinned community.crypto; downloads and extracts it the first time."""
    found = cached(repo_root)
    if found:
        return found
    lock_path = Path(repo_root) / ".cache" / "community-crypto" / ".lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    # nox runs sessions in parallel: one of them fetches, the others wait and then find the copy it made.
    with open(lock_path, "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return cached(repo_root) or _fetch(repo_root, python, log)


def _fetch(repo_root: Path, python: str, log) -> Path:
    requirement, version = pinned(repo_root)
    root = Path(repo_root) / ".cache" / "community-crypto" / version
    log(f"fetching community.crypto {version} from the package index ({requirement.split()[0]}, about 50 MB, once)")
    with tempfile.TemporaryDirectory(prefix="community-crypto-") as temp:
        wheel = _download(Path(temp), requirement, python)
        staging = Path(temp) / "collections"
        _extract(wheel, staging)
        if _version_at(staging) != version:
            raise CommunityCryptoError(f"{wheel.name} carries community.crypto {_version_at(staging)}, not {version} as {PIN_FILE} says")
        shutil.rmtree(root, ignore_errors=True)
        root.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), str(root))
    return root


def _download(directory: Path, requirement: str, python: str) -> Path:
    requirements = directory / "requirements.txt"
    requirements.write_text(requirement + "\n")
    command = [python, "-m", "pip", "download", "--disable-pip-version-check", "--quiet", "--no-deps", "--only-binary=:all:"]
    command += ["--python-version", WHEEL_PYTHON, "--require-hashes", "-r", str(requirements), "-d", str(directory)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(directory.glob("ansible-*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise CommunityCryptoError("pip download of %s failed (exit %d): %s" % (requirement.split()[0], done.returncode, done.stderr.strip()[-500:]))
    return wheels[0]


def _extract(wheel: Path, target: Path):
    """Only the collection's files; a member that would land outside the target is refused."""
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if name.startswith(PREFIX) and not name.endswith("/")]
        for name in members:
            destination = (target / name).resolve()
            if not destination.is_relative_to(target.resolve()):
                raise CommunityCryptoError(f"{wheel.name} holds a path outside the collection: {name}")
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink)
    if not members:
        raise CommunityCryptoError(f"{wheel.name} carries no {PREFIX}")


def _version_at(root: Path) -> str | None:
    manifest = Path(root) / PREFIX / "MANIFEST.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["collection_info"]["version"]
    except (OSError, ValueError, KeyError):
        return None


if __name__ == "__main__":
    print(ensure_community_crypto(Path(__file__).resolve().parents[2]))
