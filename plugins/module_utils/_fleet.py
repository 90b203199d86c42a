# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Many buckets in one task: ListBuckets with every page, each bucket's ListCname in its own region, a bounded thread pool.

Threads share one requests.Session, which requests does not promise to be thread-safe in general
(psf/requests#2766). What this path relies on is narrower: the session is created and its adapter mounted in the
calling thread before any worker starts (the transport creates its session lazily, which two threads could race);
nothing changes the session while workers run; OSS sets no cookies; and urllib3's pool manager and pools are
thread-safe. The pool manager keeps `concurrency` host pools, so that a pool in use by one worker is not the least
recently used one when another worker opens a new host (psf/requests#1871: an evicted pool fails its next request;
requests reports that as a connection error, which the transport would retry).
"""

from __future__ import annotations

from typing import NamedTuple

from ansible_collections.alicloud.oss.plugins.module_utils._cname_api import list_cname
from ansible_collections.alicloud.oss.plugins.module_utils._endpoint import cname_target, normalize_region, resolve_endpoint
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssError, OssResponseError
from ansible_collections.alicloud.oss.plugins.module_utils._http import mount_adapter
from ansible_collections.alicloud.oss.plugins.module_utils._validation import validate_bucket
from ansible_collections.alicloud.oss.plugins.module_utils._xml import child_text, parse_document

# ListBuckets answers at most 1000 buckets a page (the documented maximum of max-keys; its default is 100).
MAX_KEYS = 1000
# How many failed buckets a failure message names before it counts the rest.
NAMED_FAILURES = 20


class Target(NamedTuple):
    """A bucket to read: its name, the region that addresses and signs its requests, and the owner ListBuckets gave."""

    name: str
    region: str | None
    owner: str | None = None
    # Why the bucket cannot be read (a listing entry without a readable region), or None.
    problem: str | None = None


def list_buckets(client, prefix: str | None = None) -> list:
    """Every bucket of the account (ListBuckets, GET / on the service endpoint, every page), as Targets sorted by name."""
    targets = []
    marker = None
    while True:
        root = _list_buckets_page(client, prefix, marker)
        owner = child_text(root, "Owner/ID")
        page = root.findall("Buckets/Bucket")
        targets.extend(_target(element, owner) for element in page)
        if (child_text(root, "IsTruncated") or "").lower() != "true":
            return sorted(targets)
        # NextMarker is documented for a truncated page; the last name is what the SDK paginators would fall back to [inf].
        next_marker = child_text(root, "NextMarker") or (child_text(page[-1], "Name") if page else None)
        if not next_marker or next_marker == marker:
            raise OssResponseError("OSS answered ListBuckets with a truncated page but no marker to continue from.")
        marker = next_marker


def _list_buckets_page(client, prefix, marker):
    query = [("max-keys", str(MAX_KEYS))]
    if marker:
        query.append(("marker", marker))
    if prefix:
        query.append(("prefix", prefix))
    response = client.request("ListBuckets", "GET", None, query)
    root = parse_document(response.body, response.status, response.request_id)
    if root.tag != "ListAllMyBucketsResult":
        raise OssResponseError(f"OSS answered ListBuckets with a <{root.tag}> document.", response.status, response.request_id)
    return root


def _target(element, owner) -> Target:
    name = child_text(element, "Name") or ""
    region = _region_of(element)
    problem = _name_problem(name) or (None if region else f"ListBuckets gave no readable Region or Location for bucket {name}.")
    return Target(name, region, owner, problem)


def _name_problem(name: str) -> str | None:
    # The name becomes part of the host of the bucket's request: one that no bucket can have is never sent anywhere.
    try:
        validate_bucket(name, "ListBuckets name")
    except OssConfigError as exc:
        return f"{exc} The bucket was not read."
    return None


def _region_of(element) -> str | None:
    """Region (cn-hangzhou) when the listing has it, else Location (oss-cn-hangzhou); None when neither reads as a region."""
    for tag in ("Region", "Location"):
        try:
            region = normalize_region(child_text(element, tag), tag)
        except OssConfigError:
            region = None
        if region:
            return region
    return None


def share_connections(client, concurrency: int):
    """Create the client's session now, in this thread, with connection pools sized for `concurrency` workers."""
    mount_adapter(client.session, host_pools=concurrency, pool_size=concurrency)


class Fleet:
    """Reads many buckets' domains, each through a client for its region."""

    def __init__(self, client, endpoint_given: bool, addressing_style: str, describe):
        self.client = client
        self.endpoint_given = endpoint_given
        self.addressing_style = addressing_style
        self.describe = describe  # OssError -> one line
        self._clients = {}

    def client_for(self, region):
        """The task's endpoint signed for `region` when endpoint is set, else `region`'s public endpoint."""
        if region == self.client.endpoint.region or region is None:
            return self.client
        if region not in self._clients:
            if self.endpoint_given:
                endpoint = self.client.endpoint.with_region(region)
            else:
                endpoint = resolve_endpoint(region, None, self.addressing_style)
            self._clients[region] = self.client.with_endpoint(endpoint)
        return self._clients[region]

    def read(self, targets: list, concurrency: int, domain: str | None = None) -> list:
        """One entry per target, sorted by bucket name; a failed read gives an entry with `error`, never an exception."""
        # Clients are made here, before the workers start, so that no two threads build one.
        jobs = [(target, self.client_for(target.region)) for target in targets if not target.problem]
        entries = [_entry(target, target.owner, [], _problem(target.problem)) for target in targets if target.problem]
        entries.extend(bounded_map(lambda job: self._read_one(job[0], job[1], domain), jobs, concurrency))
        return sorted(entries, key=lambda entry: entry["bucket"])

    def _read_one(self, target: Target, client, domain):
        try:
            listing = list_cname(client, target.name)
        except OssError as exc:
            return _entry(target, target.owner, [], self._error(exc))
        cnames = [entry for entry in listing["cnames"] if domain is None or entry["domain"] == domain]
        return _entry(target, listing["owner"] or target.owner, cnames, None)

    def _error(self, exc: OssError) -> dict:
        fields = exc.to_dict() or {}
        error = {"msg": self.describe(exc)}
        for name in ("code", "message", "request_id", "host_id", "ec", "status"):
            error[name] = fields.get(name)
        return error


def _problem(msg: str) -> dict:
    return {"msg": msg, "code": None, "message": msg, "request_id": None, "host_id": None, "ec": None, "status": None}


def _entry(target: Target, owner, cnames, error) -> dict:
    return {
        "bucket": target.name,
        "region": target.region,
        "owner": owner,
        "cname_target": cname_target(target.name, target.region) if target.region else None,
        "cnames": cnames,
        "error": error,
    }


def bounded_map(function, items: list, concurrency: int) -> list:
    """function over items with at most `concurrency` at a time, results in the order of items."""
    if concurrency <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    # Only the many-bucket path pays for this import.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(concurrency, len(items))) as pool:
        return list(pool.map(function, items))


def expiring(entries: list, within_days: int) -> list:
    """Bound certificates that end less than within_days days from now (expired ones too), soonest first."""
    found = []
    for entry in entries:
        for cname in entry["cnames"]:
            certificate = cname.get("certificate")
            days = certificate.get("days_to_expiry") if certificate else None
            if days is not None and days < within_days:
                found.append(
                    {
                        "bucket": entry["bucket"],
                        "domain": cname["domain"],
                        "wildcard": cname.get("wildcard", False),
                        "cert_id": certificate["cert_id"],
                        "valid_end_date_iso": certificate["valid_end_date_iso"],
                        "days_to_expiry": days,
                    }
                )
    return sorted(found, key=lambda item: (item["days_to_expiry"], item["bucket"], item["domain"]))


def failure_message(entries: list) -> str | None:
    """One line naming the buckets whose read failed, or None when none did."""
    failed = [entry for entry in entries if entry["error"]]
    if not failed:
        return None
    names = ", ".join(entry["bucket"] for entry in failed[:NAMED_FAILURES])
    more = f" and {len(failed) - NAMED_FAILURES} more" if len(failed) > NAMED_FAILURES else ""
    return (
        f"Could not read the domains of {len(failed)} of {len(entries)} buckets: {names}{more}. "
        f"First error ({failed[0]['bucket']}): {failed[0]['error']['msg']} Every other bucket's domains are in the result."
    )
