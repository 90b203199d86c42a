# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Each module's page names the module's own options in its first lines.

ansible-doc lists options sorted by name, so a module's few options sit among the shared credential and connection
options. The first description paragraph therefore names them ("Own options O(a), O(b); the rest are shared."). These
tests keep that sentence equal to the options the module itself documents, so it cannot go stale.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

MODULES = sorted(path.stem for path in (Path(__file__).resolve().parents[4] / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
OWN_OPTIONS = re.compile(r"Own options (.+?); the rest are shared\.")


def _documentation(name: str) -> dict:
    module = importlib.import_module(f"ansible_collections.alicloud.oss.plugins.modules.{name}")
    return yaml.safe_load(module.DOCUMENTATION)


def _named_in_first_paragraph(doc: dict) -> list:
    description = doc["description"]
    first = description[0] if isinstance(description, list) else description
    found = OWN_OPTIONS.search(" ".join(first.split()))
    assert found, f"{doc['module']}: the first description paragraph does not name the module's own options"
    return re.findall(r"O\(([a-z_]+)\)", found.group(1))


@pytest.mark.parametrize("name", MODULES)
def test_the_first_paragraph_names_exactly_the_modules_own_options(name):
    doc = _documentation(name)
    named = _named_in_first_paragraph(doc)
    assert len(named) == len(set(named)), f"{name}: an option is named twice: {named}"
    assert set(named) == set(doc["options"]), f"{name}: named {sorted(named)}, documented {sorted(doc['options'])}"


def test_the_modules_are_found():
    assert {"cname", "cname_token", "cname_certificate", "cname_info", "alidns_record", "object"} <= set(MODULES)
