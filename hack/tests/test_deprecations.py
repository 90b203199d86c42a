from noxsupport import deprecations

OUTPUT = """\
TASK [cname : bind] ****
[WARNING]: Deprecation warnings can be disabled by setting `deprecation_warnings=False` in ansible.cfg.
[DEPRECATION WARNING]: The 'foo' option of module 'alicloud.oss.cname' is deprecated. Removed in 3.0.0.
ok: [testhost]
[DEPRECATION WARNING]: ANSIBLE_COLLECTIONS_PATHS option, use the singular form ANSIBLE_COLLECTIONS_PATH instead. Removed in 2.23.
[DEPRECATION WARNING]: Passing `warnings` to `exit_json` is deprecated. This feature will be removed from the module API in ansible-core version 2.23.
[DEPRECATION WARNING]: Conditional result (True) was derived from value of type 'str'. This feature will be removed from ansible-core in version 2.23.
Origin: /tmp/x/ansible_collections/alicloud/oss/tests/integration/targets/flow/tasks/main.yml:12:7
  when: "x"
TASK [next] ****
[DEPRECATION WARNING]: The 'foo' option of module 'alicloud.oss.cname' is deprecated. Removed in 3.0.0.
"""


def test_warnings_are_found_once_with_their_origin():
    found = deprecations.warnings(OUTPUT)
    assert len(found) == 4
    assert found[3].splitlines()[1].startswith("Origin: ")
    assert found[3].splitlines()[2] == '  when: "x"'


def test_core_settings_are_not_ours():
    ours, core = deprecations.split(OUTPUT)
    assert len(ours) == 3 and len(core) == 1
    assert core[0].startswith("[DEPRECATION WARNING]: ANSIBLE_COLLECTIONS_PATHS")
    assert any("module API" in w for w in ours)


def test_no_warnings():
    assert deprecations.split("PLAY RECAP\n[WARNING]: something else\n") == ([], [])
