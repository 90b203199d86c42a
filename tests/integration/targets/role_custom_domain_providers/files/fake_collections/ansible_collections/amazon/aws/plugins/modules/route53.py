#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for amazon.aws.route53 for the role_custom_domain_providers target (see fake_collections/README.md)."""

import json
import os

from ansible.module_utils.basic import AnsibleModule

SECRETS = ("secret_key", "session_token")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", required=True, choices=["present", "absent", "get"]),
            zone=dict(type="str"),
            hosted_zone_id=dict(type="str"),
            record=dict(type="str", required=True),
            type=dict(type="str", required=True),
            value=dict(type="list", elements="str"),
            ttl=dict(type="int", default=3600),
            overwrite=dict(type="bool"),
            private_zone=dict(type="bool", default=False),
            profile=dict(type="str"),
            access_key=dict(type="str", no_log=False),
            secret_key=dict(type="str", no_log=True),
            session_token=dict(type="str", no_log=True),
            endpoint_url=dict(type="str"),
            region=dict(type="str"),
        ),
        required_one_of=[["zone", "hosted_zone_id"]],
        supports_check_mode=True,
    )
    params = module.params
    path = os.environ["FAKE_DNS_STORE"]
    with open(path, encoding="utf-8") as handle:
        store = json.load(handle)
    store["calls"].append(dict({k: ("<set>" if k in SECRETS and v else v) for k, v in params.items()}, module="route53"))
    key = "route53|%s|%s" % (params["record"].lower().rstrip("."), params["type"])
    current = store["records"].get(key)
    result = dict(changed=False)
    if params["state"] == "get":
        sets = [dict(record=params["record"], type=params["type"], ttl=str(current["ttl"]), record_values=current["values"])] if current else []
        result["resource_record_sets"] = sets
    elif params["state"] == "present":
        wanted = dict(values=params["value"], ttl=params["ttl"])
        if current and current != wanted and not params["overwrite"]:
            module.fail_json(msg="Record already exists with different value. Set 'overwrite' to replace it")
        result["changed"] = current != wanted
        if result["changed"] and not module.check_mode:
            store["records"][key] = wanted
    elif current:
        # Route 53 deletes a record set only when given exactly its values and TTL.
        if params["value"] != current["values"] or params["ttl"] != current["ttl"]:
            module.fail_json(msg="Tried to delete resource record set but it was not found with the given values")
        result["changed"] = True
        if not module.check_mode:
            del store["records"][key]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(store, handle)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
