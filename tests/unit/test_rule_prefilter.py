"""RulePrefilter picks exactly the rules whose own prefilter (`applies_to`) passes, in rule order."""

from __future__ import annotations

import re

import pytest

from aegis_addons.detect.pii import PiiDetector
from aegis_addons.detect.rulepack import RegexRule, RulePrefilter, keyword_led


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


@pytest.mark.parametrize(("regex", "keywords", "led"), [
    (r"\bsk-ant-(?:api|admin)\d", ["sk-ant-"], True),
    (r"(?i)\bSG\.[A-Za-z0-9]{16}", ["sg."], True),            # compared lower-cased
    (r"(?<![\w-])(?=x)sk-\w+", ["sk-"], True),                 # look-arounds are zero width
    (r"(?m)^(?:xoxb|xoxp)-\d+", ["xox"], True),                # every alternative begins with a keyword
    (r"(?:(?:ab)c|abd)", ["ab"], True),
    (r"(?:a|b)x", ["a"], False),                               # one alternative does not
    (r"x?sk-", ["sk-"], False),                                # an optional part first
    (r"(?:sk-|)x", ["sk-"], False),                            # an empty alternative
    (r"\w+sk-", ["sk-"], False),                               # a repeat first
    (r"sk-", [], False),                                       # no keywords: nothing to lead
    (r"token[:=]", ["oken"], False),                           # the keyword starts later than the match
])
def test_keyword_led(regex, keywords, led):
    assert keyword_led(re.compile(regex), keywords) is led


def test_keyword_led_rules_start_every_example_match_at_a_keyword():
    """A rule read as keyword-led is tried only at its keywords where they are rare: a wrong reading
    would lose matches. Every match in every example of such a rule must start at a keyword."""
    detector = PiiDetector(relaxed=True)
    led = [r for r in detector.rules if r.keyword_led]
    assert len(led) > 100
    for rule in led:
        for text in rule.examples.get("match", []):
            lowered = text.lower()
            for m in rule.pattern.finditer(text):
                assert lowered.startswith(rule.keywords, m.start()), (rule.id, text, m.start())


def test_keyword_positions_and_finditer_agree_for_rare_and_common_keywords():
    rule = RegexRule(id="sk", category="secret.x", pattern=re.compile(r"\bsk-[A-Za-z0-9]{8}\b"), keywords=("sk-",),
                     keyword_led=True)
    rare = "prose " * 50 + "sk-Ab3dEf9H and sk-Zz9yXw8V " + "prose " * 50
    common = " ".join(["sk-x", "sk-Ab3dEf9H"] * 200)
    for text in (rare, common):
        expected = [(m.start(), m.end()) for m in rule.pattern.finditer(text)]
        assert [(f.start, f.end) for f in rule.scan(text)] == expected
    assert rule._keywords_rare(rare.lower()) and not rule._keywords_rare(common.lower())


@pytest.mark.parametrize("text", [
    "# private key rotation\nPRİVATE_KEY=0x187a6ef44cad3ef6ef46112d623d2909fc47367c4d13f0aee5dbc40ba4299f74",
    "-- identified by\nCREATE USER app İDENTIFIED BY 'Sq1pa5sW0rD';",
    'set(A "x")\nſet(TELEMETRY_API_KEY "ef87aada66022a4aa64159f6a8b39c75")',
    "İ sk-ant-api03-" + "A" * 93 + "AA",
])
def test_letters_case_insensitive_matching_folds_to_ascii_lose_no_match(text):
    """`(?i)` reads `ſ` as `s` and `ı`/`İ` as `i`; the keyword search must too, or a keyword-led rule
    (tried only where its keyword occurs) loses the match."""
    slow = PiiDetector()  # every rule over the whole text: no keyword-led shortcut
    for rule in slow.rules:
        rule.keyword_led = False
    expected = {(f.start, f.end) for f in slow.scan(text)}
    assert expected
    assert {(f.start, f.end) for f in PiiDetector().scan(text)} == expected
    # and a rule scanned on its own, without a lower-cased text given
    for rule in PiiDetector().rules:
        if rule.keyword_led and rule.validator is None and rule.pattern.search(text):
            assert rule.scan(text), rule.id
