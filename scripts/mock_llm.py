#!/usr/bin/env python3
"""Run the mock LLM upstream (OpenAI Chat / Responses, Anthropic Messages) for demos and benchmarks.

    python scripts/mock_llm.py --port 9000 [--host 127.0.0.1] [--reply TEXT] [--echo] [--delay-ms N] ...

See aegis_addons/mock_upstream.py for the endpoints and the per-request x-mock-* headers.
"""

import sys
from pathlib import Path

# Runs from a checkout even when the package is not installed into the interpreter.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aegis_addons.mock_upstream import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
