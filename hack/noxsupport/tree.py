"""The collection laid out as ansible_collections/alicloud/oss, which ansible-test, ansible-doc and pytest need."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

NAMESPACE, NAME = "alicloud", "oss"


def tree_files(repo: Path) -> list[str]:
    """The files of the tree as git sees them: tracked plus untracked-but-not-ignored (so .venv, .nox, .tmp stay out)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=repo, check=True, stdout=subprocess.PIPE).stdout.decode(
        "utf-8"
    )
    return sorted(path for path in set(out.split("\0")) if path and os.path.lexists(repo / path))


def link_collection(repo: Path, root: Path) -> Path:
    """root/ansible_collections/alicloud/oss as a symlink to the repository (for pytest and ansible-playbook); returns root."""
    link = root / "ansible_collections" / NAMESPACE / NAME
    if not (link.is_symlink() and link.resolve() == repo.resolve()):
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(repo.resolve())
    return root


def make_copy(repo: Path, root: Path, keep: tuple[str, ...] = (".git", "tests/output")) -> Path:
    """(Re)create root/ansible_collections/alicloud/oss as a copy of the tree git knows; returns the copy.

    ansible-test's output directory (its venv caches) survives. The copy gets an empty git repository of its own:
    ansible-test lists content with `git ls-files` from the nearest `.git`, which would otherwise be the repository,
    where .tmp/ is ignored ("All targets skipped").
    """
    copy = root / "ansible_collections" / NAMESPACE / NAME
    files = tree_files(repo)
    wanted = set(files)
    if copy.is_dir():
        for current, dirs, names in os.walk(copy, topdown=True):
            rel_root = os.path.relpath(current, copy)
            rel_root = "" if rel_root == "." else rel_root
            dirs[:] = [d for d in dirs if os.path.join(rel_root, d) not in keep]
            for name in names:
                if os.path.join(rel_root, name) not in wanted:
                    os.unlink(os.path.join(current, name))
            for d in list(dirs):
                if os.path.islink(os.path.join(current, d)):
                    os.unlink(os.path.join(current, d))
                    dirs.remove(d)
    for rel in files:
        dst = copy / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_symlink() or dst.exists():
            dst.unlink()
        shutil.copy2(repo / rel, dst, follow_symlinks=False)
    if not (copy / ".git").is_dir():
        subprocess.run(["git", "init", "--quiet", str(copy)], check=True)
    for current, dirs, names in os.walk(copy, topdown=False):
        rel = os.path.relpath(current, copy)
        if current != str(copy) and not dirs and not names and not rel.startswith(keep):
            os.rmdir(current)
    return copy
