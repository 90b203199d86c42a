# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ownership message of cname and cname_certificate names only options that both modules have."""

from __future__ import annotations

import re

import pytest
import yaml

from ansible_collections.alicloud.oss.plugins.module_utils._binding import ownership_message
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssTransportError
from ansible_collections.alicloud.oss.plugins.modules import cname, cname_certificate, cname_token


class _NoTokenClient:
    """A client whose every request fails: the message then says to create a token."""

    def request(self, *args, **kwargs):
        raise OssTransportError("no network in this test")


def _named_identifiers(message: str) -> set:
    # snake_case words, apart from module names (alicloud.oss.<name>) and the TXT record's name.
    words = set(re.findall(r"(?<![\w.])([a-z]+(?:_[a-z]+)+)(?![\w.])", message))
    return {word for word in words if f"alicloud.oss.{word}" not in message}


@pytest.mark.parametrize("waited", [0, 30], ids=["no-wait", "after-waiting"])
@pytest.mark.parametrize("module", [cname, cname_certificate], ids=["cname", "cname_certificate"])
def test_the_ownership_message_names_only_options_the_module_has(module, waited):
    message = ownership_message(_NoTokenClient(), "demo-bucket", "static.example.com", "Binding", waited)
    options = set(yaml.safe_load(module.DOCUMENTATION)["options"])
    named = _named_identifiers(message)
    assert named == {"verification_timeout"}, message
    assert named <= options
    assert "alicloud.oss.cname_token" in message and cname_token.DOCUMENTATION
