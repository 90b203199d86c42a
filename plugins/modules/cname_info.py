#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cname_info
short_description: List the custom domains bound to an OSS bucket, with their certificates
version_added: 1.0.0
description:
  - Lists the custom domains bound to a bucket, each with its status and certificate, including days to expiry.
  - Optionally reads the CNAME token of one domain.
  - Never changes anything.
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description:
      - Name of the bucket.
    type: str
    required: true
  domain:
    description:
      - Return only this domain. Case and a trailing dot are ignored.
    type: str
  include_token:
    description:
      - Also read the CNAME token of O(domain). Requires O(domain).
    type: bool
    default: false
extends_documentation_fragment:
  - alicloud.oss.credentials
  - alicloud.oss.oss
  - alicloud.oss.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    support: full
seealso:
  - module: alicloud.oss.cname
  - module: alicloud.oss.cname_certificate
"""

EXAMPLES = r"""
- name: List the domains of a bucket
  alicloud.oss.cname_info:
    bucket: my-bucket
    region: cn-hangzhou
  register: bucket_domains

- name: Show certificates that expire within 30 days
  ansible.builtin.debug:
    msg: "{{ item.domain }} expires in {{ item.certificate.days_to_expiry }} days"
  loop: "{{ bucket_domains.cnames | selectattr('certificate') | list }}"
  when: item.certificate.days_to_expiry is not none and item.certificate.days_to_expiry < 30

- name: Read one domain and its ownership token
  alicloud.oss.cname_info:
    bucket: my-bucket
    region: cn-hangzhou
    domain: static.example.com
    include_token: true
"""

RETURN = r"""
bucket:
  description: The bucket name as OSS reports it.
  returned: always
  type: str
  sample: my-bucket
owner:
  description: The bucket owner's account id, as OSS reports it; V(null) when the bucket has no domains and OSS sent no listing.
  returned: always
  type: str
  sample: "1234567890123456"
cnames:
  description: The bound domains, sorted by name; an empty list when none is bound (or O(domain) is not bound).
  returned: always
  type: list
  elements: dict
  contains:
    domain:
      description: The custom domain, lower-case.
      type: str
      sample: static.example.com
    status:
      description: C(Enabled) or C(Disabled).
      type: str
      sample: Enabled
    last_modified:
      description: When the binding last changed, as OSS writes it.
      type: str
      sample: "2021-09-15T02:35:07.000Z"
    is_purge_cdn_cache:
      description: Whether OSS purges the CDN cache on object changes; V(null) when OSS does not say.
      type: bool
      sample: false
    is_wildcard:
      description: Whether the entry is a wildcard binding (Agentic Buckets only).
      type: bool
      sample: false
    certificate:
      description: The bound certificate, or V(null).
      type: dict
      contains:
        type:
          description: C(CAS) or C(Upload).
          type: str
        cert_id:
          description: Certificate service id.
          type: str
        status:
          description: C(Enabled) or C(Disabled).
          type: str
        fingerprint:
          description: SHA-1 fingerprint of the leaf certificate.
          type: str
        creation_date:
          description: When the certificate was bound, as OSS writes it.
          type: str
        valid_start_date:
          description: Start of validity, as OSS writes it.
          type: str
        valid_end_date:
          description: End of validity, as OSS writes it.
          type: str
        valid_end_date_iso:
          description: End of validity in ISO 8601, UTC; V(null) if the date could not be read.
          type: str
        days_to_expiry:
          description: Whole days until the end of validity; V(null) if the date could not be read.
          type: int
token:
  description: The CNAME token of O(domain), or V(null) when it has none. See M(alicloud.oss.cname_token) for the fields.
  returned: when O(include_token=true)
  type: dict
  contains:
    bucket:
      description: Bucket the token belongs to.
      type: str
    domain:
      description: Domain the token proves ownership of.
      type: str
    token:
      description: The token value.
      type: str
    expire_time:
      description: Expiry as OSS writes it.
      type: str
    expire_time_iso:
      description: Expiry in ISO 8601, UTC.
      type: str
    expires_in:
      description: Seconds until the token expires.
      type: int
"""

from ansible_collections.alicloud.oss.plugins.module_utils._cname_api import get_cname_token, list_cname
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError
from ansible_collections.alicloud.oss.plugins.module_utils._module import OssModule
from ansible_collections.alicloud.oss.plugins.module_utils._validation import normalize_domain


def read_cnames(oss: OssModule) -> dict:
    params = oss.params
    bucket = oss.bucket()
    domain = normalize_domain(params["domain"]) if params["domain"] is not None else None
    if params["include_token"] and domain is None:
        raise OssConfigError("include_token requires domain: a token belongs to one domain.", "include_token")
    listing = list_cname(oss.client, bucket)
    cnames = [entry for entry in listing["cnames"] if domain is None or entry["domain"] == domain]
    result = {"changed": False, "bucket": listing["bucket"], "owner": listing["owner"], "cnames": cnames}
    if params["include_token"]:
        result["token"] = get_cname_token(oss.client, bucket, domain)
    return result


def main():
    oss = OssModule(
        argument_spec=dict(
            bucket=dict(type="str", required=True),
            domain=dict(type="str"),
            include_token=dict(type="bool", default=False),
        ),
    )
    oss.run(read_cnames)


if __name__ == "__main__":
    main()
