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


# The action group of each module: OSS modules in oss, Alibaba Cloud DNS modules in alidns (never in both).
GROUPS = {"oss": ["cname", "cname_certificate", "cname_info", "cname_token", "object"], "alidns": ["alidns_record"]}
# The OSS options are not the DNS module's: it takes the credentials fragment alone.
FRAGMENTS = {
    "oss": ["alicloud.oss.credentials", "alicloud.oss.oss", "alicloud.oss.attributes"],
    "alidns": ["alicloud.oss.credentials", "alicloud.oss.attributes"],
}


def test_every_module_is_in_exactly_one_action_group():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    assert {group: sorted(members) for group, members in runtime["action_groups"].items()} == GROUPS
    assert sorted(sum(GROUPS.values(), [])) == MODULES


def test_every_module_uses_the_shared_fragments_and_declares_its_version():
    for group, names in GROUPS.items():
        for name in names:
            doc = _module_doc(name)
            assert doc["extends_documentation_fragment"] == FRAGMENTS[group], name
            assert doc["version_added"] == "1.0.0", name
            assert doc["module"] == name


def test_a_module_outside_the_oss_group_names_its_own_group():
    doc = _module_doc("alidns_record")
    assert doc["attributes"]["action_group"]["membership"] == ["alicloud.oss.alidns"]
    assert "group/alicloud.oss.alidns" in doc["attributes"]["action_group"]["description"]
