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
  - Reads several buckets, or every bucket of the account across regions, in one task, and lists the certificates
    that expire soon.
  - Optionally reads the CNAME token of one domain.
  - Never changes anything.
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description:
      - Name of the bucket to read.
      - Exactly one of O(bucket), O(buckets) and O(all_buckets=true) is required.
    type: str
  buckets:
    description:
      - Names of several buckets to read in one task, all in O(region) (or reached through O(endpoint)).
      - For buckets across regions use O(all_buckets), or one task per region.
      - The result is RV(buckets) instead of the single-bucket keys.
    type: list
    elements: str
  all_buckets:
    description:
      - Read every bucket of the account. The buckets are found with ListBuckets (C(GET /) on the service endpoint,
        every page of up to 1000 buckets), which also gives each bucket's region.
      - Each bucket's domains are then read from its own region's endpoint C(https://oss-<region>.aliyuncs.com), signed
        for that region; when O(endpoint) is set, every request goes there instead, still signed with the bucket's region.
      - ListBuckets itself goes to O(endpoint), or to O(region)'s public endpoint, so one of them is needed.
      - The credentials need the RAM action C(oss:ListBuckets) besides C(oss:ListCname).
      - The result is RV(buckets) instead of the single-bucket keys.
    type: bool
    default: false
  bucket_prefix:
    description:
      - With O(all_buckets), only the buckets whose names start with this (ListBuckets' C(prefix)).
    type: str
  concurrency:
    description:
      - With O(buckets) or O(all_buckets), how many buckets are read at the same time (threads sharing one connection pool).
      - Must be 1 or more.
    type: int
    default: 8
  expiring_within_days:
    description:
      - Also return RV(expiring), the certificates whose end of validity is less than this many days away, already expired
        ones included. V(0) lists only the expired ones.
      - Must be 0 or more.
    type: int
  domain:
    description:
      - Return only this domain. Case and a trailing dot are ignored.
      - A wildcard binding of an Agentic Bucket is named as it is written, V(*.spaces.example.com); it never matches the
        exact domain V(spaces.example.com), a binding of its own.
      - With O(buckets) or O(all_buckets), every bucket's list is filtered, which finds the bucket that serves a domain.
    type: str
  include_token:
    description:
      - Also read the CNAME token of O(domain). Requires O(domain) and O(bucket).
      - The token of a wildcard O(domain) exists only on an Agentic Bucket; for any other bucket it is refused before any
        request is sent. On an Agentic Bucket the token is read with the C(wildcard) parameter, which O(signature_version=v1)
        cannot sign, so that combination is refused too.
    type: bool
    default: false
notes:
  - O(all_buckets) follows the OSS API documentation of ListBuckets (C(Region), else C(Location), for each bucket's
    region; C(NextMarker), else the last name of a truncated page, to continue). It is tested against a local
    emulator only; that one region's endpoint lists the buckets of every region (as the documentation says) and
    paging over more than 1000 buckets are for the live service to confirm.
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

- name: Every bucket of the account, and the certificates that expire within 30 days
  alicloud.oss.cname_info:
    all_buckets: true
    region: cn-hangzhou  # where ListBuckets goes; each bucket is then read in its own region
    expiring_within_days: 30
  register: fleet

- name: Fail when a certificate expires within 30 days
  ansible.builtin.assert:
    that: fleet.expiring | length == 0
    fail_msg: "{{ fleet.expiring | map(attribute='domain') | join(', ') }} expire within 30 days"

- name: Some buckets of one region, four at a time
  alicloud.oss.cname_info:
    buckets: [assets-prod, assets-staging, downloads]
    region: eu-central-1
    concurrency: 4
"""

RETURN = r"""
bucket:
  description: The bucket name as OSS reports it.
  returned: with O(bucket)
  type: str
  sample: my-bucket
owner:
  description: The bucket owner's account id, as OSS reports it; V(null) when the bucket has no domains and OSS sent no listing.
  returned: with O(bucket)
  type: str
  sample: "1234567890123456"
cnames:
  description: The bound domains, sorted by name; an empty list when none is bound (or O(domain) is not bound).
  returned: with O(bucket)
  type: list
  elements: dict
  contains:
    domain:
      description:
        - The custom domain, lower-case. A wildcard binding (Agentic Buckets only) is written with its leading C(*.), although
          OSS lists it as the base domain with C(IsWildCard).
      type: str
      sample: static.example.com
    wildcard:
      description: Whether the entry is a wildcard binding (Agentic Buckets only). Always present, V(false) for exact domains.
      type: bool
      sample: false
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
      description: The same as RV(cnames[].wildcard), kept for the playbooks written for 1.0.0.
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
buckets:
  description:
    - With O(buckets) or O(all_buckets), one entry per bucket, sorted by name, including the buckets whose read failed.
    - When any read failed, the task fails with a message naming those buckets, and this list still holds every bucket.
  returned: with O(buckets) or O(all_buckets), also when the task fails because some buckets could not be read
  type: list
  elements: dict
  contains:
    bucket:
      description: The bucket name.
      type: str
      sample: my-bucket
    region:
      description: The bucket's region (from ListBuckets with O(all_buckets), O(region) with O(buckets)).
      type: str
      sample: cn-hangzhou
    owner:
      description: The owner's account id as ListCname (or ListBuckets) reports it; V(null) when OSS named none.
      type: str
      sample: "1234567890123456"
    cname_target:
      description: The host a custom domain's DNS CNAME record points at for this bucket; V(null) without a region.
      type: str
      sample: my-bucket.oss-cn-hangzhou.aliyuncs.com
    cnames:
      description: The bound domains, as RV(cnames) of the single-bucket form; empty when the read failed.
      type: list
      elements: dict
    error:
      description: V(null), or why this bucket could not be read.
      type: dict
      contains:
        msg:
          description: One line, as a failed single-bucket task would say it.
          type: str
        code:
          description: The OSS error code, or V(null) when OSS did not answer with one.
          type: str
        message:
          description: The server's message, or the failure's when there was no answer.
          type: str
        request_id:
          description: The request id of the failed answer, or V(null).
          type: str
        host_id:
          description: The HostId of the error document, or V(null).
          type: str
        ec:
          description: The fine-grained EC number, or V(null).
          type: str
        status:
          description: The HTTP status, or V(null) when no answer came.
          type: int
expiring:
  description:
    - The bound certificates that end less than O(expiring_within_days) days from now, expired ones included, soonest first.
    - A certificate whose end date OSS wrote in a form that could not be read is not listed.
  returned: when O(expiring_within_days) is set
  type: list
  elements: dict
  contains:
    bucket:
      description: The bucket the domain is bound to.
      type: str
    domain:
      description: The custom domain, a wildcard with its leading C(*.).
      type: str
    wildcard:
      description: Whether the domain is a wildcard binding.
      type: bool
    cert_id:
      description: The certificate service id.
      type: str
    valid_end_date_iso:
      description: End of validity in ISO 8601, UTC.
      type: str
    days_to_expiry:
      description: Whole days until the end of validity; negative once expired.
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
      description: Domain the token proves ownership of, a wildcard with its leading C(*.).
      type: str
    wildcard:
      description: Whether the token is for a wildcard domain.
      type: bool
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
from ansible_collections.alicloud.oss.plugins.module_utils._module import ModuleFailure, OssModule, describe_error
from ansible_collections.alicloud.oss.plugins.module_utils._validation import check_domain_kind, check_kind_signature, normalize_domain, validate_bucket

SOURCES = ("bucket", "buckets", "all_buckets")


def read_cnames(oss: OssModule) -> dict:
    params = oss.params
    source = _source(params)
    _check_options(params, source)
    domain = normalize_domain(params["domain"]) if params["domain"] is not None else None
    if source == "bucket":
        return _read_one_bucket(oss, domain)
    return _read_many_buckets(oss, source, domain)


def _source(params) -> str:
    """Which of bucket, buckets and all_buckets the task gave: exactly one."""
    given = [name for name in SOURCES if params[name] not in (None, False)]
    if len(given) != 1:
        which = "none was given" if not given else f"not {' and '.join(given)} together"
        raise OssConfigError(f"Set exactly one of bucket, buckets and all_buckets (true): {which}.", "bucket")
    return given[0]


def _check_options(params, source: str):
    if params["include_token"] and params["domain"] is None:
        raise OssConfigError("include_token requires domain: a token belongs to one domain.", "include_token")
    if params["include_token"] and source != "bucket":
        raise OssConfigError("include_token reads the token of one bucket's domain: use it with bucket, not with buckets or all_buckets.", "include_token")
    if params["bucket_prefix"] is not None and source != "all_buckets":
        raise OssConfigError("bucket_prefix filters ListBuckets: use it with all_buckets.", "bucket_prefix")
    if params["concurrency"] < 1:
        raise OssConfigError(f"concurrency must be 1 or more, not {params['concurrency']}.", "concurrency")
    days = params["expiring_within_days"]
    if days is not None and days < 0:
        raise OssConfigError(f"expiring_within_days must be 0 or more, not {days}.", "expiring_within_days")


def _read_one_bucket(oss: OssModule, domain) -> dict:
    params = oss.params
    bucket = oss.bucket()
    if params["include_token"]:
        # The token read is the one request that states the kind; what it would refuse is refused before the listing.
        check_domain_kind(bucket, domain)
        check_kind_signature(bucket, params["signature_version"])
    listing = list_cname(oss.client, bucket)
    cnames = [entry for entry in listing["cnames"] if domain is None or entry["domain"] == domain]
    result = {"changed": False, "bucket": listing["bucket"], "owner": listing["owner"], "cnames": cnames}
    if params["include_token"]:
        result["token"] = get_cname_token(oss.client, bucket, domain)
    if params["expiring_within_days"] is not None:
        from ansible_collections.alicloud.oss.plugins.module_utils._fleet import expiring  # pylint: disable=import-outside-toplevel

        result["expiring"] = expiring([{"bucket": listing["bucket"], "cnames": cnames}], params["expiring_within_days"])
    return result


def _read_many_buckets(oss: OssModule, source: str, domain) -> dict:
    # Imported here: the fleet code is compiled from the module's zip on every run, and a single-bucket read never uses it.
    from ansible_collections.alicloud.oss.plugins.module_utils._fleet import (  # pylint: disable=import-outside-toplevel
        Fleet,
        Target,
        expiring,
        failure_message,
        list_buckets,
        share_connections,
    )

    params = oss.params
    names = _bucket_names(params["buckets"]) if source == "buckets" else None
    region = oss.endpoint.region  # resolves (and checks) region and endpoint before any request
    oss.pool_size = params["concurrency"]
    client = oss.client
    share_connections(client, params["concurrency"])
    if names is None:
        targets = list_buckets(client, params["bucket_prefix"])
    else:
        targets = [Target(name, region) for name in names]
    fleet = Fleet(client, bool(params["endpoint"]), params["addressing_style"], describe_error)
    entries = fleet.read(targets, params["concurrency"], domain)
    result = {"changed": False, "buckets": entries}
    if params["expiring_within_days"] is not None:
        result["expiring"] = expiring(entries, params["expiring_within_days"])
    failed = failure_message(entries)
    if failed:
        raise ModuleFailure(failed, None, **result)
    return result


def _bucket_names(values) -> list:
    if not values:
        raise OssConfigError("buckets is empty: name at least one bucket, or use all_buckets.", "buckets")
    return sorted({validate_bucket(value, "buckets") for value in values})


def main():
    oss = OssModule(
        argument_spec=dict(
            bucket=dict(type="str"),
            buckets=dict(type="list", elements="str"),
            all_buckets=dict(type="bool", default=False),
            bucket_prefix=dict(type="str"),
            concurrency=dict(type="int", default=8),
            expiring_within_days=dict(type="int"),
            domain=dict(type="str"),
            include_token=dict(type="bool", default=False),
        ),
    )
    oss.run(read_cnames)


if __name__ == "__main__":
    main()
