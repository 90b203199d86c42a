#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cname_token
short_description: Get or create the CNAME token that proves ownership of a domain for an OSS bucket
version_added: 1.0.0
description:
  - Gets or creates the ownership token that M(alicloud.oss.cname) needs. Own options O(bucket), O(domain); the rest
    are shared.
  - Publish RV(txt_record) in DNS; a domain already bound needs none (RV(verified)).
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description: Name of the bucket the domain is to be bound to.
    type: str
    required: true
  domain:
    description: The custom domain; a wildcard only on Agentic Buckets.
    type: str
    required: true
extends_documentation_fragment:
  - alicloud.oss.credentials
  - alicloud.oss.oss
  - alicloud.oss.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Get or create the ownership token for static.example.com
  alicloud.oss.cname_token:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
  register: ownership  # publish ownership.txt_record when its value is not none (none once bound)
"""

RETURN = r"""
token:
  description: The valid token, or V(null) (bound domain, check mode).
  returned: always
  type: dict
  contains:
    bucket:
      description: Bucket the token belongs to.
      type: str
    domain:
      description: Domain the token is for (a wildcard with its C(*.)).
      type: str
    wildcard:
      description: Whether the domain is a wildcard.
      type: bool
    token:
      description: The token value.
      type: str
    expire_time:
      description: Expiry as OSS writes it (RFC 1123).
      type: str
    expire_time_iso:
      description: Expiry in ISO 8601 UTC, or V(null).
      type: str
    expires_in:
      description: Seconds until expiry; V(null) if unreadable.
      type: int
txt_record:
  description: The DNS TXT record that proves ownership.
  returned: always
  type: dict
  contains:
    name:
      description: C(_dnsauth.<domain>) (a wildcard's base).
      type: str
    type:
      description: Record type.
      type: str
    value:
      description: The token, or V(null).
      type: str
cname_target:
  description: Target of the CNAME record; V(null) without a region.
  returned: always
  type: str
  sample: my-bucket.oss-cn-hangzhou.aliyuncs.com
verified:
  description: V(true) when the domain is bound already.
  returned: always
  type: bool
"""

from ansible_collections.alicloud.oss.plugins.module_utils._binding import find_cname, txt_record_name
from ansible_collections.alicloud.oss.plugins.module_utils._cname_api import create_cname_token, get_cname_token, list_cname
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssServiceError
from ansible_collections.alicloud.oss.plugins.module_utils._module import OssModule
from ansible_collections.alicloud.oss.plugins.module_utils._validation import check_kind_signature, normalize_domain


def ensure_token(oss: OssModule) -> dict:
    bucket = oss.bucket()
    domain = normalize_domain(oss.params["domain"], bucket=bucket)
    check_kind_signature(bucket, oss.params["signature_version"])
    # The bindings first: once a domain is bound (the state every later run of a playbook finds), OSS has consumed
    # its token and one read settles it. Asking for a token instead would cost a 404 and then a refused write.
    verified = find_cname(list_cname(oss.client, bucket), domain) is not None
    token, changed = None, False
    if not verified:
        token = get_cname_token(oss.client, bucket, domain)
        if token is not None and token["expires_in"] is not None and token["expires_in"] <= 0:
            token = None
        if token is None:
            changed = True
            if not oss.check_mode:
                token, verified = _create(oss, bucket, domain)
                changed = not verified
    return {
        "changed": changed,
        "token": token,
        "txt_record": {"name": txt_record_name(domain), "type": "TXT", "value": token["token"] if token else None},
        "cname_target": oss.cname_target(bucket),
        "verified": verified,
        "diff": {
            "before": {"domain": domain, "token": None if changed else _value(token)},
            "after": {"domain": domain, "token": _value(token) if token else ("(new token)" if changed else None)},
        },
    }


def _value(token):
    return token["token"] if token else None


def _create(oss, bucket, domain):
    try:
        return create_cname_token(oss.client, bucket, domain), False
    except OssServiceError as exc:
        # Kept for a domain bound between the read above and this write.
        if exc.code == "NoNeedCreateCnameToken":
            return None, True
        raise


def main():
    oss = OssModule(argument_spec=dict(bucket=dict(type="str", required=True), domain=dict(type="str", required=True)))
    oss.run(ensure_token)


if __name__ == "__main__":
    main()
