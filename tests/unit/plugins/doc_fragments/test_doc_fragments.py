# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared doc fragments and the shared argument specs describe the same options, so they can never drift apart.

validate-modules compares a module's documentation with its argument spec too, but only in the sanity stage and
only through the modules; these tests compare each fragment with its own spec directly, in the unit stage.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.alicloud.oss.plugins.doc_fragments import credentials as credentials_fragment
from ansible_collections.alicloud.oss.plugins.doc_fragments import oss as oss_fragment
from ansible_collections.alicloud.oss.plugins.module_utils._argspec import CREDENTIALS_ARGUMENT_SPEC, OSS_ARGUMENT_SPEC
from ansible_collections.alicloud.oss.plugins.module_utils._module import COMMON_ARGUMENT_SPEC

ROOT = Path(__file__).resolve().parents[4]

PAIRS = {
    "credentials": (credentials_fragment, CREDENTIALS_ARGUMENT_SPEC),
    "oss": (oss_fragment, OSS_ARGUMENT_SPEC),
}

# A shared option's text is one short sentence: ansible-doc sorts options by name, so longer shared texts would
# bury a module's own options. The detail belongs in the README's authentication section.
MAX_SHARED_DESCRIPTION = 80


def _fragment(module) -> dict:
    return yaml.safe_load(module.ModuleDocFragment.DOCUMENTATION)


def _from_spec(spec: dict) -> dict:
    """What the documentation must say about each option of an argument spec, as validate-modules reads it."""
    return {
        name: {
            "type": entry.get("type", "str"),
            "default": entry.get("default"),
            "required": entry.get("required", False),
            "choices": entry.get("choices"),
            "aliases": sorted(entry.get("aliases", [])),
            "suboptions": _from_spec(entry["options"]) if "options" in entry else None,
        }
        for name, entry in spec.items()
    }


def _from_doc(options: dict) -> dict:
    return {
        name: {
            "type": entry.get("type", "str"),
            "default": entry.get("default"),
            "required": entry.get("required", False),
            "choices": entry.get("choices"),
            "aliases": sorted(entry.get("aliases", [])),
            "suboptions": _from_doc(entry["suboptions"]) if "suboptions" in entry else None,
        }
        for name, entry in options.items()
    }


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_fragment_and_spec_list_the_same_options(name):
    fragment, spec = PAIRS[name]
    documented = _from_doc(_fragment(fragment)["options"])
    assert sorted(documented) == sorted(spec)
    assert documented == _from_spec(spec)


def test_the_specs_share_no_option_and_together_make_the_oss_modules_spec():
    assert not set(CREDENTIALS_ARGUMENT_SPEC) & set(OSS_ARGUMENT_SPEC)
    assert COMMON_ARGUMENT_SPEC == {**CREDENTIALS_ARGUMENT_SPEC, **OSS_ARGUMENT_SPEC}


def test_only_the_oss_fragment_holds_oss_connection_options():
    # The Alibaba Cloud DNS module takes the credentials fragment alone, so region and endpoint must not be in it.
    assert {"region", "endpoint", "addressing_style", "signature_version"} <= set(OSS_ARGUMENT_SPEC)
    assert not {"region", "endpoint", "addressing_style", "signature_version"} & set(CREDENTIALS_ARGUMENT_SPEC)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_shared_option_texts_are_one_short_sentence(name):
    fragment, _spec = PAIRS[name]

    def walk(options, prefix=""):
        for option, entry in options.items():
            yield prefix + option, entry["description"]
            yield from walk(entry.get("suboptions", {}), f"{prefix}{option}.")

    for option, description in walk(_fragment(fragment)["options"]):
        lines = [description] if isinstance(description, str) else description
        assert len(lines) == 1 and len(lines[0]) <= MAX_SHARED_DESCRIPTION, option


def test_the_credentials_fragment_links_to_the_pages_that_hold_the_detail():
    """The README's authentication section and the user guide, each a file of this repository (and a heading of it)."""
    prefix = "https://github.com/alicloud-oss/alicloud.oss/blob/main/"
    links = [item["link"] for item in _fragment(credentials_fragment).get("seealso", []) if "link" in item]
    assert prefix + "README.md#authentication" in links and prefix + "docs/guide.md" in links, links
    for link in links:
        page, _sep, anchor = link.partition("#")
        assert page.startswith(prefix), link
        path = ROOT / page[len(prefix) :]
        assert path.is_file(), link
        if anchor:
            headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
            # GitHub's anchor for a heading: lower case, spaces to hyphens, punctuation other than hyphens dropped.
            anchors = {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}
            assert anchor in anchors, link
