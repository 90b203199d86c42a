# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the tests, the demo and the benchmark: one test-certificate factory (certs.py), one
ansible-playbook runner (playbook.py) and hostile loopback servers (hostile.py). hack/ scripts, the emulator and
reliability tests and the setup_oss_certificates integration target put tests/ on sys.path and import `support.certs`;
the unit tests import `ansible_collections.alicloud.oss.tests.support.certs`."""
