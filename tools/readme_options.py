"""Write each command's option table into README.md from its declaration in cnncalc/layers.

    python tools/readme_options.py          # rewrite the tables between <!-- options: NAME --> markers
    python tools/readme_options.py --check  # exit 1 if the README differs (tests/test_registry.py checks it too)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from cnncalc.layers import COMMANDS
from cnncalc.layers.docs import marked_table

README = Path(__file__).resolve().parent.parent / "README.md"
MARKED = re.compile(r"<!-- options: (\w+) -->\n.*?<!-- /options -->", re.S)


def rewritten(text: str) -> str:
    return MARKED.sub(lambda match: marked_table(COMMANDS[match.group(1)]), text)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    new = rewritten(text)
    if "--check" in sys.argv:
        return int(new != text)
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
