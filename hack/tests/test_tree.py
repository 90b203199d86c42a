import subprocess

from noxsupport import tree


def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "plugins").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("ignored/\n")
    (root / "plugins" / "a.py").write_text("a")
    (root / "ignored").mkdir()
    (root / "ignored" / "x").write_text("x")
    return root


def test_copy_holds_what_git_knows_and_follows_deletions(tmp_path):
    root = repo(tmp_path)
    copy = tree.make_copy(root, tmp_path / "copy")
    assert copy == tmp_path / "copy" / "ansible_collections" / "alicloud" / "oss"
    assert (copy / "plugins" / "a.py").read_text() == "a"
    assert not (copy / "ignored").exists()
    assert (copy / ".git").is_dir()
    (copy / "tests" / "output").mkdir(parents=True)
    (copy / "tests" / "output" / "cache").write_text("kept")
    (root / "plugins" / "a.py").unlink()
    (root / "b.txt").write_text("b")
    tree.make_copy(root, tmp_path / "copy")
    assert not (copy / "plugins").exists()
    assert (copy / "b.txt").read_text() == "b"
    assert (copy / "tests" / "output" / "cache").read_text() == "kept"


def test_link_collection(tmp_path):
    root = repo(tmp_path)
    base = tree.link_collection(root, tmp_path / "cols")
    link = base / "ansible_collections" / "alicloud" / "oss"
    assert link.is_symlink() and link.resolve() == root.resolve()
    tree.link_collection(root, tmp_path / "cols")  # idempotent
