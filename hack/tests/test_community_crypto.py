"""tests/support/community_crypto.py, which the acme, artifact and lint sessions call: the pin file and the extraction."""

import json
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from support import community_crypto  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_the_repository_pin_names_a_hash_and_the_collection_version():
    requirement, version = community_crypto.pinned(ROOT)
    assert requirement.startswith("ansible==") and "--hash=sha256:" in requirement
    assert version.count(".") == 2


def test_a_pin_without_hash_is_refused(tmp_path):
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "community-crypto.txt").write_text("# community.crypto==3.5.0\nansible==14.5.0\n")
    with pytest.raises(community_crypto.CommunityCryptoError):
        community_crypto.pinned(tmp_path)


def _wheel(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_only_the_collection_is_extracted_and_its_version_read(tmp_path):
    manifest = json.dumps({"collection_info": {"version": "3.5.0"}})
    wheel = _wheel(
        tmp_path / "ansible-1-py3-none-any.whl",
        {
            "ansible_collections/community/crypto/MANIFEST.json": manifest,
            "ansible_collections/community/crypto/plugins/modules/x.py": "x = 1\n",
            "ansible_collections/community/general/MANIFEST.json": "{}",
            "ansible-1.dist-info/METADATA": "",
        },
    )
    community_crypto._extract(wheel, tmp_path / "out")
    files = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert files == ["ansible_collections/community/crypto/MANIFEST.json", "ansible_collections/community/crypto/plugins/modules/x.py"]
    assert community_crypto._version_at(tmp_path / "out") == "3.5.0"


def test_a_member_outside_the_collection_is_refused(tmp_path):
    wheel = _wheel(tmp_path / "bad.whl", {"ansible_collections/community/crypto/../../../../evil.txt": "x"})
    with pytest.raises(community_crypto.CommunityCryptoError):
        community_crypto._extract(wheel, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()


def test_cached_is_none_until_the_pinned_version_is_there(tmp_path):
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "community-crypto.txt").write_text("# community.crypto==3.5.0\nansible==14.5.0 --hash=sha256:00\n")
    assert community_crypto.cached(tmp_path) is None
    target = tmp_path / ".cache" / "community-crypto" / "3.5.0" / "ansible_collections" / "community" / "crypto"
    target.mkdir(parents=True)
    (target / "MANIFEST.json").write_text(json.dumps({"collection_info": {"version": "3.5.0"}}))
    assert community_crypto.cached(tmp_path) == tmp_path / ".cache" / "community-crypto" / "3.5.0"
