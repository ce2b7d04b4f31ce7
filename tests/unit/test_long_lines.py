"""Checks that look at "the line a value stands on" look within a bounded reach, so that one long line
(minified JSON, a log joined into one string) costs as much per value as a short one, and give the same
answers as before on the lines they can see."""

import json

import pytest

from aegis_addons.detect.findings import Finding
from aegis_addons.detect.lines import line_end, line_start, line_start_within, token_start
from aegis_addons.detect.pii import PiiDetector, _in_hex_dump, _in_url_authority
from aegis_addons.detect.sanitize import OutputSanitizer


@pytest.fixture(scope="module")
def detector():
    return PiiDetector()


def test_line_start_and_end_within_reach():
    text = "first\nsecond line\nthird"
    pos = text.index("line")
    assert text[line_start(text, pos, 100):line_end(text, pos, 100)] == "second line"
    assert line_start(text, pos, 3) == pos - 3            # the line starts further back: cut at the reach
    assert line_end(text, pos, 2) == pos + 2
    assert line_start(text, 2, 100) == 0 and line_end(text, 20, 100) == len(text)
    assert line_start(text, text.index("second"), 1) == text.index("second")  # right after a newline


def test_line_start_within():
    text = "ab\n" + "x" * 10
    assert line_start_within(text, 5, 2) == 3 and line_start_within(text, 12, 8) is None
    assert line_start_within(text, 12, 9) == 3
    assert line_start_within("xxxx", 3, 3) == 0 and line_start_within("xxxx", 3, 2) is None


def test_token_start_within_reach():
    text = "run --password 'a b' now"
    assert token_start(text, text.index("a b"), 100) == text.index("'a")
    assert token_start(text, text.index("b'"), 100, " '") == text.index("b'")
    assert token_start("x" * 50, 40, 10) == 30


def test_url_user_part_on_a_long_line_is_still_no_address(detector):
    line = json.dumps([{"repo": f"ssh://git@github.com/team/r{i}.git", "owner": f"dev{i}@corp.io"} for i in range(2000)])
    found = detector.scan(line)
    emails = [line[f.start:f.end] for f in found if f.category == "pii.email"]
    assert len(emails) == 2000 and all(e.startswith("dev") for e in emails)
    far = len(line) - 100
    assert _in_url_authority(line, line.index("git@", far))
    assert not _in_url_authority(line, line.index("dev", far))


def test_hex_dump_last_line_is_judged_on_its_own_line():
    dump = "    Signature Value:\n        3a:4f:09:1c:de:77:a2:90:11:5e:c3:08:7f:aa\n        3a:4f:09:1c:de:77\n"
    start = dump.rindex("3a:4f")
    assert _in_hex_dump(dump, Finding("pii.mac_address", start, start + 17, 0.9, "mac"))
    long_line = "x" * 5000 + " 3a:4f:09:1c:de:77"
    start = long_line.index("3a:4f")
    assert not _in_hex_dump(long_line, Finding("pii.mac_address", start, start + 17, 0.9, "mac"))


def test_a_labelled_value_far_into_a_long_line(detector):
    text = "x " * 3000 + "Phone: +1 415 555 0132 and SSN: 536-22-8745"
    found = {(f.category, text[f.start:f.end]) for f in detector.scan(text)}
    assert ("pii.phone", "+1 415 555 0132") in found and ("pii.us_ssn", "536-22-8745") in found


def test_env_assignment_after_a_long_line(detector):
    # `PASSWORD=<value>` at a line's start is an env file's setting however long the line before it
    for before in ("", "x" * 5000 + "\n", "# " + "y " * 3000 + "\n"):
        text = before + "PASSWORD=Zq9vT2kLp8x"
        assert [(f.category, text[f.start:f.end]) for f in detector.scan(text)] == [
            ("secret.password_assignment", "Zq9vT2kLp8x")]


def test_marker_found_on_a_long_line():
    text = "y" * 10_000 + " [aegis:removed danger.reverse_shell] ok"
    inside = Finding("danger.reverse_shell", text.index("danger"), text.index("]"), 0.95, "r")
    assert OutputSanitizer("high").apply(text, [inside]).text == text
    unclosed = "[aegis:removed danger.reverse_shell " + "z" * 300
    f = Finding("danger.reverse_shell", 15, 30, 0.95, "r")
    assert OutputSanitizer("high").apply(unclosed, [f]).text != unclosed
