# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""What the binding modules share: finding a domain in a listing and explaining why a bind failed."""

from __future__ import annotations

import time

from ansible_collections.alicloud.oss.plugins.module_utils._cname_api import get_cname_token, put_cname
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssError, OssServiceError
from ansible_collections.alicloud.oss.plugins.module_utils._http import BACKOFF_CAP, backoff_delay
from ansible_collections.alicloud.oss.plugins.module_utils._module import ModuleFailure, describe_error
from ansible_collections.alicloud.oss.plugins.module_utils._validation import base_domain

OWNERSHIP_CODE = "NeedVerifyDomainOwnership"


def txt_record_name(domain: str) -> str:
    """The ownership record's name. For a wildcard the documents name none: _dnsauth.<base domain> is inferred from the
    token being asked for the base domain, and stays an assumption until the live service shows otherwise."""
    return f"_dnsauth.{base_domain(domain)}"


def find_cname(listing: dict, domain: str) -> dict | None:
    for entry in listing["cnames"]:
        if entry["domain"] == domain:
            return entry
    return None


def put_until_verified(client, bucket: str, domain: str, timeout: float, certificate: dict | None = None, record: dict | None = None):
    """PutCname, retried with backoff while OSS answers NeedVerifyDomainOwnership, until timeout seconds have passed.

    record, when given, receives the attempts made and the seconds waited, also when the bind fails in the end.
    """
    start = time.monotonic()
    deadline = start + timeout
    attempt = 0
    try:
        while True:
            attempt += 1
            try:
                put_cname(client, bucket, domain, certificate)
                return
            except OssServiceError as exc:
                if exc.code != OWNERSHIP_CODE or time.monotonic() >= deadline:
                    raise
            # The TXT record may still be propagating: wait (visibly bounded by verification_timeout) and try again.
            time.sleep(min(BACKOFF_CAP, 1.0 + backoff_delay(attempt), max(0.0, deadline - time.monotonic())))
    finally:
        if record is not None:
            record.update(attempts=attempt, waited_seconds=round(time.monotonic() - start, 1))


def bind_failure(client, bucket: str, domain: str, exc: OssError, doing: str, waited: int = 0, **result) -> ModuleFailure:
    """A ModuleFailure whose message says what to do next; for ownership errors it names the TXT record and token."""
    if isinstance(exc, OssServiceError) and exc.code == OWNERSHIP_CODE:
        return ModuleFailure(ownership_message(client, bucket, domain, doing, waited), exc.to_dict(), **result)
    return ModuleFailure(f"{doing} failed. {describe_error(exc)}", exc.to_dict(), **result)


def ownership_message(client, bucket: str, domain: str, doing: str, waited: int = 0) -> str:
    token = _current_token(client, bucket, domain)
    if token:
        publish = (
            f"publish a TXT record {txt_record_name(domain)} with the value {token['token']} "
            f"(the current CNAME token, valid until {token['expire_time_iso'] or token['expire_time']})"
        )
    else:
        publish = f"create a CNAME token with alicloud.oss.cname_token (none is valid now), then publish it as a TXT record {txt_record_name(domain)}"
    if waited:
        then = f"check that the record is visible in public DNS; OSS still refused after retrying for {waited} s (verification_timeout)."
    else:
        then = "wait until the record is visible in DNS, then run again, or set verification_timeout to keep retrying."
    return (
        f"{doing} failed: OSS has not verified that you own {domain}. To prove it, {publish}; {then} "
        "If the domain was bound before, its verification may have lapsed: create a new token and publish it again."
    )


def _current_token(client, bucket, domain):
    # Only a read, and only on the failure path; a second failure must not hide the first one.
    try:
        return get_cname_token(client, bucket, domain)
    except OssError:
        return None
