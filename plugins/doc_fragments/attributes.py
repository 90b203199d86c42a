# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Capabilities shared by the modules that change things.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and predict what would change.
  diff_mode:
    description: Shows what changed, or would change in check mode, when in diff mode.
  idempotent:
    description: A second run with the same arguments reports no change.
  action_group:
    description: Takes defaults from C(group/alicloud.oss.oss) in C(module_defaults).
    support: full
    membership:
      - alicloud.oss.oss
"""
