# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Input checks shared by every module. They run before any request is sent."""

from __future__ import annotations

import re

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError

_BUCKET_HOST = re.compile(r"^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.oss-[a-z0-9-]+\.aliyuncs\.com\.?$", re.IGNORECASE)
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
# DNS record names (not host names) may hold underscores, as _dnsauth and _acme-challenge do.
_RECORD_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
_CERT_ID = re.compile(r"^\d+-[a-z]+(-[a-z0-9]+)+$")
# The documented full name of an Agentic Bucket: <prefix>-<account id>-<region>-ab-apsr, the prefix at least 3 characters.
_AGENTIC_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]+[a-z0-9]-\d+-[a-z]+(-[a-z0-9]+)+-ab-apsr$")
WILDCARD_PREFIX = "*."
WILDCARD_RULE = "OSS binds wildcard domains (*.example.com) only to Agentic Buckets, whose names end in -<account id>-<region>-ab-apsr"
# An attempt longer than an hour is a mistake, and a timeout Python's sockets cannot hold (1e300) would fail deep
# in the transport; ten retries already wait minutes with the backoff.
MAX_TIMEOUT = 3600
MAX_RETRIES = 10


def validate_bucket(name, option: str = "bucket") -> str:
    """Return the bucket name, or raise naming the rule it breaks."""
    if not isinstance(name, str) or not name:
        raise OssConfigError(f"{option} must be a non-empty bucket name.", option)
    host = _BUCKET_HOST.match(name)
    if host:
        raise OssConfigError(f"{option} '{name}' looks like the bucket's host name: use the bucket name '{host.group(1).lower()}'.", option)
    problem = _bucket_problem(name)
    if problem:
        raise OssConfigError(f"{option} '{name}' is not a valid bucket name: {problem}.", option)
    return name


def _bucket_problem(name: str) -> str | None:
    if not 3 <= len(name) <= 63:
        return f"it must be 3 to 63 characters long, not {len(name)}"
    if name != name.lower():
        return "upper-case letters are not allowed"
    if not re.fullmatch(r"[a-z0-9-]+", name):
        return "only lower-case letters, digits and hyphens are allowed"
    if name[0] == "-" or name[-1] == "-":
        return "it must start and end with a letter or a digit"
    return None


_ONE_PER_TASK = "run the task once per domain, for example with loop"


def is_agentic_bucket(name: str) -> bool:
    return bool(_AGENTIC_BUCKET.match(name or ""))


def is_wildcard(domain: str) -> bool:
    return domain.startswith(WILDCARD_PREFIX)


def base_domain(domain: str) -> str:
    """The domain OSS writes on the wire: a wildcard without its leading *."""
    return domain[len(WILDCARD_PREFIX) :] if is_wildcard(domain) else domain


def check_domain_kind(bucket: str, domain: str, option: str = "domain"):
    """Refuse a wildcard for a bucket that cannot hold one, before any request."""
    if is_wildcard(domain) and not is_agentic_bucket(bucket):
        raise OssConfigError(f"{option} '{domain}' cannot be bound to bucket {bucket}: {WILDCARD_RULE}.", option)


def check_kind_signature(bucket: str, signature_version: str):
    """On an Agentic Bucket every token and unbind request carries the wildcard parameter, which only V4 signs."""
    if signature_version == "v1" and is_agentic_bucket(bucket):
        raise OssConfigError(
            f"bucket {bucket} is an Agentic Bucket: its CNAME requests carry the wildcard parameter, which signature_version v1 "
            "leaves unsigned (it is no V1 sub-resource); use signature_version v4.",
            "signature_version",
        )


def normalize_domain(value, option: str = "domain", for_several: str = _ONE_PER_TASK, bucket: str | None = None) -> str:
    """Lower-case the domain, drop one trailing dot, and check it is a host name OSS can bind.

    A wildcard keeps its leading *. (the form users write); with bucket, a wildcard is refused unless the bucket is an
    Agentic Bucket. for_several says what to do instead when value is a list of domains."""
    if not isinstance(value, str):
        raise OssConfigError(f"{option} must be a string, not {type(value).__name__}.", option)
    domain = value.strip()
    if not domain:
        raise OssConfigError(f"{option} must not be empty.", option)
    if _looks_like_a_list(domain):
        raise OssConfigError(f"{option} takes a single domain, and '{value}' is a list: {for_several}.", option)
    problem = _domain_problem(domain)
    if problem:
        raise OssConfigError(f"{option} '{value}' is not a domain OSS can bind: {problem}.", option)
    domain = domain.lower().rstrip(".")
    if bucket is not None:
        check_domain_kind(bucket, domain, option)
    return domain


def _looks_like_a_list(domain: str) -> bool:
    # Ansible turns a list given to a str option into its Python text, "['a.example.com', 'b.example.com']";
    # a comma never belongs in a host name either.
    return (domain.startswith("[") and domain.endswith("]")) or "," in domain


def _domain_problem(domain: str) -> str | None:
    if any(ch.isspace() for ch in domain):
        return "it contains white space"
    if not domain.isascii():
        return f"internationalised names must be given in their ASCII (punycode) form{_punycode_hint(domain)}"
    name = base_domain(domain.lower())
    if "*" in name:
        return "a wildcard is written *. followed by the base domain, such as *.example.com (the * stands for one whole label)"
    if name.endswith("."):
        name = name[:-1]
    if len(name) > 253:
        return f"it is {len(name)} characters long; at most 253 are allowed"
    if len(name) <= 3:
        return "it must be longer than 3 characters"
    labels = name.split(".")
    if len(labels) < 2:
        return "it needs at least two labels, such as www.example.com"
    for label in labels:
        problem = label_problem(label)
        if problem:
            return problem
    return None


def label_problem(label: str, record: bool = False) -> str | None:
    """What is wrong with one label of a host name (record=False) or of a DNS record name (underscores allowed)."""
    if not label:
        return "it has an empty label (two dots in a row, or a leading dot)"
    if len(label) > 63:
        return f"the label '{label[:20]}...' is {len(label)} characters long; at most 63 are allowed"
    if record and not _RECORD_LABEL.match(label):
        return f"the label '{label}' may hold only letters, digits, underscores and inner hyphens"
    if not record and not _LABEL.match(label):
        return f"the label '{label}' may hold only letters, digits and inner hyphens"
    return None


def _punycode_hint(domain: str) -> str:
    try:
        return f": '{domain.strip().rstrip('.').encode('idna').decode('ascii')}'"
    except UnicodeError:
        return ""


def normalize_domains(values, option: str = "domains", bucket: str | None = None) -> list:
    """Normalise every entry; report the first bad one under the option's name with its position.

    An exact domain and the wildcard of the same base domain are two different entries."""
    if not isinstance(values, list):
        raise OssConfigError(f"{option} must be a list of domains.", option)
    result = []
    for index, value in enumerate(values):
        domain = normalize_domain(value, f"{option}[{index}]", bucket=bucket)
        if domain not in result:
            result.append(domain)
    return result


def validate_cert_id(value, option: str = "cert_id") -> str:
    """A certificate service id reads <number>-<cas region>, e.g. 12345678-cn-hangzhou."""
    cert_id = (value or "").strip() if isinstance(value, str) else ""
    if not _CERT_ID.match(cert_id):
        hint = f" (for example '{cert_id}-cn-hangzhou')" if cert_id.isdigit() else ""
        raise OssConfigError(f"{option} '{value}' is not a certificate service id: expected <number>-<certificate service region>{hint}.", option)
    return cert_id


def normalize_fingerprint(value) -> str:
    """Compare fingerprints ignoring case and colons."""
    return re.sub(r"[^0-9A-F]", "", str(value or "").upper())


def validate_timeout(value) -> float:
    if not 0 < value <= MAX_TIMEOUT:  # also refuses NaN and infinity
        raise OssConfigError(f"timeout must be a positive number of seconds, at most {MAX_TIMEOUT} (one hour), not {value:g}.", "timeout")
    return value


def validate_retries(value) -> int:
    if value < 0:
        raise OssConfigError(f"retries must be 0 or more, not {value}.", "retries")
    if value > MAX_RETRIES:
        raise OssConfigError(f"retries must be at most {MAX_RETRIES}, not {value}: each retry waits longer, up to 20 s.", "retries")
    return value
