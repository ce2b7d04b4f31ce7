#!/usr/bin/env python3
"""Print the Markdown table of every `aegis_*` option, read from the addons themselves.

    .venv/bin/python scripts/options_table.py

The README's configuration reference is this output; tests/unit/test_readme.py checks that it
names every option.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def aegis_options() -> list[tuple[str, str, str, str]]:
    from mitmproxy.test import taddons

    from aegis_addons.bundle import make_addons

    rows = []
    with taddons.context(*make_addons(), loadcore=False) as tctx:
        for name, option in sorted(tctx.options.items()):
            if name.startswith("aegis_"):
                rows.append((name, option.typespec.__name__, repr(option.default), option.help))
    return rows


def main() -> int:
    print("| option (env var) | type | default | meaning |")
    print("|---|---|---|---|")
    for name, typ, default, help_text in aegis_options():
        print(f"| `{name}` (`{name.upper()}`) | {typ} | `{default}` | {help_text} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
