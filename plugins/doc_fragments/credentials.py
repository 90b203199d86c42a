# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Credential and transport options for every alicloud.oss module, whatever service it calls (OSS today,
    # Alibaba Cloud DNS next), so nothing here names an OSS endpoint or header.
    # The texts stay one or two lines: ansible-doc sorts options by name and cannot put a module's own options
    # first, so long shared texts would bury them. The detail (order of the sources, profile modes, role
    # chaining, the metadata service, every environment variable) is in the README's authentication section.
    # Matches CREDENTIALS_ARGUMENT_SPEC in plugins/module_utils/_argspec.py; a unit test compares the two.
    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - AccessKey ID of a RAM user, or a temporary one.
    type: str
    aliases: [access_key, alicloud_access_key]
  access_key_secret:
    description:
      - AccessKey secret of O(access_key_id).
    type: str
    aliases: [secret_key, alicloud_secret_key]
  security_token:
    description:
      - STS security token, for temporary keys.
    type: str
  profile:
    description:
      - Profile of O(credentials_file); default its C(current) one.
    type: str
  credentials_file:
    description:
      - Path of the aliyun CLI configuration file.
    type: path
    default: ~/.aliyun/config.json
  assume_role:
    description:
      - Use the credentials found to assume this RAM role.
    type: dict
    suboptions:
      role_arn:
        description:
          - ARN of the role to assume.
        type: str
        required: true
      session_name:
        description:
          - Role session name, shown in ActionTrail.
        type: str
        default: ansible-alicloud-oss
      duration_seconds:
        description:
          - Lifetime, 900 to 43200 seconds.
        type: int
        default: 3600
      policy:
        description:
          - Policy restricting the session further.
        type: json
      external_id:
        description:
          - External ID the role's trust policy asks for.
        type: str
  ecs_role_name:
    description:
      - ECS instance RAM role; V("") asks the instance.
    type: str
  sts_endpoint:
    description:
      - STS endpoint; default C(https://sts.aliyuncs.com).
    type: str
  ecs_metadata_endpoint:
    description:
      - ECS instance metadata service address.
    type: str
    default: http://100.100.100.200
  validate_certs:
    description:
      - Whether to verify TLS certificates.
    type: bool
    default: true
  timeout:
    description:
      - Seconds per attempt, answer included; up to 3600.
    type: float
    default: 30
  retries:
    description:
      - Retries of a request that failed transiently; 0 to 10.
    type: int
    default: 4
seealso:
  - name: User guide
    description: The detail these pages leave out.
    link: https://github.com/alicloud-oss/alicloud.oss/blob/main/docs/guide.md
  - name: Authentication
    description: >-
      Where credentials come from, in order.
    link: https://github.com/alicloud-oss/alicloud.oss/blob/main/README.md#authentication
requirements:
  - python >= 3.9
  - requests
"""
