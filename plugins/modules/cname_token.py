#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cname_token
short_description: Get or create the CNAME token that proves ownership of a domain for an OSS bucket
version_added: 1.0.0
description:
  - Reads the CNAME token of O(domain) for O(bucket) and creates one when none is valid.
  - OSS checks the token in a DNS TXT record named C(_dnsauth.<domain>) before it binds the domain to the bucket
    (see M(alicloud.oss.cname)). The module returns that record, ready for a DNS module of your provider.
  - A token is valid for 72 hours. While one is valid the module returns it unchanged; it never creates tokens needlessly.
  - OSS consumes the token when it binds the domain. The module therefore reads the bucket's bindings first; if the
    domain is already bound, it reports RV(verified=true) and changes nothing, with that single read. Otherwise it reads
    the token, and creates one only when none is valid. An answer C(NoNeedCreateCnameToken) to a creation is treated
    like a bound domain.
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description:
      - Name of the bucket the domain is to be bound to.
    type: str
    required: true
  domain:
    description:
      - The custom domain, for example V(static.example.com). Case and a trailing dot are ignored.
      - A wildcard domain, for example V(*.spaces.example.com), is accepted only for an Agentic Bucket (a bucket whose full name
        ends in C(-<account id>-<region>-ab-apsr)); for any other bucket it is refused before any request is sent.
        OSS is asked for the token of the base domain with C(wildcard=true), so an exact domain and the wildcard of the same
        base domain have tokens of their own.
      - On an Agentic Bucket every token request states the kind (C(wildcard=true) or C(wildcard=false)), which only
        signature version 4 signs; O(signature_version=v1) is refused there.
    type: str
    required: true
extends_documentation_fragment:
  - alicloud.oss.credentials
  - alicloud.oss.oss
  - alicloud.oss.attributes
attributes:
  check_mode:
    support: full
    details: In check mode only the read requests are sent; RV(token) is V(null) when one would be created.
  diff_mode:
    support: full
  idempotent:
    support: full
seealso:
  - module: alicloud.oss.cname
  - module: alicloud.oss.cname_info
"""

EXAMPLES = r"""
- name: Get or create the ownership token for static.example.com
  alicloud.oss.cname_token:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
  register: ownership

- name: Publish the TXT record with your DNS provider's module (Route 53 shown)
  amazon.aws.route53:
    state: present
    zone: example.com
    record: "{{ ownership.txt_record.name }}"
    type: "{{ ownership.txt_record.type }}"
    value: '"{{ ownership.txt_record.value }}"'
    ttl: 60
    overwrite: true
  when: ownership.txt_record.value is not none

- name: The token of a wildcard domain on an Agentic Bucket (its TXT record is _dnsauth.spaces.example.com)
  alicloud.oss.cname_token:
    bucket: my-agentic-1234567890123456-cn-hangzhou-ab-apsr
    domain: "*.spaces.example.com"
    region: cn-hangzhou
  register: wildcard_ownership
"""

RETURN = r"""
token:
  description:
    - The valid token, or V(null) when none exists (in check mode when one would be created, or when the domain is already verified).
  returned: always
  type: dict
  contains:
    bucket:
      description: Bucket the token belongs to.
      type: str
      sample: my-bucket
    domain:
      description: Domain the token proves ownership of, a wildcard written with its leading C(*.).
      type: str
      sample: static.example.com
    wildcard:
      description: Whether the token is for a wildcard domain (Agentic Buckets only).
      type: bool
      sample: false
    token:
      description: The token value to publish.
      type: str
      sample: be1d49d863dea9ffeff3df7d6455d9c2
    expire_time:
      description: Expiry as OSS writes it (RFC 1123).
      type: str
      sample: Wed, 23 Feb 2022 21:16:37 GMT
    expire_time_iso:
      description: Expiry in ISO 8601, UTC; V(null) if OSS's date could not be read.
      type: str
      sample: "2022-02-23T21:16:37Z"
    expires_in:
      description: Seconds until the token expires; V(null) if OSS's date could not be read.
      type: int
      sample: 259190
txt_record:
  description: The DNS TXT record that proves ownership.
  returned: always
  type: dict
  contains:
    name:
      description:
        - Fully qualified record name, C(_dnsauth.<domain>).
        - For a wildcard, C(_dnsauth.<base domain>) (C(_dnsauth.spaces.example.com) for V(*.spaces.example.com)). OSS documents
          no other name for it, but the live service has not confirmed this one yet.
      type: str
      sample: _dnsauth.static.example.com
    type:
      description: Record type.
      type: str
      sample: TXT
    value:
      description: Record value, the token; V(null) when there is no token.
      type: str
      sample: be1d49d863dea9ffeff3df7d6455d9c2
cname_target:
  description:
    - The host the domain's DNS CNAME record must point at, the bucket's public host in its region.
    - V(null) only when no region is known (signature_version v1 with an endpoint that names none).
  returned: always
  type: str
  sample: my-bucket.oss-cn-hangzhou.aliyuncs.com
verified:
  description:
    - V(true) only when OSS says the domain is already verified and bound to the bucket (it lists the domain as bound,
      or answers that no token is needed); RV(token) is then V(null).
  returned: always
  type: bool
  sample: false
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
