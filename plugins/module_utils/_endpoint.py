# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Where requests go (endpoint, addressing style) and which region signs them."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote, urlsplit

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError

_REGION = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")
# oss-<region>.aliyuncs.com, oss-<region>-internal.aliyuncs.com, and the dual-stack <region>.oss.aliyuncs.com.
_OSS_HOSTS = (
    re.compile(r"^oss-(?P<region>[a-z0-9-]+?)(-internal)?\.aliyuncs\.com$"),
    re.compile(r"^(?P<region>[a-z]{2,}(-[a-z0-9]+)+)\.oss\.aliyuncs\.com$"),
)
_NOT_REGIONS = ("accelerate", "accelerate-overseas")


def normalize_region(value, option: str = "region") -> str | None:
    """Accept 'cn-hangzhou', 'oss-cn-hangzhou' and 'oss-cn-hangzhou-internal'; return the bare region id."""
    if value is None or value == "":
        return None
    region = str(value).strip().lower()
    if region.startswith("oss-"):
        region = region[4:]
    if region.endswith("-internal"):
        region = region[: -len("-internal")]
    if not _REGION.match(region):
        raise OssConfigError(f"{option} '{value}' is not a region id such as 'cn-hangzhou'.", option)
    return region


def region_from_host(host: str) -> str | None:
    """The region an OSS endpoint host names, or None for hosts that name none."""
    for pattern in _OSS_HOSTS:
        match = pattern.match(host.lower())
        if match and match.group("region") not in _NOT_REGIONS:
            return match.group("region")
    return None


def cname_target(bucket: str, region: str) -> str:
    """The host a custom domain's DNS CNAME points at: the bucket's public host in its region."""
    return f"{bucket}.oss-{region}.aliyuncs.com"


def _is_path_style_host(host: str) -> bool:
    """auto addressing: IP literals and localhost names cannot carry a bucket label."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Endpoint:
    """An OSS endpoint with the region that signs requests to it."""

    def __init__(self, scheme: str, host: str, port: int | None, region: str | None, path_style: bool):
        self.scheme = scheme
        self.host = host
        self.port = port
        self.region = region
        self.path_style = path_style

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port else host

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.netloc}"

    def service_url(self, query_string: str) -> str:
        """The URL of a service-level request (ListBuckets): the endpoint itself, path '/'."""
        suffix = f"?{query_string}" if query_string else ""
        return f"{self.url}/{suffix}"

    def with_region(self, region: str) -> Endpoint:
        """The same host, signed for another region (an explicit endpoint serves every bucket, whatever its region)."""
        return Endpoint(self.scheme, self.host, self.port, region, self.path_style)

    def bucket_url(self, bucket: str, query_string: str, key: str = "") -> str:
        """The URL of a bucket-level (or, with key, object-level) request; the signer's canonical URI is '/<bucket>/<key>'
        either way. The key is percent-encoded as UTF-8 with '/' kept, exactly as V4 signs it."""
        suffix = f"?{query_string}" if query_string else ""
        path = quote(key, safe="/")
        if self.path_style:
            return f"{self.url}/{bucket}/{path}{suffix}"
        return f"{self.scheme}://{bucket}.{self.netloc}/{path}{suffix}"


def resolve_endpoint(region=None, endpoint=None, addressing_style: str = "auto") -> Endpoint:
    """Combine the region, endpoint and addressing_style options into an Endpoint.

    The endpoint, when given, addresses requests; the region, when given, signs them.
    Without an endpoint, the region's public endpoint is used; without a region, it is read
    from an OSS endpoint host when it names one.
    """
    region = normalize_region(region)
    if endpoint:
        scheme, host, port = _split_endpoint(endpoint)
        region = region or region_from_host(host)
    elif region:
        scheme, host, port = "https", f"oss-{region}.aliyuncs.com", None
    else:
        raise OssConfigError(
            "Set region (for example cn-hangzhou) or endpoint: neither was given nor found in the environment "
            "(ALICLOUD_REGION, ALICLOUD_REGION_ID, ALIBABA_CLOUD_REGION_ID, OSS_REGION, OSS_ENDPOINT) or the profile.",
            "region",
        )
    if addressing_style == "auto":
        path_style = _is_path_style_host(host)
    else:
        path_style = addressing_style == "path"
    return Endpoint(scheme, host, port, region, path_style)


def _split_endpoint(endpoint: str):
    text = str(endpoint).strip()
    shown = _shown(text)
    _check_characters(text, shown)
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise OssConfigError(f"endpoint '{shown}' is not a valid URL: {exc}.", "endpoint") from None
    if parts.scheme not in ("http", "https"):
        raise OssConfigError(f"endpoint '{shown}' uses the unsupported scheme '{parts.scheme}'; use https:// (or http:// for a local emulator).", "endpoint")
    if not parts.hostname:
        raise OssConfigError(f"endpoint '{shown}' has no host name.", "endpoint")
    _check_host(parts.hostname, shown)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise OssConfigError(f"endpoint '{shown}' must be a scheme and host (and port) only, with no path or query.", "endpoint")
    return parts.scheme, parts.hostname.lower(), port


# Everything up to the last '@' of the authority: a user name and password, which messages must never echo.
_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?[^?#]*@")
# 'http//host', 'http:/host', 'https:host': a scheme whose '://' is mistyped (urlsplit would read 'http' as the host).
_MISTYPED_SCHEME = re.compile(r"^(?P<scheme>https?)(?P<separator>[:/]+)", re.IGNORECASE)
_HOST_CHARACTERS = re.compile(r"^[a-z0-9_.-]+$", re.IGNORECASE)


def endpoint_userinfo(endpoint) -> str | None:
    """The user name and password part of an endpoint URL (refused later), so that the caller can mask it everywhere."""
    match = _USERINFO.match(str(endpoint or "").strip())
    if not match:
        return None
    userinfo = match.group(0)[len(match.group("scheme") or "") : -1]
    return userinfo or None


def _shown(text: str) -> str:
    """The endpoint as a message may quote it: any user name or password replaced by '***'."""
    return _USERINFO.sub(lambda match: f"{match.group('scheme') or ''}***@", text, count=1)


def _check_characters(text: str, shown: str):
    """Refuse what urlsplit would misread or silently repair, before it sees the text."""
    mistyped = _MISTYPED_SCHEME.match(text)
    if mistyped and not mistyped.group("separator").startswith("://"):
        rest = text[mistyped.end() :]
        raise OssConfigError(
            f"endpoint '{shown}' looks like a malformed scheme: write scheme://host[:port], here '{mistyped.group('scheme').lower()}://{_shown(rest)}'.",
            "endpoint",
        )
    if "@" in text:
        # Also refuses ':password@' (an empty user name), which urlsplit reports as no user at all.
        raise OssConfigError(
            f"endpoint '{shown}' holds a user name or password; OSS takes neither in the URL: give scheme://host[:port] "
            "and the credentials in access_key_id and access_key_secret.",
            "endpoint",
        )
    # urlsplit drops tabs and line breaks without a word, and keeps spaces in the host.
    if " " in text:
        raise OssConfigError(f"endpoint '{shown}' contains a space; a URL holds none: give scheme://host[:port].", "endpoint")
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise OssConfigError(f"endpoint '{shown}' contains a tab, line break or other control character; a URL holds none.", "endpoint")


def _check_host(host: str, shown: str):
    if ":" in host:  # an IPv6 literal from inside [brackets], which urlsplit has already checked
        return
    if not _HOST_CHARACTERS.match(host):
        bad = next(ch for ch in host if not _HOST_CHARACTERS.match(ch))
        raise OssConfigError(
            f"endpoint '{shown}' has the character '{bad}' in its host; a host name holds only letters, digits, "
            "hyphens and dots (an internationalised name in its ASCII form, xn--...).",
            "endpoint",
        )
