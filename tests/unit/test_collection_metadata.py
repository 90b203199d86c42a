# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's metadata agrees with its code: version, action group, documentation fragments."""

from pathlib import Path

import yaml

from ansible_collections.alicloud.oss.plugins.module_utils._http import COLLECTION_VERSION, user_agent

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py"))


def _module_doc(name):
    source = (ROOT / "plugins" / "modules" / f"{name}.py").read_text(encoding="utf-8")
    return yaml.safe_load(source.split('DOCUMENTATION = r"""', 1)[1].split('"""', 1)[0])


def test_user_agent_carries_the_galaxy_version():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    assert COLLECTION_VERSION == galaxy["version"]
    assert user_agent().startswith(f"alicloud.oss/{galaxy['version']} ")


def test_every_module_is_in_the_action_group():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    assert sorted(runtime["action_groups"]["oss"]) == MODULES == ["cname", "cname_certificate", "cname_info", "cname_token", "object"]


def _allowed_versions():
    """Every released version, and the next minor one: where a module added since the newest release comes in."""
    releases = sorted(yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text(encoding="utf-8"))["releases"], key=_version)
    major, minor, _patch = _version(releases[-1])
    return set(releases) | {f"{major}.{minor + 1}.0"}


def _version(text):
    return tuple(int(part) for part in text.split("."))


def test_every_module_uses_the_shared_fragments_and_declares_its_version():
    allowed = _allowed_versions()
    for name in MODULES:
        doc = _module_doc(name)
        assert doc["extends_documentation_fragment"] == ["alicloud.oss.credentials", "alicloud.oss.oss", "alicloud.oss.attributes"], name
        assert doc["version_added"] in allowed, name
        assert doc["module"] == name
