# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The five CNAME operations as small functions over an OssClient, returning plain snake_case data.

Domains come and go in the form users write them: a wildcard is *.example.com. On the wire OSS takes the base domain
and the kind (the wildcard query parameter, or IsWildCard in PutCname's body). A standard bucket is sent no kind at
all, as before 2026; an Agentic Bucket is always sent one, false for an exact domain too, as its documentation requires.
Whether a standard bucket would accept an explicit wildcard=false only the live service can tell: it is never sent."""

from __future__ import annotations

from datetime import datetime, timezone

from ansible_collections.alicloud.oss.plugins.module_utils._dates import days_until, iso_or_none, seconds_until
from ansible_collections.alicloud.oss.plugins.module_utils._errors import CERTIFICATE_RAM_ACTIONS, OssResponseError, OssServiceError
from ansible_collections.alicloud.oss.plugins.module_utils._validation import (
    WILDCARD_PREFIX,
    base_domain,
    check_domain_kind,
    check_kind_signature,
    is_agentic_bucket,
    is_wildcard,
)
from ansible_collections.alicloud.oss.plugins.module_utils._xml import child_text, cname_configuration, parse_document


def _document(response, root_tag: str):
    root = parse_document(response.body, response.status, response.request_id)
    if root.tag != root_tag:
        rid = f"; request id {response.request_id}" if response.request_id else ""
        raise OssResponseError(f"OSS answered with a <{root.tag}> document where <{root_tag}> was expected{rid}.", response.status, response.request_id)
    return root


def _kind(bucket: str, domain: str) -> bool | None:
    """The kind to state on the wire: None for a standard bucket (nothing sent), else whether domain is a wildcard."""
    check_domain_kind(bucket, domain)
    return is_wildcard(domain) if is_agentic_bucket(bucket) else None


def _kind_query(client, bucket: str, kind: bool | None) -> list:
    if kind is None:
        return []
    check_kind_signature(bucket, client.signature_version)
    return [("wildcard", "true" if kind else "false")]


def _user_form(base: str, wildcard: bool) -> str:
    domain = base.lower().rstrip(".")
    return WILDCARD_PREFIX + domain if wildcard else domain


def _token(root, now: datetime, wildcard: bool) -> dict:
    expire_time = child_text(root, "ExpireTime")
    return {
        "bucket": child_text(root, "Bucket"),
        "domain": _user_form(child_text(root, "Cname") or "", wildcard),
        "wildcard": wildcard,
        "token": child_text(root, "Token"),
        "expire_time": expire_time,
        "expire_time_iso": iso_or_none(expire_time),
        "expires_in": seconds_until(expire_time, now),
    }


def _now():
    return datetime.now(timezone.utc)


def get_cname_token(client, bucket: str, domain: str, now: datetime | None = None) -> dict | None:
    """The domain's current token, or None when there is none (never created, expired or consumed)."""
    kind = _kind(bucket, domain)
    query = [("comp", "token"), ("cname", base_domain(domain))] + _kind_query(client, bucket, kind)
    try:
        response = client.request("GetCnameToken", "GET", bucket, query)
    except OssServiceError as exc:
        if exc.code == "CnameTokenNotFound":
            return None
        raise
    return _token(_document(response, "CnameToken"), now or _now(), bool(kind))


def create_cname_token(client, bucket: str, domain: str, now: datetime | None = None) -> dict:
    kind = _kind(bucket, domain)
    query = [("cname", None), ("comp", "token")] + _kind_query(client, bucket, kind)
    response = client.request("CreateCnameToken", "POST", bucket, query, cname_configuration(base_domain(domain)))
    return _token(_document(response, "CnameToken"), now or _now(), bool(kind))


def put_cname(client, bucket: str, domain: str, certificate: dict | None = None):
    """Bind the domain, and bind, replace or remove its certificate when certificate is given."""
    body = cname_configuration(base_domain(domain), certificate, _kind(bucket, domain))
    try:
        return client.request("PutCname", "POST", bucket, [("cname", None), ("comp", "add")], body)
    except OssServiceError as exc:
        if certificate and not certificate.get("delete_certificate"):
            exc.extra_ram_actions = CERTIFICATE_RAM_ACTIONS
        raise


def delete_cname(client, bucket: str, domain: str) -> bool:
    """Unbind the domain. False when OSS says it was not bound (older OSS answers 404 NoSuchCname, newer 200).

    Only the first attempt's NoSuchCname counts as "was not bound"."""
    query = [("cname", None), ("comp", "delete")] + _kind_query(client, bucket, _kind(bucket, domain))
    try:
        client.request("DeleteCname", "POST", bucket, query, cname_configuration(base_domain(domain)))
    except OssServiceError as exc:
        # On a retried attempt, NoSuchCname most likely means the earlier attempt was applied and its answer lost.
        if exc.code == "NoSuchCname":
            return exc.attempts > 1
        raise
    return True


def list_cname(client, bucket: str, now: datetime | None = None) -> dict:
    """{bucket, owner, cnames: [...]}; a bucket with no domains gives an empty list, whichever way OSS says it."""
    try:
        response = client.request("ListCname", "GET", bucket, [("cname", None)])
    except OssServiceError as exc:
        if exc.code == "NoSuchCname":
            return {"bucket": bucket, "owner": None, "cnames": []}
        raise
    root = _document(response, "ListCnameResult")
    now = now or _now()
    cnames = [_cname_entry(element, now) for element in root.findall("Cname")]
    cnames.sort(key=lambda entry: entry["domain"])
    return {"bucket": child_text(root, "Bucket") or bucket, "owner": child_text(root, "Owner"), "cnames": cnames}


def _bool(text):
    if text is None:
        return None
    return text.strip().lower() == "true"


def _cname_entry(element, now: datetime) -> dict:
    certificate = element.find("Certificate")
    # OSS writes IsWildCard only on wildcard entries, and their Domain without the *.
    wildcard = bool(_bool(child_text(element, "IsWildCard")))
    return {
        "domain": _user_form(child_text(element, "Domain") or "", wildcard),
        "wildcard": wildcard,
        "status": child_text(element, "Status"),
        "last_modified": child_text(element, "LastModified"),
        "is_purge_cdn_cache": _bool(child_text(element, "IsPurgeCdnCache")),
        "is_wildcard": wildcard,
        "certificate": _certificate(certificate, now) if certificate is not None else None,
    }


def _certificate(element, now: datetime) -> dict:
    valid_end = child_text(element, "ValidEndDate")
    return {
        "type": child_text(element, "Type"),
        "cert_id": child_text(element, "CertId"),
        "status": child_text(element, "Status"),
        "fingerprint": child_text(element, "Fingerprint"),
        "creation_date": child_text(element, "CreationDate"),
        "valid_start_date": child_text(element, "ValidStartDate"),
        "valid_end_date": valid_end,
        "valid_end_date_iso": iso_or_none(valid_end),
        "days_to_expiry": days_until(valid_end, now),
    }
