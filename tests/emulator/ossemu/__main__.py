# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`python -m ossemu` (with tests/emulator on sys.path) is the same as tests/emulator/serve.py."""

import sys

from .cli import main

sys.exit(main())
