"""RulePrefilter picks exactly the rules whose own prefilter (`applies_to`) passes, in rule order."""

from __future__ import annotations

import re

import pytest

from aegis_addons.detect.pii import PiiDetector
from aegis_addons.detect.rulepack import RegexRule, RulePrefilter


def _rule(rule_id: str, keywords=(), context=(), requires_context=False) -> RegexRule:
    return RegexRule(id=rule_id, category="secret.x", pattern=re.compile("x"), keywords=tuple(keywords),
                     context=tuple(context), requires_context=requires_context)


RULES = [
    _rule("no_prefilter"),
    _rule("password", keywords=["password", "passwd"]),
    _rule("pass_inside_word", keywords=["pass"]),
    _rule("needs_context", keywords=["token"], context=["slack", "bot"], requires_context=True),
    _rule("context_only", context=["iban", "bank"], requires_context=True),
    _rule("context_not_required", keywords=["ssn"], context=["social"]),
    _rule("overlapping_keywords", keywords=["key_id"]),
    _rule("chinese", keywords=["密码"]),
]


@pytest.mark.parametrize("text", [
    "",
    "nothing to see here",
    "the password is on file",                  # `pass` occurs inside `password`
    "a token with no context",                  # keyword without its required context word
    "a slack token",
    "the bank and the iban",
    "ssn only, no social word",
    "api_key_id=3",                             # `key_id` overlaps `api_key`
    "数据库密码",
    "passwd token bot bank ssn key_id 密码",
])
def test_candidates_equal_applies_to(text):
    prefilter = RulePrefilter(RULES)
    lowered = text.lower()
    assert [r.id for r in prefilter.candidates(lowered)] == [r.id for r in RULES if r.applies_to(lowered)]


def test_candidates_equal_applies_to_for_the_shipped_packs():
    detector = PiiDetector()
    texts = ["plain prose about build caches", "export AWS_SECRET_ACCESS_KEY=abc", "IBAN DE89 3704 0044 0532 0130 00",
             "call me at +1 415 555 0100", "密码：Zq9vT2kLp8", "-----BEGIN RSA PRIVATE KEY-----"]
    for text in texts:
        lowered = text.lower()
        chosen = [r.id for r in detector._prefilter.candidates(lowered)]
        assert chosen == [r.id for r in detector.rules if r.applies_to(lowered)]
    # prose names almost no rule; a text with a secret word names the rules of that word
    assert len(detector._prefilter.candidates("plain prose about build caches")) < len(detector.rules) // 5
