import sys

from noxsupport import interpreters


def test_finds_the_running_python():
    version = "%d.%d" % sys.version_info[:2]
    assert interpreters.find(version) is not None


def test_missing_version_is_none(monkeypatch):
    monkeypatch.setenv("PYENV_ROOT", "/nonexistent")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert interpreters.find("3.99") is None


def test_pyenv_prefix_is_asked(monkeypatch, tmp_path):
    root = tmp_path / "pyenv"
    (root / "versions" / "3.98.1").mkdir(parents=True)
    (root / "versions" / "3.98.0").mkdir(parents=True)
    (root / "bin").mkdir()
    fake = root / "bin" / "pyenv"
    fake.write_text("#!/bin/sh\necho /opt/py/$2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("PATH", "/nonexistent")
    assert interpreters.pyenv_candidates("3.98") == ["/opt/py/3.98.1/bin/python3.98", "/opt/py/3.98.0/bin/python3.98"]


def test_expose_links_the_pyenv_interpreter_first_on_path(monkeypatch, tmp_path):
    version = "%d.%d" % sys.version_info[:2]
    real = interpreters.find(version)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(interpreters, "pyenv_candidates", lambda v: [real] if v == version else [])
    found = interpreters.expose([version, "3.99"], str(tmp_path / "bin"))
    assert found == {version: str(tmp_path / "bin" / ("python" + version)), "3.99": None}
    assert interpreters.shutil.which("python" + version) == found[version]
