#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: object
short_description: Put or delete one small object in an OSS bucket
version_added: 1.0.0
description:
  - Writes a small object, such as an ACME challenge, or deletes it. Own options O(bucket), O(key), O(content),
    O(src), O(content_type), O(acl), O(state); the rest are shared.
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description: Name of the bucket.
    type: str
    required: true
  key:
    description: The object's name, for example V(.well-known/acme-challenge/abc123).
    type: str
    required: true
  content:
    description: Text content (UTF-8); not returned, not masked.
    type: str
  src:
    description: File to upload, on the host that runs the module.
    type: path
  state:
    description: V(present) writes it if it differs; V(absent) deletes it (O(content), O(src), O(acl) refused).
    type: str
    choices: [present, absent]
    default: present
  content_type:
    description: The object's Content-Type.
    type: str
    default: application/octet-stream
  acl:
    description: The ACL; when unset, not compared, and kept on a write.
    type: str
    choices: [private, public-read]
extends_documentation_fragment:
  - alicloud.oss.credentials
  - alicloud.oss.oss
  - alicloud.oss.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Publish an ACME HTTP-01 challenge in the bucket the domain is bound to
  alicloud.oss.object:
    bucket: my-bucket
    key: ".well-known/acme-challenge/{{ token }}"
    content: "{{ key_authorization }}"
    content_type: text/plain
    acl: public-read

- name: Remove the challenge afterwards
  alicloud.oss.object:
    bucket: my-bucket
    key: ".well-known/acme-challenge/{{ token }}"
    state: absent
"""

RETURN = r"""
bucket:
  description: The bucket.
  returned: always
  type: str
  sample: my-bucket
key:
  description: The object's key.
  returned: always
  type: str
  sample: .well-known/acme-challenge/abc123
exists:
  description: Whether the object exists after the run (or would).
  returned: always
  type: bool
etag:
  description: ETag without quotes; V(null) if absent or not written yet.
  returned: always
  type: str
  sample: 5EB63BBBE01EEED093CB22BB8F5ACDC3
md5:
  description: Base64 MD5 of the content; V(null) if absent.
  returned: always
  type: str
  sample: XrY7u+Ae7tCTyyK7j1rNww==
size:
  description: Size in bytes; V(null) if absent.
  returned: always
  type: int
  sample: 11
content_type:
  description: Content type; V(null) if absent.
  returned: always
  type: str
  sample: text/plain
acl:
  description: The ACL after the run; V(null) when not read or absent.
  returned: always
  type: str
  sample: public-read
"""

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError
from ansible_collections.alicloud.oss.plugins.module_utils._module import OssModule
from ansible_collections.alicloud.oss.plugins.module_utils._object_api import (
    content_md5,
    delete_object,
    get_object_acl,
    head_object,
    put_object,
    validate_key,
)


def ensure_object(oss: OssModule) -> dict:
    params = oss.params
    bucket = oss.bucket()
    key = validate_key(params["key"])
    if params["state"] == "absent":
        _refuse_content_options(params)
        return _absent(oss, bucket, key)
    if not (params["content_type"] or "").strip():
        raise OssConfigError("content_type must not be empty: leave it out for application/octet-stream.", "content_type")
    body = _wanted_body(params)
    wanted = {"md5": content_md5(body), "size": len(body), "content_type": params["content_type"], "acl": params["acl"]}
    current = head_object(oss.client, bucket, key)
    # HeadObject does not report the ACL; reading it costs a second request, so only a task that sets acl pays for it.
    if current is not None and params["acl"] is not None and _same_content(current, wanted):
        current["acl"] = get_object_acl(oss.client, bucket, key)
    changed = current is None or not _same_content(current, wanted) or (params["acl"] is not None and current.get("acl") != params["acl"])
    result = _view(current) if current else _missing()
    if changed:
        acl = params["acl"] or _kept_acl(oss, bucket, key, current)
        # A PutObject without x-oss-object-acl gives the object the ACL "default" (the bucket's).
        etag = None if oss.check_mode else put_object(oss.client, bucket, key, body, params["content_type"], None if acl == "default" else acl)
        result = dict(wanted, etag=etag, exists=True, acl=acl)
    return dict(result, changed=changed, bucket=bucket, key=key, diff={"before": _diff_side(current), "after": _diff_side(result)})


def _kept_acl(oss, bucket, key, current) -> str:
    """The ACL an object written again without O(acl) keeps: its own, read only now that it is written (one request)."""
    if current is None:
        return "default"
    if current.get("acl") is None:
        current["acl"] = get_object_acl(oss.client, bucket, key) or "default"
    return current["acl"]


def _refuse_content_options(params):
    """state=absent deletes the object: options that describe the object to keep would be ignored, so they are refused."""
    given = [name for name in ("content", "src", "acl") if params[name] is not None]
    if given:
        raise OssConfigError(
            f"{' and '.join(given)} describe the object to keep; state=absent deletes it: leave {'them' if len(given) > 1 else 'it'} out.", given[0]
        )


def _absent(oss, bucket, key):
    current = head_object(oss.client, bucket, key)
    if current is not None and not oss.check_mode:
        delete_object(oss.client, bucket, key)
    return dict(_missing(), changed=current is not None, bucket=bucket, key=key, diff={"before": _diff_side(current), "after": _diff_side(None)})


def _wanted_body(params) -> bytes:
    if params["content"] is not None:
        return params["content"].encode("utf-8")
    try:
        with open(params["src"], "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise OssConfigError(f"src '{params['src']}' cannot be read: {exc.strerror or exc}.", "src") from None


def _same_content(current, wanted) -> bool:
    return current["md5"] == wanted["md5"] and current["size"] == wanted["size"] and current["content_type"] == wanted["content_type"]


def _view(current):
    keys = ("etag", "md5", "size", "content_type")
    return dict({name: current[name] for name in keys}, exists=True, acl=current.get("acl"))


def _missing():
    return {"exists": False, "etag": None, "md5": None, "size": None, "content_type": None, "acl": None}


def _diff_side(view):
    if not view or not view.get("exists", True):
        return {"exists": False}
    side = {"exists": True, "size": view["size"], "md5": view["md5"], "content_type": view["content_type"]}
    if view.get("acl") is not None:
        side["acl"] = view["acl"]
    return side


def main():
    oss = OssModule(
        argument_spec=dict(
            bucket=dict(type="str", required=True),
            # An object's name, not a secret key: named so by OSS.
            key=dict(type="str", required=True, no_log=False),
            content=dict(type="str"),
            src=dict(type="path"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            content_type=dict(type="str", default="application/octet-stream"),
            acl=dict(type="str", choices=["private", "public-read"]),
        ),
        mutually_exclusive=[("content", "src")],
        required_if=[("state", "present", ("content", "src"), True)],
    )
    oss.run(ensure_object)


if __name__ == "__main__":
    main()
