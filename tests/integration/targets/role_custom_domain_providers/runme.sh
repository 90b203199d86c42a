#!/usr/bin/env bash
# The role's Route 53 and Cloudflare paths, against stand-ins of those modules (fake_collections/) and the emulator.
set -eu
FAKE_DNS_STORE="$(mktemp)"
export FAKE_DNS_STORE
trap 'rm -f "$FAKE_DNS_STORE"' EXIT
export ANSIBLE_COLLECTIONS_PATH="$PWD/fake_collections${ANSIBLE_COLLECTIONS_PATH:+:$ANSIBLE_COLLECTIONS_PATH}"
ansible-playbook providers.yml -i ../../inventory -e @../../integration_config.yml "$@"
