# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # How an OSS module reaches the bucket: the OSS connection options, apart from the credentials.
    # region is here and not in the credentials fragment: it names the bucket's region, picks the OSS endpoint
    # and signs OSS V4 requests. Alibaba Cloud DNS is addressed through an endpoint option of its own, so a DNS
    # module takes the credentials fragment without this one. (STS has sts_endpoint, in the credentials fragment.)
    # Matches OSS_ARGUMENT_SPEC in plugins/module_utils/_argspec.py; a unit test compares the two.
    DOCUMENTATION = r"""
options:
  region:
    description:
      - Region of the bucket, for example V(cn-hangzhou).
    type: str
  endpoint:
    description:
      - OSS endpoint; by default derived from O(region).
    type: str
  addressing_style:
    description:
      - Bucket in the host name (V(virtual)) or the path.
    type: str
    choices: [auto, virtual, path]
    default: auto
  signature_version:
    description:
      - OSS request signature; V(v4) needs a region.
    type: str
    choices: [v4, v1]
    default: v4
requirements:
  - defusedxml
"""
