# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print the microseconds to import the modules named in argv[1] (comma-separated) once ansible.module_utils.basic and
the modules in argv[2] are loaded: their own cost."""

import importlib
import sys
import time

# Loaded first, on purpose: the cost measured is what comes on top of it.
import ansible.module_utils.basic  # noqa: F401  # pylint: disable=unused-import

for name in sys.argv[2].split(","):
    importlib.import_module(name)
start = time.perf_counter()
for name in sys.argv[1].split(","):
    importlib.import_module(name)
print((time.perf_counter() - start) * 1e6)
