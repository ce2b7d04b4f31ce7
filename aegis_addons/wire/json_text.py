"""Reading request JSON strictly and writing JSON bodies back byte-exact.

Strict, because the gateway and the upstream must read a body the same way, or the upstream sees text
the gateway never scanned: with a key twice (`{"content": "<secret>", "content": "hi"}`) Python keeps
the last value and another parser may keep the first; `NaN`, `Infinity` and numbers too large for a
float are not JSON (Python would send `1e999` on as `Infinity`).

Byte-exact, because JSON may escape a lone UTF-16 surrogate (`"\\ud83d"`): Python decodes it to a
surrogate character that UTF-8 cannot encode. Written back with `backslashreplace`, it becomes the same
`\\ud83d` escape again (such characters only occur inside JSON strings), so the body means what the
client sent instead of failing to encode.
"""

from __future__ import annotations

import json
import math


def _object(pairs: list[tuple[str, object]]) -> dict:
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key[:40]!r}")
        obj[key] = value
    return obj


def _constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def loads_strict(text: str):
    """`json.loads`, refusing duplicate keys, NaN/Infinity and numbers out of a float's range
    (ValueError; RecursionError for nesting deeper than Python's parser goes)."""
    return json.loads(text, object_pairs_hook=_object, parse_constant=_constant, parse_float=_finite)


def dump_bytes(obj) -> bytes:
    """`obj` as UTF-8 JSON; a lone surrogate is written as its `\\uXXXX` escape."""
    return json.dumps(obj, ensure_ascii=False).encode("utf-8", "backslashreplace")
