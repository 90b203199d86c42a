# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the OSS emulator: `.venv/bin/python tests/emulator/serve.py [--port 0] ...` (see README.md)."""

import importlib
import os
import sys


def run():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    return importlib.import_module("ossemu.cli").main()


if __name__ == "__main__":
    sys.exit(run())
