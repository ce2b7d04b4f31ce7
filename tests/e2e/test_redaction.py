"""Redaction and restoration end to end: real mitmdump, real SDKs, the mock upstream in echo mode.

Echo mode makes the mock answer with the last user message exactly as it arrived upstream, i.e. with
placeholders, so the client's answer shows whether restoration worked, and the recorded request shows
that nothing raw reached the provider.
"""

from __future__ import annotations

import gzip
import json
import re
import time

import anthropic
import httpx
import openai
import pytest

from tests.support import Gateway, error_code

EMAIL = "alice.smith@example.org"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
CARD = "4111 1111 1111 1111"
SECRET_VALUE = "corp-vault-Zx81!qq"
ODD_SECRET = 'vault\\Zx9"q!w'  # a backslash and a quote: JSON must escape both
TEXT = f"Email {EMAIL}, token {GITHUB}, card {CARD}. 请回复。"
PLACEHOLDER = re.compile(r"\[\[AEGIS:[A-Z0-9_]+:[0-9a-f]{8,16}\]\]")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, mock_llm):
    home = tmp_path_factory.mktemp("aegis-redaction")
    (home / "secrets.txt").write_text(f"# operator secrets\n{SECRET_VALUE}\n{ODD_SECRET}\n")
    (home / "whitelists.yaml").write_text("team-a:\n  - support@example.org\n")
    gw = Gateway(home, options={"aegis_secret_values_file": str(home / "secrets.txt"),
                                "aegis_whitelists_file": str(home / "whitelists.yaml"),
                                "aegis_v2_target_allowlist": "127.0.0.1"})
    with gw:
        yield gw


@pytest.fixture(scope="module")
def base(gateway, mock_llm):
    return gateway.register(mock_llm.url + "/v1")["base_url"]


def upstream_text(mock_llm) -> str:
    return mock_llm.requests[-1].body


def assert_clean(raw: str) -> None:
    for value in (EMAIL, GITHUB, "4111 1111 1111 1111", SECRET_VALUE):
        assert value not in raw, f"{value!r} reached the upstream"


ECHO = {"x-mock-echo": "1"}


def test_openai_chat_buffered_redacts_upstream_and_restores_answer(base, mock_llm):
    client = openai.OpenAI(base_url=base, api_key="x")
    raw = client.chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "system", "content": f"operator secret {SECRET_VALUE}"},
                             {"role": "user", "content": TEXT}], extra_headers=ECHO)
    assert raw.parse().choices[0].message.content == TEXT
    sent = upstream_text(mock_llm)
    assert_clean(sent)
    assert len(PLACEHOLDER.findall(sent)) >= 4
    assert raw.headers["x-aegis-action"] == "redact"
    findings = raw.headers["x-aegis-findings"].split(",")
    assert {"pii.email", "secret.configured_value"} <= set(findings)
    assert any(f.startswith("secret.github") for f in findings)
    assert any(f.startswith("pii.credit_card") for f in findings)


@pytest.mark.parametrize("split", ["1", "7"])
def test_openai_chat_streamed_restoration_with_split_events(base, mock_llm, split):
    client = openai.OpenAI(base_url=base, api_key="x")
    stream = client.chat.completions.create(
        model="m", stream=True, messages=[{"role": "user", "content": TEXT}],
        extra_headers={**ECHO, "x-mock-delta-chars": "1", "x-mock-split-bytes": split})
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == TEXT
    assert_clean(upstream_text(mock_llm))


def test_anthropic_streamed_and_buffered(base, mock_llm):
    client = anthropic.Anthropic(base_url=base, api_key="x")
    message = client.messages.create(model="claude-haiku-4-5", max_tokens=100, extra_headers=ECHO,
                                     messages=[{"role": "user", "content": [{"type": "text", "text": TEXT}]}])
    assert message.content[0].text == TEXT
    assert_clean(upstream_text(mock_llm))
    with client.messages.stream(model="claude-haiku-4-5", max_tokens=100,
                                extra_headers={**ECHO, "x-mock-delta-chars": "2"},
                                messages=[{"role": "user", "content": TEXT}]) as stream:
        assert "".join(stream.text_stream) == TEXT
        assert stream.get_final_message().content[0].text == TEXT


def test_dictated_numbers_redacted_and_restored(base, mock_llm):
    """A voice transcript with a phone read out in words and a card dictated digit by digit: neither
    reaches the upstream in any form, and the streamed answer gives the transcript back as typed."""
    phone, card = "two one three, two oh five, two one seven four", "4 5 3 9  1 4 8 8  0 3 4 3  6 4 6 7"
    transcript = f"Transcribed voicemail: call me on {phone}, and the card number is {card}. Thanks!"
    client = anthropic.Anthropic(base_url=base, api_key="x")
    with client.messages.stream(model="claude-haiku-4-5", max_tokens=100,
                                extra_headers={**ECHO, "x-mock-delta-chars": "1"},
                                messages=[{"role": "user", "content": transcript}]) as stream:
        assert "".join(stream.text_stream) == transcript
    sent = json.loads(upstream_text(mock_llm))["messages"][-1]["content"]
    for value in (phone, card, "two oh five", "1 4 8 8"):
        assert value not in sent
    assert len(PLACEHOLDER.findall(sent)) == 2


def test_openai_responses_streamed_and_buffered(base, mock_llm):
    client = openai.OpenAI(base_url=base, api_key="x")
    assert client.responses.create(model="m", input=TEXT, extra_headers=ECHO).output_text == TEXT
    assert_clean(upstream_text(mock_llm))
    events = list(client.responses.create(model="m", input=TEXT, stream=True,
                                          extra_headers={**ECHO, "x-mock-delta-chars": "3"}))
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == TEXT
    done = [e for e in events if e.type == "response.output_text.done"][0]
    assert done.text == TEXT
    assert events[-1].response.output_text == TEXT


CUT_MESSAGE = f"Send it to {EMAIL} today, then run the whole test suite again."
# events each mock stream sends before its first text delta (see aegis_addons/mock_upstream.py)
EVENTS_BEFORE_TEXT = {"chat": 1, "responses": 4, "messages": 3}


def _stream_until_cut(base: str, api: str, headers: dict) -> tuple[str, Exception | None, list]:
    """(text the SDK delivered, the exception it raised, its events) for a stream the upstream cuts."""
    text, events, raised = [], [], None
    try:
        if api == "chat":
            stream = openai.OpenAI(base_url=base, api_key="x", max_retries=0).chat.completions.create(
                model="m", stream=True, messages=[{"role": "user", "content": CUT_MESSAGE}], extra_headers=headers)
            for chunk in stream:
                text += [c.delta.content or "" for c in chunk.choices]
        elif api == "responses":
            stream = openai.OpenAI(base_url=base, api_key="x", max_retries=0).responses.create(
                model="m", stream=True, input=CUT_MESSAGE, extra_headers=headers)
            for event in stream:
                events.append(event)
                text += [event.delta] if event.type == "response.output_text.delta" else []
        else:
            client = anthropic.Anthropic(base_url=base, api_key="x", max_retries=0)
            with client.messages.stream(model="claude-haiku-4-5", max_tokens=100, extra_headers=headers,
                                        messages=[{"role": "user", "content": CUT_MESSAGE}]) as stream:
                for piece in stream.text_stream:
                    text.append(piece)
    except Exception as e:  # noqa: BLE001 - the test asserts which one
        raised = e
    return "".join(text), raised, events


@pytest.mark.parametrize("api", ["chat", "responses", "messages"])
def test_stream_cut_by_the_upstream_delivers_the_held_back_text_and_an_error(gateway, base, mock_llm, api):
    # What the upstream sees: the message with the email as a placeholder (the same in every request).
    openai.OpenAI(base_url=base, api_key="x").chat.completions.create(
        model="m", messages=[{"role": "user", "content": CUT_MESSAGE}], extra_headers=ECHO)
    sent = json.loads(upstream_text(mock_llm))["messages"][-1]["content"]
    placeholder = PLACEHOLDER.search(sent).group()
    # The upstream breaks off one character at a time, right after "today, then" went out.
    chars = sent.index(" today, then") + len(" today, then")
    headers = {**ECHO, "x-mock-delta-chars": "1", "x-mock-drop-after": str(EVENTS_BEFORE_TEXT[api] + chars)}
    text, raised, events = _stream_until_cut(base, api, headers)
    # Everything the upstream sent reaches the client, restored and checked, nothing held back is lost
    assert text == f"Send it to {EMAIL} today, then"
    assert placeholder not in text
    # ... and the client learns the answer is incomplete, in its protocol's terms
    if api == "chat":
        assert isinstance(raised, openai.APIError) and raised.code == "upstream_stream_cut", raised
    elif api == "responses":
        assert events[-1].type == "response.failed", [e.type for e in events]
        assert events[-1].response.error.code == "upstream_stream_cut"
    else:
        assert isinstance(raised, anthropic.APIStatusError) and "upstream_stream_cut" in str(raised.body), raised
    path = {"chat": "/v1/chat/completions", "responses": "/v1/responses", "messages": "/v1/messages"}[api]
    deadline = time.monotonic() + 5  # the audit writer works in the background
    while not (cut := [r for r in gateway.audit_rows() if r.path == path and "upstream_cut_mid_stream" in r.notes]):
        assert time.monotonic() < deadline, "no audit row notes the cut"
        time.sleep(0.05)
    assert any(note.startswith("error: ") for note in cut[-1].notes)


def test_tool_call_arguments_redacted_in_history_and_restored_in_answer(base, mock_llm):
    client = openai.OpenAI(base_url=base, api_key="x")
    history = [{"role": "user", "content": f"write to {EMAIL}"},
               {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function",
                "function": {"name": "send", "arguments": json.dumps({"to": EMAIL, "body": "hi"})}}]},
               {"role": "tool", "tool_call_id": "c1", "content": f"sent to {EMAIL}"}]
    client.chat.completions.create(model="m", messages=history)
    sent = upstream_text(mock_llm)
    assert EMAIL not in sent
    placeholder = PLACEHOLDER.search(sent).group()
    # The model answers with a tool call whose arguments carry the placeholder: the client gets the value.
    args = json.dumps({"to": placeholder, "cc": [placeholder]})
    for stream in (False, True):
        response = client.chat.completions.create(
            model="m", messages=history, stream=stream,
            extra_headers={"x-mock-tool-name": "send", "x-mock-tool-args": args, "x-mock-delta-chars": "2"})
        if stream:
            got = "".join(c.choices[0].delta.tool_calls[0].function.arguments or ""
                          for c in response if c.choices and c.choices[0].delta.tool_calls)
        else:
            got = response.choices[0].message.tool_calls[0].function.arguments
        assert json.loads(got) == {"to": EMAIL, "cc": [EMAIL]}


def test_values_restored_into_tool_arguments_are_json_escaped(base, mock_llm):
    """A restored value with a backslash and a quote inside tool-call arguments: the client must get
    valid JSON holding the value, buffered and streamed, OpenAI and Anthropic."""
    openai_client = openai.OpenAI(base_url=base, api_key="x")
    openai_client.chat.completions.create(model="m", messages=[{"role": "user", "content": f"use {ODD_SECRET}"}])
    sent = upstream_text(mock_llm)
    assert ODD_SECRET not in sent and json.dumps(ODD_SECRET)[1:-1] not in sent
    placeholder = PLACEHOLDER.search(sent).group()
    args = json.dumps({"password": placeholder})
    tool = {"x-mock-tool-name": "login", "x-mock-tool-args": args, "x-mock-delta-chars": "3"}
    for stream in (False, True):
        response = openai_client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": f"use {ODD_SECRET}"}], stream=stream,
            extra_headers=tool)
        if stream:
            got = "".join(c.choices[0].delta.tool_calls[0].function.arguments or ""
                          for c in response if c.choices and c.choices[0].delta.tool_calls)
        else:
            got = response.choices[0].message.tool_calls[0].function.arguments
        assert json.loads(got) == {"password": ODD_SECRET}
    anthropic_client = anthropic.Anthropic(base_url=base, api_key="x")
    message = dict(model="m", max_tokens=50, messages=[{"role": "user", "content": f"use {ODD_SECRET}"}],
                   extra_headers=tool)
    answer = anthropic_client.messages.create(**message)
    assert [b.input for b in answer.content if b.type == "tool_use"] == [{"password": ODD_SECRET}]
    with anthropic_client.messages.stream(**message) as stream:
        final = stream.get_final_message()
    assert [b.input for b in final.content if b.type == "tool_use"] == [{"password": ODD_SECRET}]


def test_codex_apply_patch_input_is_restored_as_written(base, mock_llm):
    """A free-form (`custom`) tool call, Codex's apply_patch: its input is text, not JSON, so a restored
    value goes in as it is, buffered and streamed."""
    client = openai.OpenAI(base_url=base, api_key="x")
    tools = [{"type": "custom", "name": "apply_patch", "description": "Apply a patch"}]
    client.responses.create(model="m", input=f"store {ODD_SECRET} in config", tools=tools)
    placeholder = PLACEHOLDER.search(upstream_text(mock_llm)).group()
    patch = f"*** Add File: config.ini +password = {placeholder} (a header carries no line breaks)"
    headers = {"x-mock-tool-name": "apply_patch", "x-mock-tool-args": patch, "x-mock-delta-chars": "4"}
    expected = patch.replace(placeholder, ODD_SECRET)
    response = client.responses.create(model="m", input=f"store {ODD_SECRET} in config", tools=tools,
                                       extra_headers=headers)
    assert [(item.type, item.input) for item in response.output] == [("custom_tool_call", expected)]
    with client.responses.stream(model="m", input=f"store {ODD_SECRET} in config", tools=tools,
                                 extra_headers=headers) as stream:
        deltas = "".join(e.delta for e in stream if e.type == "response.custom_tool_call_input.delta")
        final = stream.get_final_response()
    assert deltas == expected
    assert [(item.type, item.input) for item in final.output] == [("custom_tool_call", expected)]


def test_forged_placeholder_is_not_restored_and_counted(gateway, base, mock_llm):
    forged = "[[AEGIS:EMAIL:0123abcd]]"
    r = httpx.post(base + "/chat/completions", headers=ECHO,
                   json={"model": "m", "messages": [{"role": "user", "content": f"what is {forged}?"}]})
    assert r.json()["choices"][0]["message"]["content"] == f"what is {forged}?"
    row = gateway.audit_rows(r.headers["x-aegis-request-id"])[0]
    assert "placeholders restored=0 unrestorable=1" in row.notes


def test_model_made_secret_is_redacted_in_answer(gateway, base):
    leaked = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
    r = httpx.post(base + "/chat/completions", headers={"x-mock-reply": f"use {leaked} to log in"},
                   json={"model": "m", "messages": [{"role": "user", "content": "how do I log in?"}]})
    content = r.json()["choices"][0]["message"]["content"]
    assert leaked not in content and content.startswith("use [aegis:redacted secret.github")
    assert r.headers["x-aegis-action"] == "redact"
    with httpx.stream("POST", base + "/chat/completions",
                      headers={"x-mock-reply": f"use {leaked} to log in", "x-mock-delta-chars": "1"},
                      json={"model": "m", "stream": True, "messages": [{"role": "user", "content": "?"}]}) as s:
        body = s.read().decode()
    streamed = "".join(json.loads(line[5:])["choices"][0]["delta"].get("content") or ""
                       for line in body.splitlines() if line.startswith("data: {"))
    assert streamed == content
    assert "action=redact findings=secret.github" in body.rstrip().splitlines()[-1]


def test_filter_modes(gateway, mock_llm):
    base = gateway.register(mock_llm.url + "/v1", policy="permissive")["base_url"]  # allows the suffixes
    r = httpx.post(base + "__redact/chat/completions", headers=ECHO,
                   json={"model": "m", "messages": [{"role": "user", "content": TEXT}]})
    assert r.json()["choices"][0]["message"]["content"] == TEXT
    assert_clean(upstream_text(mock_llm))
    r = httpx.post(base + "__passthrough/chat/completions", headers=ECHO,
                   json={"model": "m", "messages": [{"role": "user", "content": TEXT}]})
    assert EMAIL in upstream_text(mock_llm) and r.headers["x-aegis-action"] == "allow"


def test_whitelisted_values_pass(gateway, mock_llm):
    base = gateway.register(mock_llm.url + "/v1", whitelist_key="team-a")["base_url"]
    httpx.post(base + "/chat/completions",
               json={"model": "m", "messages": [{"role": "user", "content": f"cc support@example.org and {EMAIL}"}]})
    sent = upstream_text(mock_llm)
    assert "support@example.org" in sent and EMAIL not in sent


def test_exact_values_split_across_lines_and_json_escapes(base, mock_llm):
    split_value = SECRET_VALUE[:8] + "\n" + SECRET_VALUE[8:]
    httpx.post(base + "/chat/completions",
               json={"model": "m", "messages": [{"role": "user", "content": f"vault: {split_value}"}]})
    assert SECRET_VALUE[:8] + "\\n" + SECRET_VALUE[8:] not in upstream_text(mock_llm)
    assert "secret.configured_value" not in upstream_text(mock_llm)  # categories stay out of the body
    assert "CONFIGURED_VALUE" in upstream_text(mock_llm)


def test_generic_v2_and_non_json_bodies_are_scanned(base, mock_llm):
    r = httpx.post(base.rsplit("/v1/", 1)[0] + "/v2/x", headers={"x-target-url": mock_llm.url + "/anything"},
                   json={"deep": {"list": [f"mail {EMAIL}"]}})
    assert r.status_code == 404  # the mock has no /anything; what matters is what it received
    assert EMAIL not in upstream_text(mock_llm) and "AEGIS:EMAIL" in upstream_text(mock_llm)
    httpx.post(base + "/chat/completions", content=f"not json {EMAIL}".encode())
    assert EMAIL not in upstream_text(mock_llm)
    deep = "[" * 5000 + json.dumps(EMAIL) + "]" * 5000
    httpx.post(base + "/chat/completions", content=deep.encode(), headers={"content-type": "application/json"})
    assert EMAIL not in upstream_text(mock_llm)


def test_compressed_request_body_is_redacted(base, mock_llm):
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": TEXT}]}).encode()
    r = httpx.post(base + "/chat/completions", content=gzip.compress(body),
                   headers={"content-encoding": "gzip", "content-type": "application/json", **ECHO})
    assert r.json()["choices"][0]["message"]["content"] == TEXT
    assert_clean(upstream_text(mock_llm))


def test_gzip_body_of_several_members_is_scanned_whole(base, mock_llm):
    """mitmproxy decodes only the first member (`{`); the upstream decodes them all."""
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": TEXT}]}).encode()
    r = httpx.post(base + "/chat/completions", content=gzip.compress(body[:1]) + gzip.compress(body[1:]),
                   headers={"content-encoding": "gzip", "content-type": "application/json", **ECHO})
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == TEXT
    forwarded = upstream_text(mock_llm)
    assert_clean(forwarded)
    assert PLACEHOLDER.search(json.loads(forwarded)["messages"][0]["content"])


def test_compression_bomb_is_refused_without_decoding_it_all(base):
    bomb = gzip.compress(b'{"messages": [{"role": "user", "content": "' + b"0" * 20_000_000 + b'"}]}')
    assert len(bomb) < 100_000  # 20 MB decoded; the default limit is 12 MB
    r = httpx.post(base + "/chat/completions", content=bomb,
                   headers={"content-encoding": "gzip", "content-type": "application/json"})
    assert r.status_code == 413 and error_code(r) == "request_body_too_large"


@pytest.mark.parametrize("body,problem", [
    (f'{{"messages": [{{"role": "user", "content": "{EMAIL}", "content": "hi"}}]}}', "duplicate key"),
    ('{"messages": [], "temperature": NaN}', "NaN"),
    ('{"messages": [], "temperature": 1e999}', "out of range"),
    ("\ufeff" + json.dumps({"messages": [{"role": "user", "content": EMAIL}]}), "not valid JSON"),
    ("\ufeff " + json.dumps({"messages": [{"role": "user", "content": EMAIL}]}), "not valid JSON"),
    ('{"x": ' + "[" * 100_000 + "]" * 100_000 + f', "messages": [{{"role": "user", "content": "{EMAIL}"}}]}}',
     "nested too deeply"),
])
def test_json_the_upstream_could_read_otherwise_is_refused(base, mock_llm, body, problem):
    """A body the gateway would read differently from the upstream (the first of two keys, `\\u`
    escapes in text the parser gave up on) is refused, never forwarded."""
    before = len(mock_llm.requests)
    r = httpx.post(base + "/chat/completions", content=body.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "invalid_request_body"
    assert problem in r.json()["error"]["message"]
    assert len(mock_llm.requests) == before


def test_lone_surrogate_escape_is_forwarded_as_sent_and_the_rest_redacted(base, mock_llm):
    body = '{"model": "m", "messages": [{"role": "user", "content": "odd \\ud83d char, mail ' + EMAIL + '"}]}'
    r = httpx.post(base + "/chat/completions", content=body.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 200
    forwarded = upstream_text(mock_llm)
    assert_clean(forwarded)
    assert "\\ud83d" in forwarded and "AEGIS:EMAIL" in forwarded


def test_invalid_utf8_is_refused(base):
    r = httpx.post(base + "/chat/completions", content=b'{"messages": "\xff\xfe"}',
                   headers={"content-type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "invalid_request_body"


def test_audit_row_holds_redacted_text_only(gateway, base):
    r = httpx.post(base + "/chat/completions",
                   json={"model": "m", "messages": [{"role": "user", "content": TEXT}]})
    row = gateway.audit_rows(r.headers["x-aegis-request-id"])[0]
    assert row.action == "redact" and PLACEHOLDER.search(row.excerpt)
    dump = json.dumps([row.excerpt, row.findings, row.notes])
    assert EMAIL not in dump and GITHUB not in dump
