# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print, as JSON, the marginal import cost of the module argv[1] once the modules in argv[2] (comma-separated) are loaded."""

import importlib
import json
import sys
import time

for name in sys.argv[2].split(","):
    if name:
        importlib.import_module(name)
before = set(sys.modules)
start = time.perf_counter()
importlib.import_module(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({"us": seconds * 1e6, "loaded": sys.argv[1] in before, "new": sorted(set(sys.modules) - before)}))
