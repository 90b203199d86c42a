"""Deprecation warnings in an integration run: those the collection's own code causes fail the run.

ansible-core prints them as `[DEPRECATION WARNING]: <message>`, sometimes followed by indented lines or an
`Origin:` line. A warning is the collection's unless it is about ansible-core's own settings (a configuration
option, an ANSIBLE_* variable, ansible.cfg) and does not name the collection.
"""

from __future__ import annotations

import re

START = "[DEPRECATION WARNING]: "
OURS = re.compile(r"alicloud[./]oss\b|ansible_collections/alicloud/|tests/integration/targets/")
CORE_SETTINGS = re.compile(r"\b(configuration|config option|setting|ansible\.cfg|environment variable)\b|\bANSIBLE_[A-Z0-9_]+\b", re.I)


def warnings(output: str) -> list[str]:
    """Each deprecation warning of the output, with its continuation lines, once."""
    found: list[str] = []
    lines = output.splitlines()
    for index, line in enumerate(lines):
        position = line.find(START)
        if position < 0:
            continue
        block = [line[position:]]
        for following in lines[index + 1 :]:
            if not following.strip() or START in following or not (following[:1].isspace() or following.startswith(("Origin:", "Help:"))):
                break
            block.append(following)
        text = "\n".join(block)
        if text not in found:
            found.append(text)
    return found


def ours(warning: str) -> bool:
    """True when the collection's own code (modules, module_utils, test playbooks) caused the warning."""
    return bool(OURS.search(warning)) or not CORE_SETTINGS.search(warning)


def split(output: str) -> tuple[list[str], list[str]]:
    """(the collection's deprecation warnings, ansible-core's about its own settings)."""
    found = warnings(output)
    return [w for w in found if ours(w)], [w for w in found if not ours(w)]
