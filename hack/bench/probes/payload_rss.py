# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one AnsiballZ payload (argv[1:]) in a child and print its wall time and peak RSS as JSON. Started fresh for every
measurement, so that RUSAGE_CHILDREN holds that child alone."""

import json
import resource
import subprocess
import sys
import time

start = time.perf_counter()
done = subprocess.run([sys.executable] + sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
seconds = time.perf_counter() - start
print(
    json.dumps(
        {
            "rc": done.returncode,
            "seconds": seconds,
            "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            "stdout": done.stdout.decode("utf-8", "replace")[-4000:],
            "stderr": done.stderr.decode("utf-8", "replace")[-4000:],
        }
    )
)
