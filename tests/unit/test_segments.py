import json

import pytest

from aegis_addons.wire.segments import (
    ANTHROPIC_MESSAGES,
    ASSISTANT,
    DOCUMENT,
    GENERIC,
    OPENAI_CHAT,
    OPENAI_RESPONSES,
    SYSTEM,
    TOOL_ARGS,
    TOOL_RESULT,
    USER,
    apply,
    detect_format,
    request_segments,
    response_segments,
)


def texts(segments):
    return [(s.role, s.text) for s in segments]


def test_detect_format():
    assert detect_format("/v1/chat/completions?x=1") == OPENAI_CHAT
    assert detect_format("/v1/responses") == OPENAI_RESPONSES
    assert detect_format("/v1/messages") == ANTHROPIC_MESSAGES
    assert detect_format("/v1/embeddings") == GENERIC


def test_openai_chat_request_roles_tool_args_and_apply():
    body = {"model": "m", "messages": [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": [{"type": "text", "text": "hello"}, {"type": "image_url", "image_url": {"url": "u"}}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"path": "/a", "n": [1, "x"]}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "result text"}],
        "prompt_extra": "stray field"}
    segs = request_segments(OPENAI_CHAT, body)
    assert texts(segs) == [(SYSTEM, "sys"), (USER, "hello"), (TOOL_ARGS, "/a"), (TOOL_ARGS, "1"), (TOOL_ARGS, "x"),
                           (TOOL_RESULT, "result text"), (SYSTEM, "u"), (USER, "stray field")]
    for s in segs:
        s.text = s.text.upper()
    out = apply(body, segs)
    assert out["messages"][1]["content"][0]["text"] == "HELLO"
    assert json.loads(out["messages"][2]["tool_calls"][0]["function"]["arguments"]) == {"path": "/A", "n": [1, "X"]}
    assert out["messages"][3]["content"] == "RESULT TEXT" and out["model"] == "m"


def test_responses_request_items():
    body = {"instructions": "be nice", "input": [
        {"role": "user", "content": [{"type": "input_text", "text": "q"}]},
        {"type": "function_call", "call_id": "c", "name": "f", "arguments": "not json"},
        {"type": "function_call_output", "call_id": "c", "output": "tool said"}]}
    assert texts(request_segments(OPENAI_RESPONSES, body)) == [
        (SYSTEM, "be nice"), (USER, "q"), (TOOL_ARGS, "not json"), (TOOL_RESULT, "tool said")]
    assert texts(request_segments(OPENAI_RESPONSES, {"input": "plain"})) == [(USER, "plain")]


def test_anthropic_request_blocks():
    body = {"system": [{"type": "text", "text": "sys"}], "messages": [
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": "out"}]},
            {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "doc"}}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "n", "input": {"cmd": "ls"}}]}]}
    assert texts(request_segments(ANTHROPIC_MESSAGES, body)) == [
        (SYSTEM, "sys"), (TOOL_RESULT, "out"), (DOCUMENT, "doc"), (TOOL_ARGS, "ls")]


def test_response_segments_all_formats():
    # Answers keep tool arguments as one raw JSON text, the way a stream delivers them.
    chat = {"choices": [{"message": {"content": "hi", "tool_calls": [{"function": {"arguments": '{"a": "b"}'}}]}}]}
    assert texts(response_segments(OPENAI_CHAT, chat)) == [(ASSISTANT, "hi"), (TOOL_ARGS, '{"a": "b"}')]
    responses = {"output": [{"type": "message", "content": [{"type": "output_text", "text": "t"}]},
                            {"type": "function_call", "arguments": '{"x": "y"}'}]}
    assert texts(response_segments(OPENAI_RESPONSES, responses)) == [(ASSISTANT, "t"), (TOOL_ARGS, '{"x": "y"}')]
    anthropic = {"content": [{"type": "text", "text": "a"}, {"type": "tool_use", "input": {"q": "z"}}]}
    segs = response_segments(ANTHROPIC_MESSAGES, anthropic)
    assert texts(segs) == [(ASSISTANT, "a"), (TOOL_ARGS, '{"q": "z"}')]
    segs[1].text = '{"q": "Z"}'
    assert apply(anthropic, segs)["content"][1]["input"] == {"q": "Z"}


def test_generic_bodies_scan_every_string():
    body = {"a": ["x", {"b": "y"}], "n": 1}
    segs = request_segments(GENERIC, body)
    assert texts(segs) == [(USER, "x"), (USER, "y")]
    segs[1].text = "Y"
    assert apply(body, segs) == {"a": ["x", {"b": "Y"}], "n": 1}
    assert texts(request_segments(OPENAI_CHAT, ["not", "a dict"])) == [(USER, "not"), (USER, "a dict")]


SECRET = "AKIAZ3MSJV4WWNKWW5FA"


@pytest.mark.parametrize("fmt,body,role", [
    # fields of the request the adapters do not model: scanned like the system prompt
    (OPENAI_CHAT, {"messages": [], "tools": [{"type": "function", "function": {
        "name": "deploy", "description": f"uses key {SECRET}", "parameters": {"type": "object"}}}]}, SYSTEM),
    (OPENAI_CHAT, {"messages": [], "metadata": {"note": SECRET}}, SYSTEM),
    (OPENAI_CHAT, {"messages": [{"role": "user", "content": "hi", "extra_field": SECRET}]}, SYSTEM),
    (ANTHROPIC_MESSAGES, {"messages": [{"role": "user", "content": [{"type": "new_block_type", "body": SECRET}]}]},
     SYSTEM),
    # fields the adapters model
    (OPENAI_CHAT, {"messages": [{"role": "assistant", "content": None,
                                 "function_call": {"name": "f", "arguments": f'{{"key": "{SECRET}"}}'}}]}, TOOL_ARGS),
    (OPENAI_CHAT, {"messages": [{"role": "assistant", "refusal": SECRET}]}, ASSISTANT),
    (ANTHROPIC_MESSAGES, {"messages": [{"role": "user", "content": [{"type": "search_result", "title": "t",
        "source": "https://x", "content": [{"type": "text", "text": SECRET}]}]}]}, DOCUMENT),
    (ANTHROPIC_MESSAGES, {"messages": [{"role": "user", "content": [{"type": "document", "title": SECRET,
        "source": {"type": "text", "media_type": "text/plain", "data": "d"}}]}]}, DOCUMENT),
    (OPENAI_RESPONSES, {"input": [{"type": "custom_tool_call", "call_id": "c", "name": "apply_patch",
                                   "input": SECRET}]}, ASSISTANT),
    (OPENAI_RESPONSES, {"input": [{"type": "mcp_call", "id": "m", "name": "n", "server_label": "s",
                                   "arguments": "{}", "output": SECRET}]}, TOOL_RESULT),
    # keys the wire gives a meaning to are skipped only in its own objects, not in dicts a client fills
    (OPENAI_RESPONSES, {"input": "hi", "prompt": {"id": "pmpt_1", "variables": {"data": SECRET}}}, USER),
    (OPENAI_CHAT, {"messages": [], "metadata": {"status": SECRET}}, SYSTEM),
    (OPENAI_RESPONSES, {"input": "hi", "prompt": {"id": "p", "variables": {"type": "customer", "data": SECRET}}}, USER),
    (OPENAI_CHAT, {"messages": [], "metadata": {"type": "x", "name": SECRET}}, SYSTEM),
    (ANTHROPIC_MESSAGES, {"messages": [{"role": "user", "content": [
        {"type": "server_tool_use", "id": "s", "name": "web_fetch", "input": {"url": "https://x.example"}},
        {"type": "web_fetch_tool_result", "tool_use_id": "s", "content": {"type": "web_fetch_result", "url":
         "https://x.example", "content": {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                                                          "data": f"page {SECRET}"}}}}]}]}, DOCUMENT),
    (ANTHROPIC_MESSAGES, {"messages": [{"role": "assistant", "content": [
        {"type": "bash_code_execution_tool_result", "tool_use_id": "b", "content": {
            "type": "bash_code_execution_result", "stdout": f"out {SECRET}", "stderr": "", "return_code": 0}}]}]},
     TOOL_RESULT),
    (ANTHROPIC_MESSAGES, {"messages": [{"role": "assistant", "content": [
        {"type": "web_search_tool_result", "tool_use_id": "w", "content": [
            {"type": "web_search_result", "url": "https://x.example", "title": f"page {SECRET}",
             "encrypted_content": "opaque"}]}]}]}, TOOL_RESULT),
    (ANTHROPIC_MESSAGES, {"messages": [{"role": "assistant", "content": [
        {"type": "text", "text": "as the page says", "citations": [
            {"type": "web_search_result_location", "url": "https://x.example", "cited_text": f"quote {SECRET}",
             "encrypted_index": "opaque"}]}]}]}, DOCUMENT),
    (ANTHROPIC_MESSAGES, {"messages": [], "output_config": {"format": {"type": "json_schema", "schema": {
        "type": "object", "description": f"mail {SECRET}"}}}}, SYSTEM),
    # an opaque key hides a value, not the object under it: `format` holds a JSON schema here
    (OPENAI_RESPONSES, {"input": "hi", "text": {"format": {"type": "json_schema", "name": "o",
                                                          "description": f"mail {SECRET}"}}}, SYSTEM),
    (ANTHROPIC_MESSAGES, {"messages": [{"role": "assistant", "content": [
        {"type": "tool_use", "id": "t", "name": "pay", "input": {"card": 4111111111111111}}]}]}, TOOL_ARGS),
    (OPENAI_CHAT, {"messages": [], "tools": [{"type": "function", "function": {"name": "f", "description":
        f"data: use token {SECRET}"}}]}, SYSTEM),
    (OPENAI_RESPONSES, {"input": [{"type": "local_shell_call_output", "id": "l", "output": SECRET}]}, TOOL_RESULT),
])
def test_every_string_of_a_request_is_a_segment(fmt, body, role):
    """A secret anywhere in a request body is scanned (it used to pass in tool descriptions, metadata,
    thinking blocks, Codex's apply_patch input, ...); identifiers and opaque data are left alone."""
    segs = request_segments(fmt, body)
    assert [seg.role for seg in segs if SECRET in seg.text or seg.text == "4111111111111111"] == [role]
    assert not {"sig", "opaque", "apply_patch"} & {seg.text for seg in segs}


def test_thinking_and_opaque_data_are_left_as_sent():
    """A provider refuses a changed thinking block (its signature covers it); base64 is not text."""
    image = "iVBORw0KGgo" + "A" * 5000
    body = {"messages": [{"role": "assistant", "content": [
        {"type": "thinking", "thinking": f"the key is {SECRET}", "signature": "sig"},
        {"type": "redacted_thinking", "data": "opaque"}]},
        {"role": "user", "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                                   "data": image}}]}]}
    assert not [seg for seg in request_segments(ANTHROPIC_MESSAGES, body) if SECRET in seg.text or image in seg.text]
    responses = {"input": [{"type": "reasoning", "id": "r", "summary": [{"type": "summary_text", "text": SECRET}],
                            "encrypted_content": "opaque"},
                           {"type": "image_generation_call", "id": "ig", "result": image},
                           {"role": "user", "content": [{"type": "input_image", "image_url": "data:image/png;base64,"
                                                         + image}]}]}
    assert [seg.text for seg in request_segments(OPENAI_RESPONSES, responses)] == []


def test_tool_arguments_keep_their_json_when_a_number_is_redacted():
    from aegis_addons.wire.segments import apply
    body = {"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {
        "name": "pay", "arguments": '{"card": 4111111111111111, "cvv": 123, "q": "x", "q2": true}'}}]}]}
    segs = request_segments(OPENAI_CHAT, body)
    (card,) = [seg for seg in segs if seg.text == "4111111111111111"]
    card.text = "[[AEGIS:CREDIT_CARD:0123abcd]]"
    args = json.loads(apply(body, segs)["messages"][0]["tool_calls"][0]["function"]["arguments"])
    assert args == {"card": "[[AEGIS:CREDIT_CARD:0123abcd]]", "cvv": 123, "q": "x", "q2": True}


def test_tool_arguments_with_a_key_twice_are_scanned_as_text():
    body = {"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {
        "name": "f", "arguments": f'{{"q": "{SECRET}", "q": "x"}}'}}]}]}
    assert [seg.role for seg in request_segments(OPENAI_CHAT, body) if SECRET in seg.text] == [TOOL_ARGS]


def test_a_bare_number_as_tool_arguments_stays_json_when_redacted():
    from aegis_addons.wire.segments import apply
    body = {"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {
        "name": "f", "arguments": "4111111111111111"}}]}]}
    segs = request_segments(OPENAI_CHAT, body)
    (seg,) = [seg for seg in segs if seg.role == TOOL_ARGS]
    seg.text = "[[AEGIS:CREDIT_CARD:0123abcd]]"
    arguments = apply(body, segs)["messages"][0]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(arguments) == "[[AEGIS:CREDIT_CARD:0123abcd]]"
    tool_names = {"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
                                "function": {"name": "send_mail", "arguments": "{}"}}]}]}
    assert "send_mail" not in [seg.text for seg in request_segments(OPENAI_CHAT, tool_names)]  # a name is no text


def test_a_custom_tool_grammar_is_left_as_written():
    body = {"input": "hi", "tools": [{"type": "custom", "name": "acct", "format": {
        "type": "grammar", "syntax": "regex", "definition": r"^account (alice@example\.com|4111 1111 1111 1111)$"}}]}
    assert not [seg for seg in request_segments(OPENAI_RESPONSES, body) if "4111" in seg.text]


def test_encrypted_server_tool_output_is_not_text():
    blob = "QUJD" * 3000
    body = {"messages": [{"role": "assistant", "content": [
        {"type": "code_execution_tool_result", "tool_use_id": "c", "content": {
            "type": "encrypted_code_execution_result", "encrypted_stdout": "opaque", "stderr": "", "return_code": 0}},
        {"type": "bash_code_execution_tool_result", "tool_use_id": "b", "content": {
            "type": "bash_code_execution_result", "stdout": blob, "stderr": "", "return_code": 0}}]}]}
    assert not [seg for seg in request_segments(ANTHROPIC_MESSAGES, body) if seg.text in ("opaque", blob)]
