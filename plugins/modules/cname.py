#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cname
short_description: Bind custom domains to an OSS bucket, or unbind them
version_added: 1.0.0
description:
  - Makes one domain (O(domain)) or a set of domains (O(domains)) bound to, or not bound to, an OSS bucket.
  - Reads the bucket's bindings once, then binds only the domains that are missing and unbinds only those that must go.
    A converged run sends a single read request.
  - OSS binds a domain only after its ownership is proven by a DNS TXT record C(_dnsauth.<domain>) holding a CNAME token;
    use M(alicloud.oss.cname_token) to get the token.
  - The certificate of a bound domain is never touched; use M(alicloud.oss.cname_certificate) for that.
  - After binding, point the domain's DNS CNAME record at RV(cname_target).
  - Wildcard domains (V(*.spaces.example.com)) are bound only to Agentic Buckets, recognised by their full name
    C(<prefix>-<account id>-<region>-ab-apsr); for any other bucket a wildcard is refused before any request is sent.
    An exact domain and the wildcard of the same base domain are two different bindings, each with its own token.
    On an Agentic Bucket every bind and unbind states the kind (C(IsWildCard), C(wildcard)), false for exact domains
    too, so O(signature_version=v1), which cannot sign the C(wildcard) parameter, is refused there.
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description:
      - Name of the bucket.
    type: str
    required: true
  domain:
    description:
      - A single custom domain. Case and a trailing dot are ignored. For several domains, use O(domains).
      - Exactly one of O(domain) and O(domains) is required.
    type: str
  domains:
    description:
      - A list of custom domains, handled in one task. Case and trailing dots are ignored; duplicates count once.
      - With O(state=present) and O(purge=true), every bound domain not in the list is unbound. A wildcard and the exact
        domain of the same base domain are different members; listing V(*.spaces.example.com) keeps only the wildcard.
    type: list
    elements: str
  state:
    description:
      - V(present) binds the domains; V(absent) unbinds them.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(domains) and O(state=present), unbind every domain bound to the bucket that is not listed.
      - Refused together with O(domain), because purge needs the complete list of domains to keep.
    type: bool
    default: false
  verification_timeout:
    description:
      - Seconds to keep retrying a bind that OSS refuses because domain ownership is not verified yet,
        for example while the TXT record propagates. V(0) fails at once with instructions.
      - Retries back off exponentially, starting at about 2 seconds and never waiting more than 20 seconds.
      - The module prints nothing while it waits. For long waits, run the task with C(async) and C(poll) (see the examples),
        so that the connection to the host is not held by a silent task; RV(verification) then tells how long the wait took.
    type: int
    default: 0
  concurrency:
    description:
      - How many bind or unbind requests are sent at the same time when several domains change. V(1) sends them one at a time.
      - If some requests fail, the others still complete; the failure message lists, sorted, which domains succeeded and which did not.
    type: int
    default: 4
extends_documentation_fragment:
  - alicloud.oss.credentials
  - alicloud.oss.oss
  - alicloud.oss.attributes
attributes:
  check_mode:
    support: full
    details: Only the read request is sent; RV(domains), RV(added) and RV(removed) say what would happen.
  diff_mode:
    support: full
  idempotent:
    support: full
seealso:
  - module: alicloud.oss.cname_token
  - module: alicloud.oss.cname_certificate
  - module: alicloud.oss.cname_info
"""

EXAMPLES = r"""
- name: Bind static.example.com to my-bucket
  alicloud.oss.cname:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou

- name: Bind a domain, waiting up to 10 minutes for its TXT record to be seen by OSS
  alicloud.oss.cname:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
    verification_timeout: 600

- name: Bind a domain in the background, checking every 15 seconds, for a wait of up to 10 minutes
  alicloud.oss.cname:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
    verification_timeout: 600
  async: 660  # verification_timeout plus a margin for the requests themselves
  poll: 15
  register: binding

- name: Show how long OSS took to see the TXT record
  ansible.builtin.debug:
    msg: "{{ binding.verification['static.example.com'] }}"

- name: Bind exactly these domains and unbind any other
  alicloud.oss.cname:
    bucket: my-bucket
    region: cn-hangzhou
    domains:
      - static.example.com
      - img.example.com
    purge: true
    concurrency: 8

- name: Bind a wildcard domain and its base domain to an Agentic Bucket
  alicloud.oss.cname:
    bucket: my-agentic-1234567890123456-cn-hangzhou-ab-apsr
    region: cn-hangzhou
    domains:
      - "*.spaces.example.com"
      - spaces.example.com

- name: Unbind a domain
  alicloud.oss.cname:
    bucket: my-bucket
    domain: old.example.com
    region: cn-hangzhou
    state: absent
"""

RETURN = r"""
domains:
  description:
    - The domains bound to the bucket after the run, sorted (predicted in check mode).
    - A wildcard binding is written with its leading C(*.), as in O(domain); the exact domain of the same base domain
      is a separate entry.
  returned: always
  type: list
  elements: str
  sample: [img.example.com, static.example.com]
added:
  description: The domains this run bound (or would bind in check mode), sorted.
  returned: always
  type: list
  elements: str
  sample: [static.example.com]
removed:
  description: The domains this run unbound (or would unbind in check mode), sorted.
  returned: always
  type: list
  elements: str
  sample: []
cname_target:
  description: The host the domains' DNS CNAME records must point at; V(null) only when no region is known.
  returned: always
  type: str
  sample: my-bucket.oss-cn-hangzhou.aliyuncs.com
verification:
  description:
    - For each domain this run tried to bind, how its ownership verification went, keyed by domain.
      Empty when nothing was bound (a converged run, an unbind, check mode).
    - Each value holds C(attempts), how many bind requests (PutCname) were sent for the domain
      (V(1) when OSS saw the ownership proof at once, more when it refused with C(NeedVerifyDomainOwnership) and
      O(verification_timeout) let the module retry; a request the transport retried after a network error counts once),
      and C(waited_seconds), the seconds from the first bind request for the domain to the last answer,
      rounded to a tenth of a second.
    - Also returned when the task fails, for the domains it tried to bind.
  returned: always
  type: dict
  sample: {static.example.com: {attempts: 3, waited_seconds: 6.4}}
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
