#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cname
short_description: Bind custom domains to an OSS bucket, or unbind them
version_added: 1.0.0
description:
  - Binds domains to an OSS bucket, or unbinds them. Own options O(bucket), O(domain), O(domains), O(state), O(purge),
    O(verification_timeout), O(concurrency); the rest are shared.
  - OSS binds a domain once a TXT record proves ownership (M(alicloud.oss.cname_token)); then point its CNAME at
    RV(cname_target). Wildcards (V(*.example.com)) only on Agentic Buckets.
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description: Name of the bucket.
    type: str
    required: true
  domain:
    description: One custom domain (case and a final dot are ignored).
    type: str
  domains:
    description: Several domains; a wildcard and its base are separate.
    type: list
    elements: str
  state:
    description: V(present) binds the domains; V(absent) unbinds them.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description: With O(domains), also unbind every domain not listed.
    type: bool
    default: false
  verification_timeout:
    description:
      - Seconds to retry a bind until OSS sees the TXT record.
    type: int
    default: 0
  concurrency:
    description: Requests sent at once when several domains change.
    type: int
    default: 4
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
seealso:
  - module: alicloud.oss.cname_certificate
"""

EXAMPLES = r"""
- name: Bind static.example.com, waiting up to 10 minutes for OSS to see its TXT record
  alicloud.oss.cname:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
    verification_timeout: 600
  async: 660  # the timeout plus a margin
  poll: 15

- name: Bind exactly these domains and unbind any other
  alicloud.oss.cname:
    bucket: my-bucket
    region: cn-hangzhou
    domains: [static.example.com, img.example.com]
    purge: true
"""

RETURN = r"""
domains:
  description: Domains bound after the run (predicted in check mode).
  returned: always
  type: list
  elements: str
  sample: [img.example.com, static.example.com]
added:
  description: The domains this run bound (or would bind), sorted.
  returned: always
  type: list
  elements: str
  sample: [static.example.com]
removed:
  description: The domains this run unbound (or would unbind), sorted.
  returned: always
  type: list
  elements: str
  sample: []
cname_target:
  description: Where the CNAME records point (V(null) if no region).
  returned: always
  type: str
  sample: my-bucket.oss-cn-hangzhou.aliyuncs.com
verification:
  description:
    - Per domain tried, C(attempts) and C(waited_seconds).
  returned: always
  type: dict
"""

from ansible_collections.alicloud.oss.plugins.module_utils._binding import bind_failure, put_until_verified
from ansible_collections.alicloud.oss.plugins.module_utils._cname_api import delete_cname, list_cname
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssError
from ansible_collections.alicloud.oss.plugins.module_utils._module import ModuleFailure, OssModule
from ansible_collections.alicloud.oss.plugins.module_utils._validation import check_kind_signature, normalize_domain, normalize_domains


def plan(bound: set, wanted: list, state: str, purge: bool) -> tuple:
    """(to_add, to_remove), each sorted, given what is bound and what the task asks for."""
    wanted_set = set(wanted)
    if state == "absent":
        return [], sorted(wanted_set & bound)
    to_remove = sorted(bound - wanted_set) if purge else []
    return sorted(wanted_set - bound), to_remove


def ensure_cnames(oss: OssModule) -> dict:
    params = oss.params
    bucket = oss.bucket()
    wanted = _wanted_domains(params, bucket)
    _check_numbers(params)
    # Before the client exists: past the pool's size, urllib3 would close the extra workers' connections after each request.
    oss.pool_size = max(oss.pool_size, params["concurrency"])
    check_kind_signature(bucket, params["signature_version"])
    bound = {entry["domain"] for entry in list_cname(oss.client, bucket)["cnames"]}
    to_add, to_remove = plan(bound, wanted, params["state"], params["purge"])
    done_add, done_remove, gone = to_add, to_remove, to_remove
    verification = {}
    if not oss.check_mode and (to_add or to_remove):
        done_add, done_remove, gone = _apply(oss, bucket, to_add, to_remove, bound, verification)
    after = sorted((bound | set(done_add)) - set(gone))
    return {
        "changed": bool(done_add or done_remove),
        "domains": after,
        "added": done_add,
        "removed": done_remove,
        "cname_target": oss.cname_target(bucket),
        "verification": verification,
        "diff": {"before": {"domains": sorted(bound)}, "after": {"domains": after}},
    }


def _wanted_domains(params, bucket) -> list:
    if params["domains"] is not None:
        return normalize_domains(params["domains"], "domains", bucket=bucket)
    domain = normalize_domain(params["domain"], "domain", for_several="use domains for a list", bucket=bucket)
    if params["purge"]:
        # Refused rather than ignored: a user who sets purge expects the other domains to go.
        raise OssConfigError(
            f"purge needs domains, the complete list to keep; with domain it would do nothing. To keep only {domain}, "
            f"set domains: ['{domain}'] with purge: true; otherwise drop purge.",
            "purge",
        )
    return [domain]


def _check_numbers(params):
    if params["verification_timeout"] < 0:
        raise OssConfigError(f"verification_timeout must be 0 or more seconds, not {params['verification_timeout']}.", "verification_timeout")
    if params["concurrency"] < 1:
        raise OssConfigError(f"concurrency must be 1 or more, not {params['concurrency']}.", "concurrency")


# What one unbind came to: done by this run, or already gone when OSS was asked.
_DONE = "done"
_ALREADY = "already"


def _apply(oss, bucket, to_add, to_remove, bound, verification):
    """Run every write, filling verification for each bind; when some fail, fail listing what succeeded and what did not."""
    jobs = [("bind", domain) for domain in to_add] + [("unbind", domain) for domain in to_remove]
    outcomes = _run_jobs(oss, bucket, jobs, oss.params["concurrency"], verification)
    failures = sorted((job for job in jobs if isinstance(outcomes[job], OssError)), key=lambda job: job[1])
    # An unbind that OSS answers with NoSuchCname removed nothing: it was already gone.
    done_add = sorted(domain for action, domain in jobs if action == "bind" and outcomes[(action, domain)] is _DONE)
    done_remove = sorted(domain for action, domain in jobs if action == "unbind" and outcomes[(action, domain)] is _DONE)
    gone = [domain for action, domain in jobs if action == "unbind" and not isinstance(outcomes[(action, domain)], OssError)]
    if failures:
        raise _partial_failure(oss, bucket, failures, outcomes, done_add, done_remove, bound - set(gone), verification)
    return done_add, done_remove, gone


def _run_jobs(oss, bucket, jobs, concurrency, verification):
    if concurrency == 1 or len(jobs) == 1:
        return {job: _run_job(oss, bucket, job, verification) for job in jobs}
    # Imported here: a converged run or a single change never pays for the thread pool.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(concurrency, len(jobs))) as pool:
        futures = {job: pool.submit(_run_job, oss, bucket, job, verification) for job in jobs}
        return {job: future.result() for job, future in futures.items()}


def _run_job(oss, bucket, job, verification):
    """_DONE, _ALREADY, or the OssError (returned, not raised, so one failure does not hide the others' results)."""
    action, domain = job
    try:
        if action == "bind":
            _bind(oss, bucket, domain, verification)
            return _DONE
        return _DONE if delete_cname(oss.client, bucket, domain) else _ALREADY
    except OssError as exc:
        return exc


def _bind(oss, bucket, domain, verification):
    """Bind, retrying ownership refusals until verification_timeout; record the attempts and the time in verification[domain]."""
    # Each thread writes its own domain's key, so the shared dict needs no lock.
    verification[domain] = {}
    put_until_verified(oss.client, bucket, domain, oss.params["verification_timeout"], record=verification[domain])


def _describe_job(action, domain, bucket):
    return f"Binding {domain} to bucket {bucket}" if action == "bind" else f"Unbinding {domain} from bucket {bucket}"


def _partial_failure(oss, bucket, failures, outcomes, done_add, done_remove, remaining, verification):
    after = sorted(remaining | set(done_add))
    state = dict(changed=bool(done_add or done_remove), domains=after, added=done_add, removed=done_remove, verification=verification)
    explained = {
        job: bind_failure(oss.client, bucket, job[1], outcomes[job], _describe_job(*job, bucket), oss.params["verification_timeout"], **state)
        for job in failures
    }
    first = explained[failures[0]]
    if len(failures) == 1 and not done_add and not done_remove:
        return first
    failed = " ".join(explained[job].msg for job in failures)
    msg = (
        f"{len(failures)} of {len(outcomes)} changes on bucket {bucket} failed. "
        f"Bound: {', '.join(done_add) or 'none'}. Unbound: {', '.join(done_remove) or 'none'}. "
        f"Failed: {', '.join(domain for _action, domain in failures)}. {failed}"
    )
    errors = {domain: outcomes[(action, domain)].to_dict() for action, domain in failures}
    return ModuleFailure(msg, first.error, failed_domains=[domain for _action, domain in failures], errors=errors, **state)


def main():
    oss = OssModule(
        argument_spec=dict(
            bucket=dict(type="str", required=True),
            domain=dict(type="str"),
            domains=dict(type="list", elements="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            purge=dict(type="bool", default=False),
            verification_timeout=dict(type="int", default=0),
            concurrency=dict(type="int", default=4),
        ),
        mutually_exclusive=[("domain", "domains")],
        required_one_of=[("domain", "domains")],
    )
    oss.run(ensure_cnames)


if __name__ == "__main__":
    main()
