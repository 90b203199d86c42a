# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Loading and checking the emulator's configuration (accounts, STS credentials, buckets, CAS certificates, DNS zones)."""

import copy
import json
import os
import re

DEFAULT_CONFIG_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "default-config.json")

# Tunables with their OSS values; tests lower the limits to stay fast.
DEFAULTS = {
    "ownership": "dns",
    "delete_unbound": "404",
    "token_limit": 1000,
    "cname_limit": 100,
    "token_ttl_seconds": 72 * 3600,
    "max_skew_seconds": 15 * 60,
    "cas_region": "cn-hangzhou",
    "accounts": [],
    "sts": [],
    "buckets": [],
    "certificates": [],
    "roles": [],
    "oidc_providers": [],
    "ecs_instance_role": None,
    "metadata_hardened": False,
    "dns_zones": [],
    "dns_records": [],
    "dns_propagation_seconds": 0,
    # The Free and Personal editions refuse a TTL below 600 s; Enterprise Ultimate goes down to 1 s.
    "dns_min_ttl": 600,
}

OWNERSHIP_MODES = ("dns", "token")
DNS_RECORD_TYPES = ("A", "AAAA", "CNAME", "TXT", "MX", "NS", "SRV", "CAA")
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")
DELETE_UNBOUND_MODES = ("404", "200")


class ConfigError(ValueError):
    pass


def load_config(source=None):
    """Return a complete, checked config dict from a dict, a JSON file path, or None (the default file)."""
    if source is None:
        source = DEFAULT_CONFIG_PATH
    if isinstance(source, dict):
        raw = copy.deepcopy(source)
    else:
        with open(source, encoding="utf-8") as handle:
            raw = json.load(handle)
    config = copy.deepcopy(DEFAULTS)
    config.update(raw)
    config["delete_unbound"] = str(config["delete_unbound"])
    check_config(config)
    return config


def check_config(config):
    _require(config["ownership"] in OWNERSHIP_MODES, "ownership must be one of %s" % (OWNERSHIP_MODES,))
    _require(config["delete_unbound"] in DELETE_UNBOUND_MODES, "delete_unbound must be one of %s" % (DELETE_UNBOUND_MODES,))
    for key in ("token_limit", "cname_limit", "token_ttl_seconds", "max_skew_seconds"):
        _require(isinstance(config[key], int) and config[key] > 0, "%s must be a positive integer" % key)
    for account in config["accounts"]:
        _require_keys(account, ("access_key_id", "access_key_secret", "owner"), "accounts")
    for sts in config["sts"]:
        _require_keys(sts, ("access_key_id", "access_key_secret", "security_token", "owner", "expiration"), "sts")
    for bucket in config["buckets"]:
        _require_keys(bucket, ("name", "region", "owner"), "buckets")
    for cert in config["certificates"]:
        _require_keys(cert, ("cert_id", "owner", "fingerprint", "valid_start_date", "valid_end_date"), "certificates")
    _check_credential_services(config)
    _check_dns(config)


def _check_dns(config):
    _require(isinstance(config["dns_propagation_seconds"], (int, float)) and config["dns_propagation_seconds"] >= 0, "dns_propagation_seconds must be >= 0")
    _require(isinstance(config["dns_min_ttl"], int) and 1 <= config["dns_min_ttl"] <= 86400, "dns_min_ttl must be an integer from 1 to 86400")
    names = []
    for zone in config["dns_zones"]:
        _require_keys(zone, ("name", "owner"), "dns_zones")
        zone["name"] = zone["name"].lower().rstrip(".")
        zone["owner"] = str(zone["owner"])
        _require(_DNS_NAME.match(zone["name"]) is not None, "dns_zones entry %r: not a domain name" % zone["name"])
        _require(zone["name"] not in names, "dns_zones entry %r appears twice" % zone["name"])
        names.append(zone["name"])
    for record in config["dns_records"]:
        _check_dns_record(record, names)


def _check_dns_record(record, zone_names):
    _require_keys(record, ("zone", "rr", "type", "value"), "dns_records")
    record["zone"] = record["zone"].lower().rstrip(".")
    record["type"] = record["type"].upper()
    record["rr"] = record["rr"].lower()
    record.setdefault("ttl", 600)
    where = "dns_records entry %s.%s" % (record["rr"], record["zone"])
    _require(record["zone"] in zone_names, "%s: zone is not in dns_zones" % where)
    _require(record["type"] in DNS_RECORD_TYPES, "%s: type must be one of %s" % (where, ", ".join(DNS_RECORD_TYPES)))
    _require(isinstance(record["ttl"], int) and 1 <= record["ttl"] <= 86400, "%s: ttl must be 1 to 86400" % where)
    if record["type"] == "MX":
        _require(isinstance(record.get("priority"), int) and 1 <= record["priority"] <= 50, "%s: an MX record needs a priority of 1 to 50" % where)


def _check_credential_services(config):
    for role in config["roles"]:
        _require_keys(role, ("arn", "owner"), "roles")
        _require(":role/" in role["arn"], "roles entry %r: arn must read acs:ram::<account>:role/<name>" % role["arn"])
        maximum = role.setdefault("max_session_duration", 3600)
        _require(isinstance(maximum, int) and 900 <= maximum <= 43200, "roles entry %r: max_session_duration must be 900 to 43200" % role["arn"])
        role["owner"] = str(role["owner"])
        role["trusted_accounts"] = [str(account) for account in role.get("trusted_accounts", [])]
    for provider in config["oidc_providers"]:
        _require_keys(provider, ("arn", "owner", "token"), "oidc_providers")
        provider["owner"] = str(provider["owner"])
    role_names = [role["arn"].rsplit(":role/", 1)[-1] for role in config["roles"]]
    _require(config["ecs_instance_role"] in [None] + role_names, "ecs_instance_role must be the name of one of the roles")
    _require(isinstance(config["metadata_hardened"], bool), "metadata_hardened must be true or false")


def _require_keys(item, keys, section):
    missing = [key for key in keys if not item.get(key)]
    _require(not missing, "%s entry %r lacks %s" % (section, item.get(keys[0]), ", ".join(missing)))


def _require(condition, message):
    if not condition:
        raise ConfigError(message)


class Settings:
    """The run-time knobs (ownership mode can change through the control endpoint)."""

    def __init__(self, config, ownership=None, dns_propagation_seconds=None):
        self.ownership = ownership or config["ownership"]
        _require(self.ownership in OWNERSHIP_MODES, "ownership must be one of %s" % (OWNERSHIP_MODES,))
        self.configured_ownership = self.ownership
        self.delete_unbound = config["delete_unbound"]
        self.token_limit = config["token_limit"]
        self.cname_limit = config["cname_limit"]
        self.token_ttl_seconds = config["token_ttl_seconds"]
        self.max_skew_seconds = config["max_skew_seconds"]
        self.cas_region = config["cas_region"]
        self.dns_min_ttl = config["dns_min_ttl"]
        self.configured_dns_propagation_seconds = config["dns_propagation_seconds"] if dns_propagation_seconds is None else dns_propagation_seconds
        _require(self.configured_dns_propagation_seconds >= 0, "dns_propagation_seconds must be >= 0")
        self.dns_propagation_seconds = self.configured_dns_propagation_seconds
