"""Exact-value redaction (JSON escapes, line breaks) and the gitleaks rule import."""

from __future__ import annotations

import json
import re

import pytest

from aegis_addons.detect.exact import CATEGORY, ExactValueError, ExactValueMatcher
from aegis_addons.detect.gitleaks import GoRegexError, go_regex_to_python, load_gitleaks_rules
from aegis_addons.detect.pii import PiiDetector
from aegis_addons.paths import PROJECT_ROOT

SECRET = 'Pr0d-"db"\\pass/é-2024'


def spans(matcher: ExactValueMatcher, text: str) -> list[str]:
    return [text[f.start:f.end] for f in matcher.scan(text)]


@pytest.mark.parametrize("encoded", [
    SECRET,
    json.dumps(SECRET)[1:-1],                       # \" and \\ escapes, é literal
    json.dumps(SECRET, ensure_ascii=True)[1:-1],    # é as \u00e9
    json.dumps(SECRET).replace("/", "\\/")[1:-1],   # escaped solidus
    "Pr0d-\\u0022db\\u0022\\u005Cpass/\\u00E9-2024",  # every character may be a \uXXXX escape
])
def test_exact_value_in_any_json_encoding(encoded):
    matcher = ExactValueMatcher([SECRET])
    text = f'{{"args": "login --password {encoded} --host db"}}'
    assert spans(matcher, text) == [encoded]
    match, = matcher.matches(text)
    assert match.value == SECRET and match.finding.category == CATEGORY


@pytest.mark.parametrize("wrapped", [
    "Pr0d-\"db\"\\pa\nss/é-2024",
    "Pr0d-\"db\"\\pa\r\n    ss/é-2024",
    "Pr0d-\\\"db\\\"\\\\pa\\n  ss\\/é-2024",  # JSON-escaped newline inside a JSON string
])
def test_exact_value_split_across_lines(wrapped):
    assert spans(ExactValueMatcher([SECRET]), f"x = {wrapped};") == [wrapped]


def test_exact_value_not_found_when_only_part_is_present():
    matcher = ExactValueMatcher(["hunter2-prod-db"])
    assert matcher.scan("hunter2-prod is not the whole value") == []
    assert matcher.scan("") == []


def test_longer_value_wins_over_a_contained_one():
    matcher = ExactValueMatcher(["abcdef", "abcdef-ghijkl"])
    assert spans(matcher, "x abcdef-ghijkl y abcdef") == ["abcdef-ghijkl", "abcdef"]


def test_detail_names_the_value_by_position_only():
    matcher = ExactValueMatcher(["first-secret", "second-secret"])
    finding, = matcher.scan("use second-secret")
    assert finding.detail == "configured secret value #2" and "second-secret" not in finding.detail


@pytest.mark.parametrize("values", [["12345"], [""], ["   "]])
def test_short_or_empty_values_are_refused(values):
    with pytest.raises(ExactValueError, match="6 characters|non-empty"):
        ExactValueMatcher(values)


# --- gitleaks --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("go", "python"), [
    (r"(?i)abc", r"(?i)abc"),
    (r"key(?i)(abc|def)", r"key(?i:(abc|def))"),
    (r"(x(?i)ab|cd)e", r"(x(?i:ab|cd))e"),
    (r"a(?-i)b", r"a(?-i:b)"),
    (r"token\z", r"token\Z"),
    (r"[[:alnum:]_]{8}", r"[0-9A-Za-z_]{8}"),
    (r"(?<name>\d+)", r"(?P<name>\d+)"),
    (r"(?<!x)y", r"(?<!x)y"),
    (r"[]a]\(?i\)", r"[]a]\(?i\)"),
    (r"\Qa.b\E+", r"a\.b+"),
])
def test_go_regex_translation(go, python):
    assert go_regex_to_python(go) == python
    re.compile(python)


def test_untranslatable_go_regex():
    with pytest.raises(GoRegexError):
        go_regex_to_python(r"\p{Greek}+")


GITLEAKS_TOML = r"""
[allowlist]
regexes = ['''^EXAMPLE''']
stopwords = ["dummy"]

[[rules]]
id = "acme-token"
regex = '''(?i)acme[_-]?token\s*=\s*(?i)["']?([a-z0-9]{24})'''
secretGroup = 1
keywords = ["acme"]
entropy = 3.0
[rules.allowlist]
regexes = ['''^0+$''']

[[rules]]
id = "widget-key"
regex = '''\b(wk_[A-Za-z0-9]{20})\b'''
keywords = ["wk_"]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''test fixture''']

[[rules]]
id = "cert-file"
path = '''\.p12$'''

[[rules]]
id = "greek"
regex = '''\p{Greek}{10}'''
"""


def test_gitleaks_import_semantics(tmp_path):
    path = tmp_path / "gitleaks.toml"
    path.write_text(GITLEAKS_TOML)
    imported = load_gitleaks_rules(path)
    assert [r.id for r in imported.rules] == ["acme-token", "widget-key"]
    assert dict(imported.skipped).keys() == {"cert-file", "greek"}
    detector = PiiDetector(packs=(), extra_rules=imported.rules, seed_phrases=False)

    def cats(text):
        return [(f.category, text[f.start:f.end]) for f in detector.scan(text)]

    assert cats('ACME_TOKEN = "x8Hk2Lq9Zp4Rt7Vw1Yb3Nc6M"') == [("secret.acme-token", "x8Hk2Lq9Zp4Rt7Vw1Yb3Nc6M")]
    assert cats("acme_token = 000000000000000000000000") == []        # rule allowlist
    assert cats("acme_token = aaaaaaaaaaaaaaaaaaaaaaaa") == []        # entropy
    assert cats("acme_token = EXAMPLEx8Hk2Lq9Zp4Rt7Vw1Y") == []        # global allowlist regex
    assert cats("acme_token = x8Hk2dummyRt7Vw1Yb3Nc6M00") == []        # global stopword
    assert cats("key wk_Gq0pbqfi14ZgTsNOVM14") == [("secret.widget-key", "wk_Gq0pbqfi14ZgTsNOVM14")]
    assert cats("test fixture: wk_Gq0pbqfi14ZgTsNOVM14") == []          # line allowlist


SHARED_GITLEAKS = PROJECT_ROOT.parent / "shared" / "gitleaks.toml"


@pytest.mark.skipif(not SHARED_GITLEAKS.exists(), reason="../shared/gitleaks.toml not available")
def test_default_gitleaks_config_imports():
    imported = load_gitleaks_rules(SHARED_GITLEAKS)
    total = len(imported.rules) + len(imported.skipped)
    assert total == 222
    assert len(imported.rules) >= 215, imported.skipped
    assert all(reason for _, reason in imported.skipped)
    detector = PiiDetector(packs=(), extra_rules=imported.rules, seed_phrases=False)
    text = "export GITHUB_TOKEN=ghp_8HKQDLM7ToThwNScgrLRWzBQCABugjMgeP7c"
    assert [text[f.start:f.end] for f in detector.scan(text)] == ["ghp_8HKQDLM7ToThwNScgrLRWzBQCABugjMgeP7c"]
    assert detector.scan("nothing secret in this sentence at all") == []
