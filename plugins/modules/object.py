#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: object
short_description: Put or delete one small object in an OSS bucket
version_added: 1.0.0
description:
  - Makes sure that the object O(key) of O(bucket) holds the given content, content type and ACL, or that it does not exist.
  - Meant for small objects such as an ACME HTTP-01 challenge file (C(.well-known/acme-challenge/<token>)), a
    C(robots.txt) or a verification file. The whole content is sent in one PutObject request (OSS takes up to 5 GB
    that way; this module reads the content into memory, so keep it small).
  - A run that finds the object as wanted costs one HeadObject request, which reports the content's MD5 and the
    content type. When O(acl) is set it costs one more, GetObjectAcl, because HeadObject does not report the ACL;
    with O(acl) unset, the ACL is read only when the object is written again, so that it keeps its ACL.
  - An object whose content, type or ACL differ is written again as a whole, with PutObject.
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description:
      - Name of the bucket.
    type: str
    required: true
  key:
    description:
      - The object's name (key), for example V(.well-known/acme-challenge/abc123) or V(docs/read me.txt).
      - UTF-8, 1 to 1023 bytes, not starting with V(/) or V(\\). Path segments V(.) and V(..) are refused, since an
        HTTP client would collapse them before the request leaves.
    type: str
    required: true
  content:
    description:
      - The object's content, as text (sent as UTF-8).
      - Mutually exclusive with O(src). One of them is required when O(state=present).
      - The module never returns the content and never shows it in the diff. It is not masked as a secret in the
        task's output either, since masking a short value would also mask it wherever else it appears; for secret
        content use O(src) or set C(no_log) on the task.
    type: str
  src:
    description:
      - Path of a file whose bytes become the object's content, on the host where the module runs.
      - Mutually exclusive with O(content).
    type: path
  state:
    description:
      - V(present) makes sure the object exists with this content, O(content_type) and O(acl).
      - V(absent) deletes the object; an object that does not exist is left as it is (one HeadObject request).
    type: str
    choices: [present, absent]
    default: present
  content_type:
    description:
      - The object's Content-Type, which OSS sends back to whoever downloads it.
      - An existing object with another content type is written again.
    type: str
    default: application/octet-stream
  acl:
    description:
      - The object's own ACL. V(public-read) lets anyone read the object without a signature, which an ACME HTTP-01
        validation needs. V(private) lets only the owner and those the owner grants read it.
      - When not set, the ACL is not compared. An existing object written again (other content or type) keeps its ACL,
        read with one GetObjectAcl before the write; a new object gets the ACL V(default), which follows the bucket's.
    type: str
    choices: [private, public-read]
extends_documentation_fragment:
  - alicloud.oss.credentials
  - alicloud.oss.oss
  - alicloud.oss.attributes
attributes:
  check_mode:
    support: full
    details: In check mode only HeadObject (and GetObjectAcl when O(acl) is set) is sent.
  diff_mode:
    support: full
    details: The diff shows the object's size, MD5, content type and ACL before and after; never the content.
  idempotent:
    support: full
notes:
  - The MD5 compared is the one OSS reports for an object uploaded in one request (the C(Content-MD5) header, or the
    ETag). An object uploaded in parts has neither, and is therefore always written again.
seealso:
  - module: alicloud.oss.cname
"""

EXAMPLES = r"""
- name: Publish an ACME HTTP-01 challenge in the bucket the domain is bound to
  alicloud.oss.object:
    bucket: my-bucket
    key: ".well-known/acme-challenge/{{ token }}"
    content: "{{ key_authorization }}"
    content_type: text/plain
    acl: public-read
    region: cn-hangzhou

- name: Upload robots.txt from a file on the host that runs the module (here the controller)
  alicloud.oss.object:
    bucket: my-bucket
    key: robots.txt
    src: "{{ playbook_dir }}/files/robots.txt"
    content_type: text/plain

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
  description: Whether the object exists after the run (in check mode, whether it would).
  returned: always
  type: bool
  sample: true
etag:
  description:
    - The object's ETag without quotes (for a one-request upload, the upper-case hex MD5 of the content).
    - V(null) when the object does not exist, or in check mode when it would be written.
  returned: always
  type: str
  sample: 5EB63BBBE01EEED093CB22BB8F5ACDC3
md5:
  description: Base64 MD5 of the object's content (of the wanted content when it was or would be written); V(null) when the object does not exist.
  returned: always
  type: str
  sample: XrY7u+Ae7tCTyyK7j1rNww==
size:
  description: The object's size in bytes; V(null) when the object does not exist.
  returned: always
  type: int
  sample: 11
content_type:
  description: The object's content type; V(null) when the object does not exist.
  returned: always
  type: str
  sample: text/plain
acl:
  description:
    - The object's ACL as it is after the run when O(acl) is set or the object was written (an object written again
      with O(acl) unset keeps its ACL; a new one gets V(default)); V(null) when it was not read (O(acl) unset, nothing
      written) or the object does not exist.
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
