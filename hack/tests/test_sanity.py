from noxsupport import sanity

JUNIT = """<?xml version="1.0" ?>
<testsuites><testsuite name="ansible-test">
<testcase name="{name}" classname="sanity">{body}</testcase>
</testsuite></testsuites>
"""


def write(directory, name, body=""):
    (directory / ("ansible-test-sanity-%s.xml" % name)).write_text(JUNIT.format(name=name, body=body))


def test_read_and_assess_clean(tmp_path):
    write(tmp_path, "pep8")
    write(tmp_path, "shellcheck", '<skipped message="No tests applicable."/>')
    results = sanity.read_junit(tmp_path)
    problems, notes = sanity.assess(results, ["pep8", "shellcheck"], "")
    assert problems == []
    assert "not applicable (no files to check): shellcheck" in notes


def test_skips_failures_missing_and_warnings(tmp_path):
    write(tmp_path, "pep8", '<failure message="x"/>')
    write(tmp_path, "import-3.13", '<skipped message="Python 3.13 not found"/>')
    write(tmp_path, "shellcheck", '<skipped message="No tests applicable."/>')
    output = 'WARNING: Required program "shellcheck" not found.\nERROR: plugins/x.py:1:2: E501 too long\n'
    problems, notes = sanity.assess(sanity.read_junit(tmp_path), ["pep8", "pylint", "shellcheck"], output)
    text = "\n".join(problems)
    assert "failed: pep8" in text
    assert "import-3.13 (Python 3.13 not found)" in text
    assert 'shellcheck (required program "shellcheck" not found)' in text
    assert "without a result: pylint" in text
    assert "warned" in text
    assert "plugins/x.py:1:2: E501 too long" in notes


def test_no_results_is_a_problem(tmp_path):
    problems, _notes = sanity.assess(sanity.read_junit(tmp_path), [], "")
    assert problems == ["no sanity results (junit) found"]


def test_listed_tests():
    assert sanity.listed_tests("WARNING: x\npep8\nvalidate-modules\n\n") == ["pep8", "validate-modules"]


def test_stand_in_is_installed_and_foreign_file_kept(tmp_path):
    stand_in = tmp_path / "get_pip_offline.py"
    stand_in.write_text("# %s\n" % sanity.STAND_IN_MARKER)
    cache = tmp_path / "cache"
    notes = sanity.install_get_pip_stand_in(cache, ["24.2", "25.2"], stand_in)
    assert len(notes) == 2 and (cache / "get_pip_25_2.py").read_text() == stand_in.read_text()
    assert sanity.install_get_pip_stand_in(cache, ["24.2"], stand_in) == []
    (cache / "get_pip_24_2.py").write_text("a real get-pip")
    assert "kept the existing" in sanity.install_get_pip_stand_in(cache, ["24.2"], stand_in)[0]
    assert (cache / "get_pip_24_2.py").read_text() == "a real get-pip"


def test_ignore_entries(tmp_path):
    (tmp_path / "tests" / "sanity").mkdir(parents=True)
    (tmp_path / "tests" / "sanity" / "ignore-2.19.txt").write_text("# comment\n\nplugins/x.py pep8!skip\n")
    assert sanity.ignore_entries(tmp_path) == ["ignore-2.19.txt: plugins/x.py pep8!skip"]
