"""Ratchet over the synthetic sets of agent traffic (scripts/eval_agent_sets.py): what is caught now
must stay caught, and no more look-alikes may be touched."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from aegis_addons.detect.pii import PiiDetector
from aegis_addons.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

from eval_agent_sets import SETS, evaluate  # noqa: E402

# name: (min caught values, max partial values, max flagged negative rows, max touched keep values).
# Known and accepted among the touched: Stripe publishable keys and Google OAuth client ids are redacted
# on purpose, e-mail addresses in public keys and git output are personal data, a dotted version in
# brackets after a gem name reads like an address; in chat_prompts, example.com addresses, published
# test card numbers and the fictional 555 range are redacted like real ones (restored in the answer).
BOUNDS = {"agent_files": (547, 3, 7, 24), "pii_records": (1484, 1, 4, 7), "tables": (1393, 2, 2, 27),
          "source_code": (287, 0, 2, 22), "terminal_logs": (614, 0, 9, 23), "chat_prompts": (327, 0, 14, 28)}


@pytest.mark.parametrize("name", sorted(SETS))
def test_agent_set_ratchet(name):
    result = evaluate(SETS[name], PiiDetector())
    totals = Counter()
    for counts in result["per_type"].values():
        totals.update(counts)
    min_caught, max_partial, max_flagged, max_touched = BOUNDS[name]
    assert totals["caught"] >= min_caught
    assert totals["partial"] <= max_partial
    assert result["negatives"]["flagged"] <= max_flagged
    assert result["keep"]["touched"] <= max_touched
