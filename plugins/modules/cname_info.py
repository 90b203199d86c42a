#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cname_info
short_description: List the custom domains bound to an OSS bucket, with their certificates
version_added: 1.0.0
description:
  - Lists the domains bound to buckets, with their certificates. Own options O(bucket), O(buckets), O(all_buckets),
    O(bucket_prefix), O(domain), O(include_token), O(expiring_within_days), O(concurrency); the rest are shared.
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description: The bucket to read; or use O(buckets) or O(all_buckets).
    type: str
  buckets:
    description: Several buckets, all in O(region); returns RV(buckets).
    type: list
    elements: str
  all_buckets:
    description: Every bucket of the account, in all regions.
    type: bool
    default: false
  bucket_prefix:
    description: With O(all_buckets), only the names with this prefix.
    type: str
  concurrency:
    description: Buckets read at once.
    type: int
    default: 8
  expiring_within_days:
    description: Days ahead for RV(expiring), expired included.
    type: int
  domain:
    description: Return only this domain (in every bucket read).
    type: str
  include_token:
    description: Also read the token of O(domain) (with O(bucket)).
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
"""

EXAMPLES = r"""
- name: List the domains of a bucket
  alicloud.oss.cname_info:
    bucket: my-bucket
    region: cn-hangzhou
  register: bucket_domains

- name: Every bucket of the account, and the certificates that end within 30 days
  alicloud.oss.cname_info:
    all_buckets: true
    region: cn-hangzhou  # where ListBuckets goes; each bucket is then read in its own region
    expiring_within_days: 30
  register: fleet
"""

RETURN = r"""
bucket:
  description: The bucket name as OSS reports it.
  returned: with O(bucket)
  type: str
  sample: my-bucket
owner:
  description: The owner's account id, or V(null).
  returned: with O(bucket)
  type: str
  sample: "1234567890123456"
cnames:
  description: The bound domains, sorted by name.
  returned: with O(bucket)
  type: list
  elements: dict
  contains:
    domain:
      description: The domain, lower-case; a wildcard with its C(*.).
      type: str
      sample: static.example.com
    wildcard:
      description: Whether it is a wildcard binding.
      type: bool
    status:
      description: C(Enabled) or C(Disabled).
      type: str
    last_modified:
      description: When the binding last changed, as OSS writes it.
      type: str
    is_purge_cdn_cache:
      description: Whether OSS purges the CDN cache on object changes; V(null) when OSS does not say.
      type: bool
    is_wildcard:
      description: Old name of RV(cnames[].wildcard).
      type: bool
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
          description: SHA-1 fingerprint of the leaf.
          type: str
        creation_date:
          description: When it was bound.
          type: str
        valid_start_date:
          description: Start of validity.
          type: str
        valid_end_date:
          description: End of validity.
          type: str
        valid_end_date_iso:
          description: The same in ISO 8601 UTC, or V(null).
          type: str
        days_to_expiry:
          description: Whole days left, or V(null).
          type: int
buckets:
  description: One entry per bucket, sorted; failed reads included.
  returned: with O(buckets) or O(all_buckets), also when the task fails because some buckets could not be read
  type: list
  elements: dict
  contains:
    bucket:
      description: The bucket name.
      type: str
    region:
      description: The bucket's region.
      type: str
    owner:
      description: The owner's account id, or V(null).
      type: str
    cname_target:
      description: Target of CNAME records, or V(null).
      type: str
    cnames:
      description: As RV(cnames); empty if the read failed.
      type: list
      elements: dict
    error:
      description: V(null), or why the read failed.
      type: dict
      contains:
        msg:
          description: The failure in one line.
          type: str
        code:
          description: OSS error code, or V(null).
          type: str
        message:
          description: The server's message.
          type: str
        request_id:
          description: Request id, or V(null).
          type: str
        host_id:
          description: HostId, or V(null).
          type: str
        ec:
          description: EC number, or V(null).
          type: str
        status:
          description: HTTP status, or V(null).
          type: int
expiring:
  description: Certificates ending within O(expiring_within_days), soonest first.
  returned: when O(expiring_within_days) is set
  type: list
  elements: dict
  contains:
    bucket:
      description: The bucket.
      type: str
    domain:
      description: The domain.
      type: str
    wildcard:
      description: Whether it is a wildcard.
      type: bool
    cert_id:
      description: Certificate service id.
      type: str
    valid_end_date_iso:
      description: End of validity, ISO 8601.
      type: str
    days_to_expiry:
      description: Whole days left; negative once expired.
      type: int
token:
  description: The token of O(domain), or V(null); see M(alicloud.oss.cname_token).
  returned: when O(include_token=true)
  type: dict
  contains:
    bucket:
      description: The bucket.
      type: str
    domain:
      description: The domain.
      type: str
    wildcard:
      description: Whether it is a wildcard.
      type: bool
    token:
      description: The token value.
      type: str
    expire_time:
      description: Expiry as OSS writes it.
      type: str
    expire_time_iso:
      description: Expiry in ISO 8601 UTC.
      type: str
    expires_in:
      description: Seconds until expiry.
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
