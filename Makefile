# Development entry points. `make test` and `make demo` do all set-up on a fresh machine (docs/development.md).
SHELL := /bin/bash
PYTHON ?= python3
# The runner venv: nox only. Every test session builds its own venv under .nox/ from constraints/.
VENV := .venv
STAMP := $(VENV)/.installed
NOX := $(VENV)/bin/nox
# The demo's venv: ansible-core and the modules' requirements, nothing else.
DEMO_VENV := .venv-demo
DEMO_STAMP := $(DEMO_VENV)/.installed
COLL_LINK := .tmp/collections/ansible_collections/alicloud/oss
REPORT := .tmp/nox-report.json
# Extra nox options, e.g. `make units NOX_ARGS="-- -k signer"` (arguments after -- go to the session's tool).
NOX_ARGS ?=
PIP_INSTALL = -m pip install --quiet --disable-pip-version-check

.PHONY: all venv test units units-oldest emulator-tests integration integration-oldest reliability artifact sanity lint docs-lint tooling prerelease session \
	demo bench build clean clean-cache

all: test

$(STAMP): constraints/nox.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python $(PIP_INSTALL) -r constraints/nox.txt
	touch $@

venv: $(STAMP)

# Every default session; sanity runs beside the others (-j 2). The last line counts sessions: N passed, N failed.
test: $(STAMP)
	@mkdir -p .tmp; rm -f $(REPORT); started=$$(date +%s); \
	$(NOX) -j 2 --report $(REPORT) $(NOX_ARGS); nox_status=$$?; \
	$(VENV)/bin/python hack/noxsupport/summary.py $(REPORT) $$(( $$(date +%s) - started )); summary_status=$$?; \
	test $$nox_status -eq 0 -a $$summary_status -eq 0

# The newest tested ansible-core (2.21) and the oldest claimed (2.17); `make session S=units-2.19` runs any session.
units: $(STAMP)
	$(NOX) -s units-2.21 $(NOX_ARGS)
units-oldest: $(STAMP)
	$(NOX) -s units-2.17 $(NOX_ARGS)
emulator-tests: $(STAMP)
	$(NOX) -s emulator $(NOX_ARGS)
integration: $(STAMP)
	$(NOX) -s integration-2.21 $(NOX_ARGS)
integration-oldest: $(STAMP)
	$(NOX) -s integration-2.17 $(NOX_ARGS)
reliability: $(STAMP)
	$(NOX) -s reliability $(NOX_ARGS)
artifact: $(STAMP)
	$(NOX) -s artifact $(NOX_ARGS)
sanity: $(STAMP)
	$(NOX) -s sanity $(NOX_ARGS)
lint: $(STAMP)
	$(NOX) -s lint $(NOX_ARGS)
docs-lint: $(STAMP)
	$(NOX) -s docs $(NOX_ARGS)
tooling: $(STAMP)
	$(NOX) -s tooling $(NOX_ARGS)
bench: $(STAMP)
	$(NOX) -s bench $(NOX_ARGS)
# The newest ansible-core pre-release (units, integration, sanity): before a release; not part of `make test`.
prerelease: $(STAMP)
	$(NOX) -t prerelease $(NOX_ARGS)
session: $(STAMP)
	$(NOX) -s $(S) $(NOX_ARGS)

$(DEMO_STAMP): requirements.txt constraints/ansible-core-2.19.txt
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python $(PIP_INSTALL) -c constraints/ansible-core-2.19.txt ansible-core -r requirements.txt
	touch $@

$(COLL_LINK):
	mkdir -p $(dir $@)
	ln -sfn "$(CURDIR)" $@

demo: $(DEMO_STAMP) $(COLL_LINK)
	$(DEMO_VENV)/bin/python hack/demo.py

build: $(DEMO_STAMP)
	$(DEMO_VENV)/bin/ansible-galaxy collection build --force --output-path build/

clean:
	rm -rf .tmp build tests/output .pytest_cache

# Also drop the session venvs and the project-local HOME of ansible-test (cached sanity venvs).
clean-cache: clean
	rm -rf .nox .cache
