# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local Alibaba Cloud OSS emulator for the five bucket CNAME operations (see tests/emulator/README.md).

Credential and Emulator are loaded on first use, so that ossemu.process (the launcher, standard library only)
can be imported without the server's modules and their dependencies.
"""

import importlib
import typing

if typing.TYPE_CHECKING:
    from .auth import Credential
    from .server import Emulator

__all__ = ["Credential", "Emulator"]
_LAZY = {"Credential": ".auth", "Emulator": ".server"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
