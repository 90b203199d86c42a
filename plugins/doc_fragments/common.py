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
      - Credentials come from exactly one source; the notes give the order. A source supplies the key ID, the secret and the
        security token together; they are never mixed across sources.
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
      - "Supported modes: C(AK) (C(access_key_id), C(access_key_secret)); C(StsToken) (the same and C(sts_token));
        C(RamRoleArn) (the key pair signs AssumeRole for C(ram_role_arn), with C(ram_session_name), C(expired_seconds), C(external_id),
        and C(sts_region) choosing the STS endpoint C(https://sts.<sts_region>.aliyuncs.com)); C(EcsRamRole) (C(ram_role_name), empty
        to ask the instance); C(OIDC) (C(oidc_provider_arn), C(oidc_token_file), C(ram_role_arn), C(ram_session_name)).
        An empty C(mode) is inferred from the keys present, as the aliyun CLI does. Other modes are refused."
      - The profile's C(region_id) is used when O(region) and O(endpoint) are unset.
      - If not set, the environment variables E(ALICLOUD_PROFILE) and E(ALIBABA_CLOUD_PROFILE) are read.
    type: str
  credentials_file:
    description:
      - Path of the aliyun CLI configuration file holding profiles.
      - If not set, the environment variable E(ALICLOUD_SHARED_CREDENTIALS_FILE) is read.
    type: path
    default: ~/.aliyun/config.json
  assume_role:
    description:
      - Assume this RAM role with STS (AssumeRole) and use the temporary credentials it returns.
      - The credentials found in the order given in the notes are not used for OSS then; they sign the AssumeRole call. They need
        permission to assume the role (for example the C(AliyunSTSAssumeRoleAccess) policy) and the role must trust them.
        STS refuses the AccessKey of an account itself; use a RAM user's.
      - With keys from the environment, this takes the place of E(ALIBABA_CLOUD_ROLE_ARN) (one AssumeRole call, signed with those keys).
        When the source is itself a role (a C(RamRoleArn), C(EcsRamRole) or C(OIDC) profile, the OIDC role from the environment,
        or the ECS instance role), that role's temporary credentials sign the call (role chaining).
    type: dict
    suboptions:
      role_arn:
        description:
          - ARN of the role, C(acs:ram::<account id>:role/<role name>).
        type: str
        required: true
      session_name:
        description:
          - Role session name, 2 to 64 letters, digits or C(.), C(@), C(-), C(_). It identifies the session in ActionTrail.
        type: str
        default: ansible-alicloud-oss
      duration_seconds:
        description:
          - How long the temporary credentials are valid, 900 to 43200 seconds, and at most the role's maximum session duration.
        type: int
        default: 3600
      policy:
        description:
          - A policy that further restricts the temporary credentials, as a JSON string or as a dictionary.
        type: json
      external_id:
        description:
          - External ID that the role's trust policy requires, typically for a role assumed from another account.
        type: str
  ecs_role_name:
    description:
      - Name of the RAM role attached to the ECS instance that runs the module. Its temporary credentials are read from the instance
        metadata service at O(ecs_metadata_endpoint).
      - The empty string V("") asks the metadata service which role the instance has.
      - The hardened mode is tried first (a session token from C(PUT /latest/api/token), sent with the request for the credentials).
        If the token request is refused with HTTP 403, 404 or 405, the credentials are requested without a token, unless the
        environment variable E(ALIBABA_CLOUD_IMDSV1_DISABLED) is V(true).
      - If not set, the environment variables E(ALIBABA_CLOUD_ECS_METADATA) and E(ALICLOUD_ECS_ROLE_NAME) are read, the first one set wins.
      - The metadata service is only asked when a role name is set here, in one of those variables or in an C(EcsRamRole) profile.
        It is never probed otherwise, so that a run outside ECS does not wait on an address that does not answer.
    type: str
  sts_endpoint:
    description:
      - STS endpoint used for AssumeRole and AssumeRoleWithOIDC, for example V(sts-vpc.cn-hangzhou.aliyuncs.com). The scheme is optional;
        V(https) is assumed.
      - Defaults to C(https://sts.aliyuncs.com), or C(https://sts.<sts_region>.aliyuncs.com) for a profile that sets C(sts_region).
      - If not set, the environment variable E(ALIBABA_CLOUD_STS_ENDPOINT) is read.
    type: str
  ecs_metadata_endpoint:
    description:
      - Address of the ECS instance metadata service, used only for the ECS instance role. Tests point it at an emulator.
      - If not set, the environment variable E(ALIBABA_CLOUD_ECS_METADATA_ENDPOINT) is read.
    type: str
    default: http://100.100.100.200
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
  - "Credentials come from the first of these sources that has any, and only from it.
    (1) The task options O(access_key_id), O(access_key_secret) and O(security_token).
    (2) The environment variables of those options; with E(ALIBABA_CLOUD_ROLE_ARN) also set, the keys sign an AssumeRole call for that
    role, with E(ALIBABA_CLOUD_ROLE_SESSION_NAME) and E(ALIBABA_CLOUD_EXTERNAL_ID).
    (3) The profile of O(credentials_file) (O(profile), or the file's current one), in one of the modes O(profile) lists.
    (4) The OIDC role from the environment: E(ALIBABA_CLOUD_ROLE_ARN), E(ALIBABA_CLOUD_OIDC_PROVIDER_ARN) and
    E(ALIBABA_CLOUD_OIDC_TOKEN_FILE) together (AssumeRoleWithOIDC, which carries the token read from the file and is not signed).
    (5) The ECS instance role named by O(ecs_role_name), E(ALIBABA_CLOUD_ECS_METADATA) or E(ALICLOUD_ECS_ROLE_NAME).
    Then, if O(assume_role) is set, the credentials found sign an AssumeRole call and its temporary credentials are used."
  - A task option that chooses a later source (O(profile), O(ecs_role_name)) does not outrank an earlier source; keys in the
    environment still win over it, as they do over the credentials file.
  - A failure names the source that failed and why (with the STS error code, message and request ID when STS refused), never a secret,
    a security token or an OIDC token.
  - Modules run on the managed host, so environment variables and the credentials file are read there, not on the controller.
    Most playbooks run these modules against C(localhost) or delegate them to it.
  - Secrets are never returned, shown in a diff or written to a log message; the options holding them are marked C(no_log), and
    secrets read from the environment or a file, or obtained from STS or the metadata service, are masked in the module's output.
requirements:
  - python >= 3.9
  - requests
  - defusedxml
"""
