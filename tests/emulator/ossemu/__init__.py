# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local Alibaba Cloud OSS emulator for the five bucket CNAME operations (see tests/emulator/README.md)."""

from .auth import Credential
from .server import Emulator

__all__ = ['Credential', 'Emulator']
