import hashlib
import io
import json
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


def test_pack_installed_lists_only_what_is_there(tmp_path):
    source = tmp_path / "crypto"
    (source / "plugins").mkdir(parents=True)
    (source / "plugins" / "m.py").write_text("x = 1\n")
    listed = [
        {"name": ".", "ftype": "dir", "chksum_type": None, "chksum_sha256": None, "format": 1},
        {"name": "plugins", "ftype": "dir", "chksum_type": None, "chksum_sha256": None, "format": 1},
        {"name": "plugins/m.py", "ftype": "file", "chksum_type": "sha256", "chksum_sha256": "ab", "format": 1},
        {"name": ".azure-pipelines", "ftype": "dir", "chksum_type": None, "chksum_sha256": None, "format": 1},
    ]
    (source / "FILES.json").write_text(json.dumps({"files": listed, "format": 1}))
    manifest = {"collection_info": {"namespace": "community", "name": "crypto", "version": "3.5.0"}, "file_manifest_file": {"chksum_sha256": "old"}}
    (source / "MANIFEST.json").write_text(json.dumps(manifest))

    path = tarball.pack_installed(source, tmp_path / "out")

    assert path.name == "community-crypto-3.5.0.tar.gz"
    with tarfile.open(path) as archive:
        files_json = archive.extractfile("FILES.json").read()
        packed_manifest = json.loads(archive.extractfile("MANIFEST.json").read())
        assert sorted(archive.getnames()) == ["FILES.json", "MANIFEST.json", "plugins", "plugins/m.py"]
    assert [entry["name"] for entry in json.loads(files_json)["files"]] == [".", "plugins", "plugins/m.py"]
    assert packed_manifest["file_manifest_file"]["chksum_sha256"] == hashlib.sha256(files_json).hexdigest()
