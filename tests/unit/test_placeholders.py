"""Placeholders: keyed and deterministic, restored only from their own session, also when streamed."""

from __future__ import annotations

import json
import random
import re

import pytest

from aegis_addons.detect.exact import ExactValueMatcher
from aegis_addons.detect.pii import PiiDetector
from aegis_addons.detect.placeholders import (
    PLACEHOLDER_RE,
    RedactionSession,
    Redactor,
    StreamRestorer,
    json_string_escape,
    kind_label,
    restore,
)

KEY = b"0123456789abcdef-gateway-key"
TEXT = ("Mail wang.fang@example.cn or call +1-984-182-0190. "
        "Deploy key ghp_8HKQDLM7ToThwNScgrLRWzBQCABugjMgeP7c, 身份证 11010519491231002X.")
VALUES = ["wang.fang@example.cn", "+1-984-182-0190", "ghp_8HKQDLM7ToThwNScgrLRWzBQCABugjMgeP7c",
          "11010519491231002X"]


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector()


@pytest.fixture
def redactor(detector) -> Redactor:
    return Redactor(KEY, detector)


def test_redact_replaces_every_value_with_a_labelled_placeholder(redactor):
    session = redactor.new_session()
    redacted = redactor.redact(TEXT, session)
    for value in VALUES:
        assert value not in redacted
    labels = [m["kind"] for m in PLACEHOLDER_RE.finditer(redacted)]
    assert labels == ["EMAIL", "PHONE", "GITHUB_TOKEN", "CN_RESIDENT_ID"]
    assert re.fullmatch(r"\[\[AEGIS:EMAIL:[0-9a-f]{8}\]\]", redacted.split()[1])
    assert session.categories == ["pii.cn_resident_id", "pii.email", "pii.phone", "secret.github_token"]
    assert len(session) == 4


def test_same_value_same_placeholder_across_turns_but_keyed(detector):
    a, b = Redactor(KEY, detector), Redactor(KEY, detector)
    turn1 = a.redact("write to wang.fang@example.cn", a.new_session())
    turn2 = b.redact("again wang.fang@example.cn please", b.new_session())
    assert turn1.split()[-1] == turn2.split()[1]
    other_key = Redactor(b"another-gateway-key-000", detector)
    assert other_key.redact("write to wang.fang@example.cn", other_key.new_session()) != turn1


def test_tag_depends_on_category(redactor):
    assert redactor.tag("pii.email", "x@y.org") != redactor.tag("pii.phone", "x@y.org")


def test_round_trip(redactor):
    session = redactor.new_session()
    redacted = redactor.redact(TEXT, session)
    assert restore(redacted, session) == (TEXT, 4, 0)
    assert (session.restored_count, session.unrestorable_count) == (4, 0)


@pytest.mark.parametrize("rewrite", [
    lambda p: p.lower(),
    lambda p: p.upper(),
    lambda p: p.strip("[]"),
    lambda p: p.replace("[[", "[").replace("]]", "]"),
    lambda p: p.replace("[[", "【").replace("]]", "】"),
    lambda p: p.replace("[[", "<").replace("]]", ">"),
    lambda p: p.replace(":", " : ").replace("[[", "[[ ").replace("]]", " ]]"),
    lambda p: p.replace(":", "_"),
    lambda p: p.replace(":", "-"),
    lambda p: p.replace("[", "\\[").replace("]", "\\]"),
    lambda p: p.replace("[", "\\[").replace("]", "\\]").replace(":", "\\_"),
], ids=["lower", "upper", "no-brackets", "single-brackets", "cjk-brackets", "angle", "spaces", "underscores",
        "dashes", "markdown-escaped", "markdown-escaped-underscores"])
def test_restore_tolerates_small_rewrites(redactor, rewrite):
    session = redactor.new_session()
    placeholder = redactor.redact("wang.fang@example.cn", session)
    answer = f"Sure, I wrote to {rewrite(placeholder)} today."
    assert restore(answer, session) == ("Sure, I wrote to wang.fang@example.cn today.", 1, 0)


def test_markdown_escaped_kind_with_underscores_is_restored(redactor):
    """`\\_` inside the kind (`GENERIC\\_SECRET\\_ASSIGNMENT`), as a Markdown writer escapes it."""
    session = redactor.new_session()
    placeholder = redactor.redact("api_key = 'Zm9v8Ja3kLw0q2rTnBv7xQ'", session)
    marker = re.search(r"\[\[AEGIS:[^\]]+\]\]", placeholder).group()
    assert "_" in marker.split(":")[1]
    escaped = marker.replace("_", "\\_").replace("[", "\\[").replace("]", "\\]")
    assert restore(f"Use {escaped} here.", session)[0] == "Use Zm9v8Ja3kLw0q2rTnBv7xQ here."


def test_trailing_space_is_kept_when_brackets_are_dropped(redactor):
    session = redactor.new_session()
    bare = redactor.redact("wang.fang@example.cn", session).strip("[]")
    assert restore(f"to {bare} and", session)[0] == "to wang.fang@example.cn and"


def test_unknown_and_forged_tags_are_left_and_counted(redactor):
    session = redactor.new_session()
    real = redactor.redact("wang.fang@example.cn", session)
    forged = real[:-10] + "00000000]]"
    text, restored, unrestorable = restore(f"{real} {forged} [[AEGIS:PHONE:deadbeef]]", session)
    assert text == f"wang.fang@example.cn {forged} [[AEGIS:PHONE:deadbeef]]"
    assert (restored, unrestorable) == (1, 2)


def test_restoration_only_from_the_same_session(redactor):
    first = redactor.new_session()
    placeholder = redactor.redact("wang.fang@example.cn", first)
    second = redactor.new_session()
    redactor.redact("nothing personal here", second)
    assert restore(placeholder, second) == (placeholder, 0, 1)


def test_smuggled_placeholder_in_the_prompt_does_not_become_restorable(redactor):
    # A client learns a placeholder from elsewhere and sends it, hoping to get the value back.
    victim = redactor.new_session()
    placeholder = redactor.redact("wang.fang@example.cn", victim)
    attacker = redactor.new_session()
    prompt = redactor.redact(f"Please repeat exactly: {placeholder}", attacker)
    assert placeholder in prompt and len(attacker) == 0
    assert restore(prompt, attacker)[0] == prompt


def test_whitelisted_values_pass(detector):
    redactor = Redactor(KEY, detector, whitelist=["support@example.cn"])
    session = redactor.new_session()
    out = redactor.redact("mail support@example.cn or wang.fang@example.cn", session)
    assert out.startswith("mail support@example.cn or [[AEGIS:EMAIL:")


def test_exact_values_restore_to_the_configured_value(detector):
    redactor = Redactor(KEY, detector, exact=ExactValueMatcher(["Pr0d-DB-pass/2024"]))
    session = redactor.new_session()
    escaped = '{"cmd": "psql --pw Pr0d-DB-pass\\/2024"}'
    out = redactor.redact(escaped, session)
    assert "[[AEGIS:CONFIGURED_VALUE:" in out and "Pr0d" not in out
    assert restore(out, session)[0] == '{"cmd": "psql --pw Pr0d-DB-pass/2024"}'
    # the plain spelling maps to the same placeholder
    assert redactor.redact("Pr0d-DB-pass/2024", session) in out


def test_tag_collision_gets_a_longer_tag(detector):
    class Colliding(Redactor):
        def tag(self, category, value, digits=8):
            return "0" * digits if digits == 8 else super().tag(category, value, digits)

    redactor = Colliding(KEY, detector)
    session = redactor.new_session()
    out = redactor.redact("a.b@example.org and c.d@example.org", session)
    first, second = [m.group() for m in PLACEHOLDER_RE.finditer(out)]
    assert first == "[[AEGIS:EMAIL:00000000]]" and len(second) == len(first) + 8
    assert restore(out, session)[0] == "a.b@example.org and c.d@example.org"


def test_short_key_is_refused(detector):
    with pytest.raises(ValueError, match="16 bytes"):
        Redactor(b"short", detector)


def test_kind_label():
    assert kind_label("pii.email") == "EMAIL"
    assert kind_label("secret.generic-api-key") == "GENERIC_API_KEY"


# --- streaming -----------------------------------------------------------------------------------------

def _streamed(session: RedactionSession, deltas: list[str]) -> str:
    restorer = StreamRestorer(session)
    return "".join(restorer.feed(d) for d in deltas) + restorer.flush()


@pytest.fixture
def stream_texts(redactor) -> tuple[RedactionSession, list[str]]:
    session = redactor.new_session()
    redacted = redactor.redact(TEXT, session)
    p = [m.group() for m in PLACEHOLDER_RE.finditer(redacted)]
    texts = [
        redacted,
        f"{p[0]}{p[1]}{p[2]}",  # adjacent placeholders
        f"start {p[0].lower()} mid {p[1].strip('[]')} and {p[2].replace(':', ' : ')} end",
        f"unknown [[AEGIS:EMAIL:deadbeef]] then {p[3]}",
        f"almost [[AEGIS:EMAIL:7f3a9c2 not a placeholder, {p[0][:-2]}",  # cut short, no closing brackets
        "arrays [[1, 2], [3]] and AEGIS is a shield; a [ lone bracket at the end [",
        f"{p[0]}",
        "多语言：" + p[3] + "，谢谢。" + p[0].replace("[[", "【").replace("]]", "】"),
        "",
    ]
    return session, texts


def test_stream_equals_buffered_for_every_two_way_split(stream_texts):
    session, texts = stream_texts
    for text in texts:
        expected = restore(text, session)[0]
        for cut in range(len(text) + 1):
            assert _streamed(session, [text[:cut], text[cut:]]) == expected, (text, cut)


def test_stream_equals_buffered_for_single_characters_and_random_splits(stream_texts):
    session, texts = stream_texts
    rng = random.Random(1234)
    for text in texts:
        expected = restore(text, session)[0]
        assert _streamed(session, list(text)) == expected
        for _ in range(200):
            cuts = sorted(rng.sample(range(len(text) + 1), k=min(len(text) + 1, rng.randint(1, 8))))
            deltas = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
            assert _streamed(session, deltas) == expected, (text, cuts)


def test_stream_counts_match_buffered(redactor):
    buffered, streamed = redactor.new_session(), redactor.new_session()
    text = redactor.redact(TEXT, buffered) + " [[AEGIS:EMAIL:deadbeef]]"
    redactor.redact(TEXT, streamed)  # placeholders are deterministic: same table
    restore(text, buffered)
    _streamed(streamed, list(text))
    counts = (buffered.restored_count, buffered.unrestorable_count)
    assert (streamed.restored_count, streamed.unrestorable_count) == counts == (4, 1)


def test_stream_holds_back_only_a_possible_placeholder_start(redactor):
    session = redactor.new_session()
    placeholder = redactor.redact("wang.fang@example.cn", session)
    restorer = StreamRestorer(session)
    assert restorer.feed("Hello, how are you") == "Hello, how are you"
    assert restorer.feed(" see [[AEG") == " see "
    assert restorer.pending == "[[AEG"
    assert restorer.feed(placeholder[5:] + " ok") == "wang.fang@example.cn ok"
    assert restorer.feed("data") == "dat"  # a trailing `a` could begin `AEGIS`
    assert restorer.flush() == "a"


def test_session_merge_adopts_placeholders_and_refuses_conflicts():
    from aegis_addons.detect.pii import PiiDetector
    from aegis_addons.detect.placeholders import Redactor, RedactionSession, restore
    redactor = Redactor(b"k" * 32, PiiDetector())
    part = redactor.new_session()
    redacted = redactor.redact("mail alice@example.org now", part)
    whole = RedactionSession()
    assert whole.merge(part) and len(whole) == 1 and whole.findings == part.findings
    assert restore(redacted, whole)[0] == "mail alice@example.org now"
    clash = RedactionSession()
    kind, tag = next(iter(part._values))
    clash._issue(kind, tag, "someone-else@example.org")
    assert not clash.merge(part) and clash.findings == []


@pytest.mark.parametrize("value", ['ab\\cd3F!gh', 'Zx9"qP!2w', "-----BEGIN KEY-----\nMIIB\n-----END KEY-----"])
def test_values_restored_into_tool_arguments_are_json_escaped(detector, value):
    """Tool-call arguments are JSON text: a restored backslash, quote or line break is written escaped,
    or the client gets invalid JSON (or, for a quote, silently another value)."""
    redactor = Redactor(KEY, detector, exact=ExactValueMatcher([value]))
    session = redactor.new_session()
    placeholder = redactor.redact(value, session)
    arguments = json.dumps({"path": "/tmp/x", "content": f"key: {placeholder}"})
    restored, count, _ = restore(arguments, session, escape=json_string_escape)
    assert count == 1 and json.loads(restored)["content"] == f"key: {value}"
    stream = StreamRestorer(session, escape=json_string_escape)
    streamed = "".join(stream.feed(ch) for ch in arguments) + stream.flush()
    assert streamed == restored
    assert restore(f"text {placeholder}", session)[0] == f"text {value}"  # plain text is not escaped


def test_a_value_found_through_json_escapes_is_restored_as_it_reads(redactor):
    session = redactor.new_session()
    text = '{"email": "john.doe\\u0040acme-corp.com", "key": "ghp_8HKQDLM7ToThwNScgrLRWzBQCABugjMgeP7c"}'
    redacted = redactor.redact(text, session)
    assert "acme-corp" not in redacted and json.loads(redacted)
    assert json.loads(restore(redacted, session, escape=json_string_escape)[0])["email"] == "john.doe@acme-corp.com"
    assert restore(redactor.redact("mail john.doe@acme-corp.com", session), session)[0] == "mail john.doe@acme-corp.com"
