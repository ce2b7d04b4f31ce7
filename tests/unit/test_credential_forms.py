"""Ratchet over the credential-form probe set (scripts/eval_credential_forms.py): what is caught now must
stay caught, no more secrets may be left in part, no more look-alikes redacted."""

from __future__ import annotations

import sys

from aegis_addons.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

from eval_credential_forms import run  # noqa: E402

# Known and accepted: a truncated PEM key (no END line) leaves its last short line, a password holding a
# backquote ends at it (Markdown code); a Stripe publishable key and an Ethereum address are redacted on
# purpose (the `password@host` of a URL is no longer read as an e-mail address).
MAX_PARTIAL, MAX_REDACTED_LOOKALIKES, MIN_CAUGHT = 1, 2, 752


def test_credential_forms_ratchet():
    results, redacted = run()
    assert len(results["partial"]) <= MAX_PARTIAL, results["partial"]
    assert len(redacted) <= MAX_REDACTED_LOOKALIKES, redacted
    assert len(results["caught"]) >= MIN_CAUGHT
