# Development entry points. `make test` and `make demo` do all set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The oldest ansible-core that meta/runtime.yml claims, for the units-oldest and integration-oldest stages.
VENV_OLDEST := .venv-oldest
STAMP_OLDEST := $(VENV_OLDEST)/.installed
# ansible-test and ansible-playbook need the tree under ansible_collections/<namespace>/<name>.
COLL_ROOT := .tmp/collections
COLL_LINK := $(COLL_ROOT)/ansible_collections/alicloud/oss
# Extra options for hack/run_tests.py, e.g. `make sanity ARGS="--sanity-test pep8"` (see docs/development.md).
ARGS ?=

.PHONY: all venv venv-oldest test units units-oldest emulator-tests integration integration-oldest reliability artifact sanity lint docs-lint \
	demo bench build clean clean-cache constraints

all: test

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --disable-pip-version-check --upgrade pip==24.2
	$(VPY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-dev.txt
	touch $@

venv: $(STAMP)

$(STAMP_OLDEST): requirements-oldest.txt
	$(PYTHON) -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==24.2
	$(VENV_OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-oldest.txt
	touch $@

venv-oldest: $(STAMP_OLDEST)

$(COLL_LINK):
	mkdir -p $(dir $@)
	ln -sfn "$(CURDIR)" $@

test: $(STAMP) $(STAMP_OLDEST) $(COLL_LINK)
	$(VPY) hack/run_tests.py --all $(ARGS)

units: $(STAMP) $(COLL_LINK)
	$(VPY) hack/run_tests.py units $(ARGS)

units-oldest: $(STAMP) $(STAMP_OLDEST) $(COLL_LINK)
	$(VPY) hack/run_tests.py units-oldest $(ARGS)

emulator-tests: $(STAMP) $(COLL_LINK)
	$(VPY) hack/run_tests.py emulator $(ARGS)

integration: $(STAMP) $(COLL_LINK)
	$(VPY) hack/run_tests.py integration $(ARGS)

integration-oldest: $(STAMP) $(STAMP_OLDEST) $(COLL_LINK)
	$(VPY) hack/run_tests.py integration-oldest $(ARGS)

reliability: $(STAMP) $(COLL_LINK)
	$(VPY) hack/run_tests.py reliability $(ARGS)

# Build the collection tarball, install it into a temporary collections path and run the demo from the installed copy.
artifact: $(STAMP)
	$(VPY) hack/run_tests.py artifact $(ARGS)

sanity: $(STAMP)
	$(VPY) hack/run_tests.py sanity $(ARGS)

lint: $(STAMP)
	$(VPY) hack/run_tests.py lint $(ARGS)

docs-lint: $(STAMP) $(COLL_LINK)
	$(VPY) hack/run_tests.py docs $(ARGS)

demo: $(STAMP) $(COLL_LINK)
	$(VPY) hack/demo.py

bench: $(STAMP) $(COLL_LINK)
	$(VPY) hack/bench/run.py

build: $(STAMP)
	$(VENV)/bin/ansible-galaxy collection build --force --output-path build/

# Refresh the full pin set after changing a top-level pin in requirements*.txt.
constraints:
	rm -rf .tmp/constraints-venv
	$(PYTHON) -m venv .tmp/constraints-venv
	.tmp/constraints-venv/bin/pip install --quiet --upgrade pip==24.2
	.tmp/constraints-venv/bin/pip install --quiet -r requirements-dev.txt
	{ echo "# Full pin set for the development venv, from 'pip freeze' of a venv built from requirements-dev.txt."; \
	  echo "# Regenerate with 'make constraints' after changing a top-level pin."; \
	  .tmp/constraints-venv/bin/pip freeze; } > constraints.txt

clean:
	rm -rf .tmp build tests/output .pytest_cache

# Also drop the project-local HOME of ansible-test (cached sanity venvs; the next sanity run rebuilds them).
clean-cache: clean
	rm -rf .cache
