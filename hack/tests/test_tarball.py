import io
import tarfile

from noxsupport import tarball

GOOD = set(tarball.REQUIRED_FILES) | {"plugins/modules/cname.py", "tests/unit/test_x.py"}


def test_clean_tarball_has_no_problems():
    assert tarball.problems(GOOD, ["plugins/modules/cname.py", "hack/demo.py", "noxfile.py"], 1000) == []


def test_development_files_are_reported():
    names = GOOD | {
        "noxfile.py",
        "hack/demo.py",
        "constraints/ansible-core-2.19.txt",
        ".venv-demo/bin/python",
        "ruff.toml",
        "plugins/__pycache__/x.pyc",
        ".nox/x",
    }
    found = tarball.problems(names, [], 1000)
    assert len(found) == 1
    for name in ("noxfile.py", "hack/demo.py", "constraints/ansible-core-2.19.txt", ".venv-demo/bin/python", "ruff.toml", ".nox/x"):
        assert name in found[0]


def test_missing_and_size():
    found = tarball.problems({"README.md"}, ["plugins/modules/cname.py"], 3 * 1024 * 1024)
    assert "plugins/modules/cname.py" in found[0] and "meta/execution-environment.yml" in found[0]
    assert "MB" in found[1]


def test_member_names_strip_dot_slash(tmp_path):
    path = tmp_path / "t.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        data = b"x"
        info = tarfile.TarInfo("./README.md")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    assert tarball.member_names(path) == {"README.md"}
