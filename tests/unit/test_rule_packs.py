"""Structural checks over every YAML rule pack: a keyword prefilter must be reachable by its regex.

A rule only runs on text that contains one of its keywords. A keyword that no match of the regex can
contain (a typo such as `tlrmtvnttuaad` for `TlRMTVNTUAAD`) silently disables the rule, and a rule
without examples gives no other sign of it. Here strings are generated from each regex (rstr) and at
least one of them must contain a keyword.
"""

from __future__ import annotations

import random
import re

import pytest
import rstr

from aegis_addons.detect.rulepack import RulePackError, load_rule_pack, read_rule_pack
from aegis_addons.paths import RULES_DIR

PACKS = ["pii", "secrets", "infra", "danger", "injection"]
SAMPLES_PER_RULE = 40


def _rules(pack: str) -> list[dict]:
    return read_rule_pack(RULES_DIR / f"{pack}.yaml")[1]  # fragments written out, as the loader compiles them


def _samples(regex: str, count: int, seed: int) -> list[str] | None:
    """Strings generated from `regex`, or None when the generator does not support its syntax
    (possessive repeats, some look-arounds)."""
    generator = rstr.Rstr(random.Random(seed))
    try:
        return [generator.xeger(regex) for _ in range(count)]
    except Exception:  # noqa: BLE001 - unsupported syntax: sre_parse-level errors of several types
        return None


@pytest.mark.parametrize("pack", PACKS)
def test_every_keyword_prefilter_is_reachable(pack):
    unreachable, checked, unsupported = [], 0, []
    for rule in _rules(pack):
        keywords = [k.lower() for k in rule.get("keywords") or []]
        # Rules gated by context words take their keywords from the context, not from the match.
        if not keywords or rule.get("requires_context"):
            continue
        samples = _samples(rule["regex"], SAMPLES_PER_RULE, seed=len(rule["id"]))
        if samples is None:  # possessive repeats etc.: these rules rely on their `examples`
            unsupported.append(rule["id"])
            assert (rule.get("examples") or {}).get("match"), f"{rule['id']}: neither generated nor exemplified"
            continue
        checked += 1
        if not any(keyword in sample.lower() for sample in samples for keyword in keywords):
            unreachable.append(f"{rule['id']}: keywords {keywords} in none of e.g. {samples[:2]!r}")
    assert not unreachable, "\n".join(unreachable)
    assert checked >= {"infra": 1}.get(pack, 5), f"only {checked} rules of {pack} could be checked"
    assert len(unsupported) <= checked // 10, f"too many rules the generator cannot read: {unsupported}"


def test_the_check_catches_a_keyword_typo():
    samples = _samples(r"\bTlRMTVNTUAAD[A-Za-z0-9+/]{40,}={0,2}", SAMPLES_PER_RULE, seed=1)
    assert samples and all(re.match(r"TlRMTVNTUAAD", s) for s in samples)
    assert not any("tlrmtvnttuaad" in s.lower() for s in samples)
    assert all("tlrmtvntuaad" in s.lower() for s in samples)


def _pack(tmp_path, text: str):
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rule_pack(path)


def test_fragments_are_written_out_in_a_group(tmp_path):
    rules = _pack(tmp_path, """
family: secret
fragments:
  word: 'pass|pwd'
  name: '\\w*(?&word)'
rules:
  - id: one
    regex: '(?&name)=(\\w+)'
    group: 1
""")
    assert rules[0].pattern.pattern == r"(?:\w*(?:pass|pwd))=(\w+)"
    assert [m.group(1) for m in rules[0].pattern.finditer("db_pwd=Zq9 x=1 user_pass=Tk2")] == ["Zq9", "Tk2"]


@pytest.mark.parametrize("text, message", [
    ("rules:\n  - id: one\n    category: secret.x\n    regex: '(?&nothing)'\n", "unknown fragment 'nothing'"),
    ("fragments:\n  a: '(?&b)'\n  b: 'x'\nrules: []\n", "unknown fragment 'b'"),  # only fragments above
    ("fragments: [x]\nrules: []\n", "'fragments' must map names to regex strings"),
])
def test_bad_fragments_are_refused(tmp_path, text, message):
    with pytest.raises(RulePackError, match=re.escape(message)):
        _pack(tmp_path, text)
