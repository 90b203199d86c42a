# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Start the OSS emulator with its wall clock shifted, to play a client whose clock is off.

Usage: python skewed_emulator.py <seconds> [serve.py options]

The control endpoint's clock route moves only the emulator's service clock (token and STS expiry), not the
clock it checks request signatures against, so a skewed client cannot be played through it. This launcher
shifts the emulator's notion of "now" instead; to the emulator, a client that signs with the real time is then
<seconds> behind.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

EMULATOR_DIR = Path(__file__).resolve().parent.parent / "emulator"


def main(argv: list) -> int:
    skew = datetime.timedelta(seconds=float(argv[0]))
    sys.path.insert(0, str(EMULATOR_DIR))
    from ossemu import timefmt  # pylint: disable=import-outside-toplevel

    real_utcnow = timefmt.utcnow
    # Clock() binds timefmt.utcnow when it is created, so this must happen before the emulator starts.
    timefmt.utcnow = lambda: real_utcnow() + skew
    from ossemu.cli import main as serve  # pylint: disable=import-outside-toplevel

    return serve(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
