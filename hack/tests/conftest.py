"""The tests of hack/: hack/ is importable as the directory holding noxsupport."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
