"""For texts with PII and secrets, every split of the upstream SSE gives the client exactly the text
the buffered answer gives (restoration + model-made secret redaction, all three formats)."""

import json
import random

import pytest

from aegis_addons import mock_upstream as mock
from aegis_addons.detect.output_redaction import SecretOutputFilter
from aegis_addons.detect.pii import PiiDetector
from aegis_addons.detect.placeholders import Redactor, StreamRestorer
from aegis_addons.wire.segments import ANTHROPIC_MESSAGES, OPENAI_CHAT, OPENAI_RESPONSES, apply, response_segments
from aegis_addons.wire.sse import SseParser
from aegis_addons.wire.stream import TEXT, FilterChain, StreamEditor, run_chain

DETECTOR = PiiDetector()
REDACTOR = Redactor(b"0123456789abcdef0123456789abcdef", DETECTOR)
LEAK = "ghp_" + "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8"
PROMPTS = [
    "Contact alice@example.org or +1 415 555 0100 about card 4111 1111 1111 1111.",
    "身份证 11010519491231002X，手机 13800138000，邮箱 wang@example.cn。",
    "AWS key AKIAIOSFODNN7REALKEY and the ssh host 203.0.113.77, IBAN DE89370400440532013000.",
    "nothing sensitive at all, just prose about compilers",
]
FORMATS = {OPENAI_CHAT: (mock.chat_stream_events, mock.chat_completion),
           OPENAI_RESPONSES: (mock.responses_stream_events, mock.responses_object),
           ANTHROPIC_MESSAGES: (mock.anthropic_stream_events, mock.anthropic_message)}


def answer_for(prompt: str):
    """The request is redacted; the model answers with the redacted text plus a secret of its own."""
    session = REDACTOR.new_session()
    redacted = REDACTOR.redact(prompt, session)
    return session, f"You said: {redacted} Also try {LEAK} please."


def chain_for(session):
    return lambda kind, tool_name="": FilterChain([SecretOutputFilter(DETECTOR), StreamRestorer(session)])


def buffered_text(fmt, reply, session) -> str:
    body = FORMATS[fmt][1](reply)
    segments = response_segments(fmt, body)
    for s in segments:
        s.text = run_chain(chain_for(session)(TEXT), s.text)
    return "".join(s.text for s in response_segments(fmt, apply(body, segments)))


def streamed_text(fmt, data: bytes, cuts, session) -> str:
    editor = StreamEditor(fmt, chain_for(session))
    out, last = [], 0
    for cut in cuts + [len(data)]:
        out += editor(data[last:cut])
        last = cut
    out += editor(b"")
    parts = []
    for event in SseParser().feed(b"".join(out)):
        p = event.json
        if not isinstance(p, dict):
            continue
        if fmt == OPENAI_CHAT:
            parts += [(c.get("delta") or {}).get("content") or "" for c in p.get("choices", [])]
        elif fmt == ANTHROPIC_MESSAGES and p.get("type") == "content_block_delta":
            parts.append(p["delta"].get("text", ""))
        elif fmt == OPENAI_RESPONSES and p.get("type") == "response.output_text.delta":
            parts.append(p["delta"])
    return "".join(parts)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_streamed_equals_buffered_for_every_split(fmt):
    rng = random.Random(7)
    for prompt in PROMPTS:
        session, answer = answer_for(prompt)
        reply = mock.make_reply({"model": "m"}, "", mock.MockConfig(reply=answer, delta_chars=3))
        expected = buffered_text(fmt, reply, session)
        assert LEAK not in expected and "[aegis:redacted secret.github" in expected
        assert expected.startswith("You said: " + prompt)            # every placeholder restored
        data = b"".join(e.encode() for e in FORMATS[fmt][0](reply))
        events_end = [i + 2 for i in range(len(data) - 1) if data[i:i + 2] == b"\n\n"][:-1]
        splits = {"one byte": list(range(1, len(data))), "event aligned": events_end}
        for k in range(5):
            splits[f"random {k}"] = sorted(rng.sample(range(1, len(data)), 30))
        for name, cuts in splits.items():
            assert streamed_text(fmt, data, cuts, session) == expected, (fmt, name, prompt)


def test_placeholder_split_across_one_character_deltas_is_restored():
    session, answer = answer_for(PROMPTS[0])
    reply = mock.make_reply({"model": "m"}, "", mock.MockConfig(reply=answer, delta_chars=1))
    data = b"".join(e.encode() for e in mock.chat_stream_events(reply))
    text = streamed_text(OPENAI_CHAT, data, [], session)
    assert "alice@example.org" in text and "[[AEGIS" not in text
    assert json.dumps(text)  # valid text, nothing half-restored


def test_placeholder_after_a_secret_keyword_is_restored_not_redacted():
    """`token [[AEGIS:GITHUB_TOKEN:…]]` reads like an assignment (`TOKEN:<id>`) to the secret rules;
    the output filter must leave the gateway's own placeholder for the restorer."""
    session = REDACTOR.new_session()
    token = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    redacted = REDACTOR.redact(f"my token {token} is here", session)
    assert token not in redacted
    for variant in (redacted, redacted.lower()):
        out = run_chain(chain_for(session)(TEXT), f"You wrote: {variant}")
        assert out == f"You wrote: my token {token} is here", variant
