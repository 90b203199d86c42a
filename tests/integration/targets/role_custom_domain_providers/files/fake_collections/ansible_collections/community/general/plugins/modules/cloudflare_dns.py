#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for community.general.cloudflare_dns for the role_custom_domain_providers target (see fake_collections/README.md)."""

import json
import os

from ansible.module_utils.basic import AnsibleModule

SECRETS = ("api_token", "account_api_key")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            zone=dict(type="str", required=True),
            record=dict(type="str", default="@"),
            type=dict(type="str", required=True),
            value=dict(type="str"),
            ttl=dict(type="int", default=1),
            solo=dict(type="bool"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            api_token=dict(type="str", no_log=True),
            account_email=dict(type="str"),
            account_api_key=dict(type="str", no_log=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    path = os.environ["FAKE_DNS_STORE"]
    with open(path, encoding="utf-8") as handle:
        store = json.load(handle)
    store["calls"].append(dict({k: ("<set>" if k in SECRETS and v else v) for k, v in params.items()}, module="cloudflare_dns"))
    key = "cloudflare|%s|%s" % (params["record"].lower().rstrip("."), params["type"])
    values = store["records"].get(key, {}).get("values", [])
    if params["state"] == "present":
        wanted = [params["value"]] if params["solo"] else sorted(set(values) | {params["value"]})
    elif params["value"]:
        wanted = [value for value in values if value != params["value"]]
    else:
        wanted = []
    changed = wanted != values
    if changed and not module.check_mode:
        if wanted:
            store["records"][key] = dict(values=wanted, ttl=params["ttl"])
        else:
            store["records"].pop(key, None)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(store, handle)
    module.exit_json(changed=changed)


if __name__ == "__main__":
    main()
