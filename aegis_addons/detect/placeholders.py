"""Reversible, unforgeable placeholders: redact a request, restore the answer (buffered or streamed).

Placeholder format: `[[AEGIS:EMAIL:7f3a9c21]]`

  * `AEGIS` marks it as ours, so restoration never touches ordinary text, and tolerant matching
    (below) stays safe.
  * `EMAIL` is the finding's kind (`pii.email` -> `EMAIL`, `secret.aws_access_key` ->
    `AWS_ACCESS_KEY`): the model still knows what stood there and writes sensible text around it.
  * `7f3a9c21` is a tag: the first 8 hex digits of HMAC-SHA256(gateway key, category + value). The same
    value gets the same placeholder in every turn of a conversation (history is resent on every turn,
    so the provider sees a consistent transcript), the provider cannot recover or confirm a value
    from its tag (unlike a plain hash of a phone number), and nobody without the key can compute the
    placeholder of a value.
  * Why this shape: it is short, pure ASCII, has no spaces or quotes and tokenizes into a few common
    tokens, which models copy verbatim; square brackets are left alone by Markdown, HTML and JSON
    (unlike `<EMAIL>`, which renderers eat, or `{{...}}`, which template engines expand); upper-case
    words read as a label, not as prose to translate or rephrase.

Restoration only ever uses the `RedactionSession` of the same request: a table from issued
placeholder to original value, filled by `Redactor.redact` and thrown away with the request. There
is no global vault, so a model (or a client) cannot get any value back that was not redacted from
this very request. A placeholder that arrives in the incoming text (a client trying to smuggle
`[[AEGIS:EMAIL:...]]` in a prompt) is not PII, passes through redaction unchanged and is not entered
in the session; when the model repeats it, restoration leaves it as it is and counts it as
unrestorable. The one way such a string could be restored is if this same request also contained a
value with exactly that placeholder, and then it restores to the value the client itself sent.

Restoration tolerates small rewrites by the model: case changes (`[[aegis:email:7F3A9C21]]`),
brackets dropped or changed (`AEGIS:EMAIL:7f3a9c21`, `[AEGIS:EMAIL:7f3a9c21]`, `【AEGIS:EMAIL:…】`),
spaces around separators (`[[ AEGIS : EMAIL : 7f3a9c21 ]]`) and `_`/`-`/`|` as separators. It never
restores a tag that this session did not issue.

`StreamRestorer` does the same on streamed text: `feed(delta)` returns what is safe to emit and holds
back only a suffix that could still grow into a placeholder; `flush()` ends the stream. For any split
of a text into deltas, the concatenated output equals `restore()` of the whole text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from aegis_addons.detect.escapes import unescape_json
from aegis_addons.detect.exact import ExactValueMatcher
from aegis_addons.detect.findings import Finding, resolve_overlaps

TAG_HEX_DIGITS = 8
COLLISION_TAG_HEX_DIGITS = 16  # used only if two values of one session share the short tag
MIN_KEY_BYTES = 16


class Detector(Protocol):
    def scan(self, text: str) -> list[Finding]: ...


def kind_label(category: str) -> str:
    """`pii.email` -> `EMAIL`, `secret.generic-api-key` -> `GENERIC_API_KEY`."""
    kind = category.split(".", 1)[-1]
    return re.sub(r"[^A-Za-z0-9]+", "_", kind).strip("_").upper() or "VALUE"


def _canonical_kind(kind: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", kind.upper())


# --- the tolerant placeholder grammar ----------------------------------------------------------------
# Written once as a token list, from which two regexes are built: the full placeholder, and a regex
# accepting every *prefix* of a placeholder (what a stream must hold back).

@dataclass(frozen=True)
class _Tok:
    cls: str
    lo: int
    hi: int
    name: str | None = None


@dataclass(frozen=True)
class _Opt:
    items: tuple[_Tok, ...]


# A model writing Markdown may escape the brackets and underscores (`\[\[AEGIS:API\_KEY:…\]\]`): a
# backslash is accepted before each of them (the kind's canonical form drops it).
_SP = _Tok(r"[ \t]", 0, 2)
_SEP = (_SP, _Tok(r"[:：_\-|\\]", 0, 2), _SP)
_GRAMMAR: tuple[_Tok | _Opt, ...] = (
    _Opt((_Tok(r"[\[【<\\]", 1, 4), _SP)),
    _Tok("[Aa]", 1, 1), _Tok("[Ee]", 1, 1), _Tok("[Gg]", 1, 1), _Tok("[Ii]", 1, 1), _Tok("[Ss]", 1, 1),
    *_SEP,
    _Tok(r"[A-Za-z0-9_\\]", 1, 48, "kind"),
    *_SEP,
    _Tok(r"[0-9A-Fa-f]", TAG_HEX_DIGITS, COLLISION_TAG_HEX_DIGITS, "tag"),
    _Opt((_SP, _Tok(r"[\]】>\\]", 1, 4))),
)


def _full(seq: tuple) -> str:
    parts = []
    for item in seq:
        if isinstance(item, _Opt):
            parts.append(f"(?:{_full(item.items)})?")
        else:
            core = f"{item.cls}{{{item.lo},{item.hi}}}"
            parts.append(f"(?P<{item.name}>{core})" if item.name else core)
    return "".join(parts)


def _prefix(seq: tuple) -> str:
    """A regex whose full matches are exactly the prefixes of strings matching `_full(seq)`."""
    if not seq:
        return ""
    head, rest = seq[0], seq[1:]
    if isinstance(head, _Opt):
        return f"(?:{_prefix(head.items + rest)}|{_prefix(rest)})"
    return f"(?:{head.cls}{{{head.lo},{head.hi}}}{_prefix(rest)}|{head.cls}{{0,{head.hi}}})"


def _max_length(seq: tuple) -> int:
    return sum(_max_length(i.items) if isinstance(i, _Opt) else i.hi for i in seq)


PLACEHOLDER_RE = re.compile(_full(_GRAMMAR))
_PREFIX_RE = re.compile(_prefix(_GRAMMAR))
_MAX_LENGTH = _max_length(_GRAMMAR)
_FIRST_CHARS = frozenset("[【<\\Aa")


def _hold_point(buf: str, pos: int) -> int:
    """The first index >= pos from which `buf` could still become (or grow) a placeholder."""
    for j in range(max(pos, len(buf) - _MAX_LENGTH), len(buf)):
        if buf[j] in _FIRST_CHARS and _PREFIX_RE.fullmatch(buf, j):
            return j
    return len(buf)


# --- sessions and redaction --------------------------------------------------------------------------

@dataclass
class RedactionSession:
    """What one request redacted: placeholder -> original value, the findings, restoration counts.

    Create one per HTTP request (`Redactor.new_session()`), use it for every segment of that request
    and for restoring its answer, then drop it. `findings` keeps each finding's span in the text that
    was passed to `redact` (one entry per replaced value, segment after segment).
    """

    findings: list[Finding] = field(default_factory=list)
    restored_count: int = 0
    unrestorable_count: int = 0
    _values: dict[tuple[str, str], str] = field(default_factory=dict)  # (KIND, tag) -> value
    _by_tag: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._values)

    @property
    def categories(self) -> list[str]:
        return sorted({f.category for f in self.findings})

    def lookup(self, kind: str, tag: str) -> str | None:
        """The value behind an issued placeholder; tolerant of a rewritten kind, never of the tag."""
        tag = tag.lower()
        value = self._values.get((_canonical_kind(kind), tag))
        if value is None and len(keys := self._by_tag.get(tag, [])) == 1:
            value = self._values[keys[0]]
        return value

    def merge(self, other: RedactionSession) -> bool:
        """Adopt the placeholders and findings of `other` (a cached redaction of one segment).

        Returns False, adopting nothing, when one of its placeholders already names a different
        value here (an 8-digit tag collision); the caller then redacts that text into this session.
        """
        if any(self._values.get(key, value) != value for key, value in other._values.items()):
            return False
        for key, value in other._values.items():
            if key not in self._values:
                self._values[key] = value
                self._by_tag.setdefault(key[1], []).append(key)
        self.findings.extend(other.findings)
        return True

    def _issue(self, kind: str, tag: str, value: str) -> bool:
        """Record a placeholder; False if the tag is already taken by a different value."""
        key = (_canonical_kind(kind), tag)
        existing = self._values.get(key)
        if existing is not None:
            return existing == value
        self._values[key] = value
        self._by_tag.setdefault(tag, []).append(key)
        return True


class Redactor:
    """Replaces every finding by a keyed placeholder and records it in the request's session.

    `key` is the per-gateway secret (at least 16 bytes); `detector` is anything with `scan(text)`
    (normally a `PiiDetector`); `exact` an optional `ExactValueMatcher` for operator-configured values;
    `whitelist` values are never replaced (compared with the matched text, surrounding spaces ignored).
    """

    def __init__(self, key: bytes, detector: Detector | None = None, *,
                 exact: ExactValueMatcher | None = None, whitelist: Iterable[str] = ()) -> None:
        if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the placeholder key must be at least {MIN_KEY_BYTES} bytes")
        self._key = key
        self.detector = detector
        self.exact = exact
        self.whitelist = frozenset(w.strip() for w in whitelist if w.strip())

    @staticmethod
    def new_session() -> RedactionSession:
        return RedactionSession()

    def tag(self, category: str, value: str, digits: int = TAG_HEX_DIGITS) -> str:
        mac = hmac.new(self._key, f"{category}\x00{value}".encode(), hashlib.sha256)
        return mac.hexdigest()[:digits]

    def placeholder_for(self, category: str, value: str, session: RedactionSession) -> str:
        """Issue (or reuse) the placeholder of `value` in `session`."""
        kind = kind_label(category)
        tag = self.tag(category, value)
        if not session._issue(kind, tag, value):
            tag = self.tag(category, value, COLLISION_TAG_HEX_DIGITS)
            session._issue(kind, tag, value)
        return f"[[AEGIS:{kind}:{tag}]]"

    def redact(self, text: str, session: RedactionSession) -> str:
        findings = list(self.detector.scan(text)) if self.detector is not None else []
        exact_values = {}
        if self.exact is not None:
            exact_values = {m.finding: m.value for m in self.exact.matches(text)}
            findings.extend(exact_values)
        out: list[str] = []
        pos = 0
        for f in resolve_overlaps(findings):
            raw = text[f.start:f.end]
            # a value found through JSON escapes (`\\/`, `\\u0040`) is recorded as it reads, so it is
            # restored as itself (and escaped again where it goes back into JSON)
            decoded = unescape_json(raw, decode="/") if f not in exact_values else None
            value = exact_values.get(f, decoded.text if decoded is not None else raw)
            if raw.strip() in self.whitelist or value.strip() in self.whitelist:
                continue
            out.append(text[pos:f.start])
            out.append(self.placeholder_for(f.category, value, session))
            session.findings.append(f)
            pos = f.end
        out.append(text[pos:])
        return "".join(out)


# --- restoration -------------------------------------------------------------------------------------

def json_string_escape(value: str) -> str:
    """`value` as it is written inside a JSON string (quotes, backslashes and line breaks escaped)."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _restore_into(buf: str, session: RedactionSession, final: bool, out: list[str],
                  escape: Callable[[str], str] | None = None) -> tuple[str, int, int]:
    """Append the restorable part of `buf` to `out`; return (held-back rest, restored, unrestorable).
    `escape` writes a restored value in the text's own syntax (JSON, for tool-call arguments)."""
    pos = restored = unrestorable = 0
    while True:
        stop = len(buf) if final else _hold_point(buf, pos)
        m = PLACEHOLDER_RE.search(buf, pos)
        # A match starting before `stop` is final: no text still to come can change it.
        if m is None or m.start() >= stop:
            out.append(buf[pos:stop])
            break
        out.append(buf[pos:m.start()])
        value = session.lookup(m["kind"], m["tag"])
        if value is None:
            out.append(m.group())
            unrestorable += 1
        else:
            out.append(value if escape is None else escape(value))
            restored += 1
        pos = m.end()
    session.restored_count += restored
    session.unrestorable_count += unrestorable
    return buf[stop:], restored, unrestorable


def restore(text: str, session: RedactionSession,
            escape: Callable[[str], str] | None = None) -> tuple[str, int, int]:
    """Replace the placeholders issued by `session`; returns (text, restored, unrestorable).

    The counts are also added to `session.restored_count` / `session.unrestorable_count`.
    """
    out: list[str] = []
    _, restored, unrestorable = _restore_into(text, session, True, out, escape)
    return "".join(out), restored, unrestorable


class StreamRestorer:
    """Incremental `restore` for streamed text (one per streamed text channel of a response). Tool-call
    arguments are JSON text: give `escape=json_string_escape` there, or a value holding a quote, a
    backslash or a line break would break (or change) the arguments."""

    def __init__(self, session: RedactionSession, escape: Callable[[str], str] | None = None) -> None:
        self.session = session
        self.escape = escape
        self._pending = ""

    @property
    def pending(self) -> str:
        """Text received but held back because it could still be the start of a placeholder."""
        return self._pending

    def feed(self, delta: str) -> str:
        out: list[str] = []
        self._pending, _, _ = _restore_into(self._pending + delta, self.session, False, out, self.escape)
        return "".join(out)

    def flush(self) -> str:
        out: list[str] = []
        self._pending, _, _ = _restore_into(self._pending, self.session, True, out, self.escape)
        return "".join(out)
