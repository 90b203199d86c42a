# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The shared options, as two argument specs that match the two doc fragments of the same names.

CREDENTIALS_ARGUMENT_SPEC (doc fragment alicloud.oss.credentials) serves any module of the collection, whatever
service it calls; OSS_ARGUMENT_SPEC (doc fragment alicloud.oss.oss) only the modules that call OSS. A unit test
checks that each spec and its fragment list the same options.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

# Credentials have no env_fallback here on purpose: _credentials reads the environment as one source,
# so that a key id from a task is never paired with a secret from the environment.
CREDENTIALS_ARGUMENT_SPEC = dict(
    access_key_id=dict(type="str", aliases=["access_key", "alicloud_access_key"], no_log=False),
    access_key_secret=dict(type="str", aliases=["secret_key", "alicloud_secret_key"], no_log=True),
    security_token=dict(type="str", no_log=True),
    profile=dict(type="str", fallback=(env_fallback, ["ALICLOUD_PROFILE", "ALIBABA_CLOUD_PROFILE"])),
    credentials_file=dict(type="path", default="~/.aliyun/config.json", fallback=(env_fallback, ["ALICLOUD_SHARED_CREDENTIALS_FILE"])),
    assume_role=dict(
        type="dict",
        options=dict(
            role_arn=dict(type="str", required=True),
            session_name=dict(type="str", default="ansible-alicloud-oss"),
            duration_seconds=dict(type="int", default=3600),
            policy=dict(type="json"),
            external_id=dict(type="str", no_log=False),
        ),
    ),
    # No env fallback: an empty ecs_role_name means "ask the instance", and the environment's role names are read
    # by _credentials at their own place in the order.
    ecs_role_name=dict(type="str"),
    # No default: a RamRoleArn or OIDC profile's sts_region picks the endpoint when this is unset.
    sts_endpoint=dict(type="str", fallback=(env_fallback, ["ALIBABA_CLOUD_STS_ENDPOINT"])),
    ecs_metadata_endpoint=dict(type="str", default="http://100.100.100.200", fallback=(env_fallback, ["ALIBABA_CLOUD_ECS_METADATA_ENDPOINT"])),
    validate_certs=dict(type="bool", default=True),
    timeout=dict(type="float", default=30.0),
    retries=dict(type="int", default=4),
)

ENV_REGION = ["ALICLOUD_REGION", "ALICLOUD_REGION_ID", "ALIBABA_CLOUD_REGION_ID", "OSS_REGION"]

# region belongs to OSS: it picks the OSS endpoint and signs V4 requests. A module for another service (Alibaba
# Cloud DNS) names its own endpoint instead of sharing this one.
OSS_ARGUMENT_SPEC = dict(
    region=dict(type="str", fallback=(env_fallback, ENV_REGION)),
    endpoint=dict(type="str", fallback=(env_fallback, ["OSS_ENDPOINT"])),
    addressing_style=dict(type="str", default="auto", choices=["auto", "virtual", "path"]),
    signature_version=dict(type="str", default="v4", choices=["v4", "v1"]),
)
