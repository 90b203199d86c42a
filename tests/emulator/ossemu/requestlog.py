# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The request log: one JSON object per OSS or DNS request, kept in memory and optionally appended to a JSON-lines file.

Entries never hold bodies, secrets or PEM: only routing facts, status and timing.
"""

import json
import threading

FIELDS = (
    "time",
    "request_id",
    "service",
    "operation",
    "action",
    "method",
    "path",
    "query",
    "bucket",
    "key",
    "domain",
    "status",
    "code",
    "duration_ms",
    "access_key_id",
    "signature_version",
    "addressing",
    "fault",
    "cert_action",
    "cert_fields",
    "params",
)


class RequestLog:
    def __init__(self, path=None):
        self._lock = threading.Lock()
        self._entries = []
        self._stream = open(path, "a", encoding="utf-8") if path else None

    def append(self, entry):
        entry = {field: entry.get(field) for field in FIELDS}
        with self._lock:
            self._entries.append(entry)
            if self._stream is not None:
                self._stream.write(json.dumps(entry, sort_keys=True) + "\n")
                self._stream.flush()

    def entries(self):
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self):
        with self._lock:
            self._entries.clear()

    def close(self):
        with self._lock:
            if self._stream is not None:
                self._stream.close()
                self._stream = None
