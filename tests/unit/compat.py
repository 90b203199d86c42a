# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the unit tests need from ansible-core, on every ansible-core that meta/runtime.yml claims (>= 2.17).

``ansible.module_utils.testing.patch_module_args`` exists from ansible-core 2.19 on. On older ones, the module
arguments are handed to AnsibleModule the way that helper does it internally: as the JSON document
``{"ANSIBLE_MODULE_ARGS": {...}}`` in ``ansible.module_utils.basic._ANSIBLE_ARGS``.
"""

from __future__ import annotations

import contextlib
import json
from unittest import mock

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """Expose the given module args to AnsibleModule instances created within this context."""
        if not isinstance(args, (dict, type(None))):
            raise TypeError("The `args` arg must be a dict or None.")
        payload = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode("utf-8")
        with mock.patch.object(basic, "_ANSIBLE_ARGS", payload):
            yield


def module_answer(stdout: str) -> tuple[dict, str, list]:
    """(result, the result as JSON, the secrets the module registered) from what a module printed.

    From ansible-core 2.22 on, a module sends the secrets it registered along with its result
    (``_ansible_new_secrets``), for the controller to mask wherever it shows them; the controller takes the list out
    and never shows it. The tests look at what is left, as a user sees it, and at the list separately.
    """
    result = json.loads(stdout)
    registered = result.pop("_ansible_new_secrets", [])
    return result, json.dumps(result), registered


__all__ = ["module_answer", "patch_module_args"]
