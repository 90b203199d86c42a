# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection, credential and transport options shared by every alicloud.oss module.
    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - AccessKey ID of a RAM user, or the temporary AccessKey ID issued by STS.
      - When no credential option is set, the environment variables E(ALICLOUD_ACCESS_KEY_ID), E(ALICLOUD_ACCESS_KEY),
        E(ALIBABA_CLOUD_ACCESS_KEY_ID) and E(OSS_ACCESS_KEY_ID) are read, the first one set wins.
      - Credentials come from exactly one source, in this order. Task options, then environment variables, then the profile file.
        A source supplies the key ID, the secret and the security token together; they are never mixed across sources.
    type: str
    aliases: [access_key, alicloud_access_key]
  access_key_secret:
    description:
      - AccessKey secret belonging to O(access_key_id).
      - When no credential option is set, the environment variables E(ALICLOUD_ACCESS_KEY_SECRET), E(ALICLOUD_SECRET_KEY),
        E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) and E(OSS_ACCESS_KEY_SECRET) are read, the first one set wins.
    type: str
    aliases: [secret_key, alicloud_secret_key]
  security_token:
    description:
      - STS security token, for temporary credentials. Sent as the C(x-oss-security-token) header.
      - When no credential option is set, the environment variables E(ALICLOUD_SECURITY_TOKEN), E(ALIBABA_CLOUD_SECURITY_TOKEN)
        and E(OSS_SESSION_TOKEN) are read together with the environment key pair.
    type: str
  profile:
    description:
      - Name of the profile to use from O(credentials_file), when neither task options nor environment variables supply credentials.
      - Without it, the file's C(current) profile is used.
      - Profiles of mode C(AK) and C(StsToken) are supported. The profile's C(region_id) is used when O(region) and O(endpoint) are unset.
      - If not set, the environment variables E(ALICLOUD_PROFILE) and E(ALIBABA_CLOUD_PROFILE) are read.
    type: str
  credentials_file:
    description:
      - Path of the aliyun CLI configuration file holding profiles.
      - If not set, the environment variable E(ALICLOUD_SHARED_CREDENTIALS_FILE) is read.
    type: path
    default: ~/.aliyun/config.json
  region:
    description:
      - Region of the bucket, for example V(cn-hangzhou). The form V(oss-cn-hangzhou) is accepted too.
      - Signs V4 requests and names the default endpoint C(https://oss-<region>.aliyuncs.com).
      - When unset, it is read from an OSS O(endpoint) host, then from the profile.
      - If not set, the environment variables E(ALICLOUD_REGION), E(ALICLOUD_REGION_ID), E(ALIBABA_CLOUD_REGION_ID) and E(OSS_REGION) are read.
    type: str
  endpoint:
    description:
      - OSS endpoint that requests are sent to, for example V(oss-cn-hangzhou-internal.aliyuncs.com) or V(http://127.0.0.1:9000).
      - The scheme is optional; V(https) is assumed. Only V(https) and V(http) are accepted.
      - When both O(region) and O(endpoint) are set, the endpoint addresses the request and the region signs it.
      - Defaults to C(https://oss-<region>.aliyuncs.com).
      - If not set, the environment variable E(OSS_ENDPOINT) is read.
    type: str
  addressing_style:
    description:
      - How the bucket is addressed. V(virtual) puts it in the host name (C(bucket.oss-cn-hangzhou.aliyuncs.com)), V(path) in the path.
      - V(auto) uses path style for IP addresses, V(localhost) and names under C(.localhost), and virtual-hosted style otherwise.
    type: str
    choices: [auto, virtual, path]
    default: auto
  signature_version:
    description:
      - Request signature. V(v4) is OSS4-HMAC-SHA256 and needs a region; V(v1) is the older HMAC-SHA1 signature.
    type: str
    choices: [v4, v1]
    default: v4
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the endpoint.
      - To trust a private CA, point the environment variable E(REQUESTS_CA_BUNDLE) at a bundle containing it rather than turning this off.
    type: bool
    default: true
  timeout:
    description:
      - Seconds allowed for connecting and for each read of one request.
    type: float
    default: 30
  retries:
    description:
      - How many times a request is retried after the first attempt, on connection errors, timeouts, HTTP 500, 502, 503 and 504 answers
        and throttling. Waits grow exponentially with full jitter, the first under one second and none over 20 seconds.
      - Other client errors are never retried.
    type: int
    default: 4
notes:
  - Modules run on the managed host, so environment variables and the credentials file are read there, not on the controller.
    Most playbooks run these modules against C(localhost) or delegate them to it.
  - Secrets are never returned, shown in a diff or written to a log message; the options holding them are marked C(no_log).
requirements:
  - python >= 3.9
  - requests
  - defusedxml
"""
