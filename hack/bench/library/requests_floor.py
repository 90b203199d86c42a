# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The least any module that talks HTTP through requests can cost: AnsibleModule, import requests, one GET.

Not part of the collection: the bench runs it beside ansible.builtin.ping and a converged cname_info, so that the
ratio to ping splits into what requests and one round trip cost and what the collection's own code adds.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

import requests


def main():
    module = AnsibleModule(argument_spec=dict(url=dict(type="str", required=True)), supports_check_mode=True)
    with requests.Session() as session:
        status = session.get(module.params["url"], timeout=30).status_code
    module.exit_json(changed=False, status=status)


if __name__ == "__main__":
    main()
