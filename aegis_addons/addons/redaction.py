"""Request side: PII and secrets become keyed placeholders. Response side: placeholders become the
values again, and secrets the model wrote itself are redacted.

Every text segment of the request is redacted (system, user, history, tool arguments and results,
documents; all three wire formats and generic JSON or text bodies). The placeholder table lives only
in this request's session, so restoration can only ever return values this same request contained.
Agent conversations resend their history every turn, so redaction results are cached per segment
text: a turn costs only its new text. Any error while redacting blocks the request (fail closed).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from pathlib import Path

import yaml
from mitmproxy import ctx, exceptions, http

from aegis_addons.addons.request_text import request_text
from aegis_addons.addons.scan_runner import (
    add_scan_options,
    blocked_by_scan_failure,
    check_scan_options,
    raise_if_stopped,
    run_scan,
)
from aegis_addons.context import ACTION_REDACT, FILTER_FULL, FILTER_REDACT, get_context
from aegis_addons.detect.exact import ExactValueError, ExactValueMatcher
from aegis_addons.detect.gitleaks import load_gitleaks_rules
from aegis_addons.detect.output_redaction import SecretOutputFilter
from aegis_addons.detect.pii import PiiDetector
from aegis_addons.detect.placeholders import RedactionSession, Redactor, StreamRestorer, json_string_escape
from aegis_addons.detect.rulepack import RulePackError
from aegis_addons.keys import load_or_create_key
from aegis_addons.options import add_option, split_list
from aegis_addons.paths import aegis_home
from aegis_addons.wire.segments import USER
from aegis_addons.wire.stream import TOOL_ARGS

log = logging.getLogger(__name__)

SESSION = "aegis_redaction_session"
STAGE = "redaction"
_CACHE_ENTRIES = 4096
_CACHE_MAX_TEXT = 256 * 1024  # longer texts are redacted every time rather than held in memory


class SegmentCache:
    """LRU of (text digest, whitelist) -> (redacted text, the session that redacted it alone)."""

    def __init__(self, entries: int = _CACHE_ENTRIES):
        self.entries = entries
        self._items: OrderedDict[tuple[bytes, str], tuple[str, RedactionSession]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def read_secret_values(path: str) -> list[str]:
    """One value per line; blank lines and lines starting with # are ignored."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def read_whitelists(path: str) -> dict[str, list[str]]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(doc, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
            for k, v in doc.items()):
        raise ValueError("expected a mapping of whitelist names to lists of values")
    return doc


class Redaction:
    def __init__(self) -> None:
        self.detector: PiiDetector | None = None
        self.answer_detector: PiiDetector | None = None   # secret rules only, for answers
        self.exact: ExactValueMatcher | None = None
        self.key = b""
        self.whitelists: dict[str, list[str]] = {}
        self._redactors: dict[str, Redactor] = {}
        self.cache = SegmentCache()

    def load(self, loader) -> None:
        add_option(loader, "aegis_redaction_key", str, "",
                   "Key for placeholder tags (>= 16 characters). Empty: generated once into "
                   "AEGIS_HOME/redaction.key; replicas must share it.")
        add_option(loader, "aegis_secret_values_file", str, "",
                   "File of secret values (one per line) that are always redacted, in any segment.")
        add_option(loader, "aegis_extra_secret_rules", str, "",
                   "A gitleaks-format TOML whose rules are added to the secret detectors.")
        add_option(loader, "aegis_whitelists_file", str, "",
                   "YAML mapping whitelist names to values that pass unredacted for tokens "
                   "registered with that whitelist_key.")
        add_option(loader, "aegis_pii_relaxed", bool, False,
                   "Also redact infrastructure identifiers (internal hosts and URLs, container ids, K8s names).")
        add_option(loader, "aegis_redact_private_ips", bool, False,
                   "Also redact private, loopback and link-local IP addresses.")
        add_option(loader, "aegis_disabled_categories", str, "",
                   "Categories or families never redacted, comma-separated (e.g. pii.phone,infra).")
        add_option(loader, "aegis_redact_response_secrets", bool, True,
                   "Redact secrets the model writes itself in answers (restored values are not touched).")
        add_scan_options(loader)

    def configure(self, updated: set[str]) -> None:
        check_scan_options(updated)
        detector_options = {"aegis_extra_secret_rules", "aegis_pii_relaxed", "aegis_redact_private_ips",
                            "aegis_disabled_categories"}
        if updated & detector_options or self.detector is None:
            extra = []
            if ctx.options.aegis_extra_secret_rules:
                try:
                    imported = load_gitleaks_rules(ctx.options.aegis_extra_secret_rules)
                except (OSError, ValueError) as e:
                    raise exceptions.OptionsError(f"aegis_extra_secret_rules: {e}") from e
                for rule_id, reason in imported.skipped:
                    log.warning("aegis: gitleaks rule %s skipped: %s", rule_id, reason)
                extra = imported.rules
                log.info("aegis: %d gitleaks rules loaded", len(extra))
            try:
                settings = dict(relaxed=ctx.options.aegis_pii_relaxed,
                                redact_private_ips=ctx.options.aegis_redact_private_ips,
                                disabled_categories=split_list(ctx.options.aegis_disabled_categories),
                                extra_rules=extra)
                self.detector = PiiDetector(**settings)
                # Answers are checked for secrets only (SecretOutputFilter), so their scanner
                # carries only the secret rules: it runs at every word of a streamed answer.
                self.answer_detector = PiiDetector(**settings, families=("secret",), seed_phrases=False)
            except RulePackError as e:
                raise exceptions.OptionsError(f"rule packs: {e}") from e
        if "aegis_secret_values_file" in updated or self.exact is None:
            path = ctx.options.aegis_secret_values_file
            try:
                self.exact = ExactValueMatcher(read_secret_values(path) if path else [])
            except (OSError, ExactValueError) as e:
                raise exceptions.OptionsError(f"aegis_secret_values_file: {e}") from e
        if "aegis_whitelists_file" in updated and ctx.options.aegis_whitelists_file:
            try:
                self.whitelists = read_whitelists(ctx.options.aegis_whitelists_file)
            except (OSError, ValueError, yaml.YAMLError) as e:
                raise exceptions.OptionsError(f"aegis_whitelists_file: {e}") from e
        if "aegis_redaction_key" in updated or not self.key:
            configured = ctx.options.aegis_redaction_key
            if configured and len(configured) < 16:
                raise exceptions.OptionsError("aegis_redaction_key must be at least 16 characters")
            self.key = (configured or load_or_create_key(aegis_home() / "redaction.key")).encode()
        self._redactors.clear()
        self.cache.clear()

    def redactor(self, whitelist_key: str | None) -> Redactor:
        name = whitelist_key or ""
        if name not in self._redactors:
            self._redactors[name] = Redactor(self.key, self.detector, exact=self.exact,
                                             whitelist=self.whitelists.get(name, []))
        return self._redactors[name]

    def redact_text(self, text: str, redactor: Redactor, whitelist: str, session: RedactionSession) -> str:
        if not text:
            return text
        if len(text) > _CACHE_MAX_TEXT:
            return redactor.redact(text, session)
        key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), whitelist)
        cached = self.cache.get(key)
        if cached is None:
            alone = redactor.new_session()
            cached = (redactor.redact(text, alone), alone)
            self.cache.put(key, cached)
        redacted, alone = cached
        if session.merge(alone):
            return redacted
        return redactor.redact(text, session)  # tag collision with another segment: redo in place

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        if flow.response is None and context.filter_mode in (FILTER_FULL, FILTER_REDACT):
            context.pending_stages.add(STAGE)

    async def request(self, flow: http.HTTPFlow) -> None:
        parsed = request_text(flow)
        context = get_context(flow)
        if flow.response is not None or context.filter_mode not in (FILTER_FULL, FILTER_REDACT):
            return
        if parsed is None:  # nothing to scan (a route the gateway answers itself)
            context.pending_stages.discard(STAGE)
            return
        whitelist = context.token.whitelist_key if context.token is not None else None
        redactor = self.redactor(whitelist)
        session = redactor.new_session()
        def redact_all(stop: threading.Event) -> None:
            for segment in parsed.segments:
                raise_if_stopped(stop)
                segment.text = self.redact_text(segment.text, redactor, whitelist or "", session)

        try:
            # A large body (a first agent turn with whole files) is redacted in a worker thread, so
            # other flows keep moving, and within the scan time limit.
            await run_scan(redact_all, sum(len(segment.text) for segment in parsed.segments))
        except Exception as e:  # noqa: BLE001 - fail closed: nothing unredacted may leave
            flow.response = blocked_by_scan_failure(context, STAGE, "secrets", e)
            return
        if session.findings:
            context.add_findings(session.findings)
            context.escalate(ACTION_REDACT)
        users = [s for s in parsed.segments if s.role == USER]
        if users:  # the newest turn's last text (an unknown top-level field has no turn)
            newest = max(s.turn for s in users)
            context.excerpt = [s for s in users if s.turn == newest][-1].text[:2000]
        flow.metadata[SESSION] = session

        def output_secrets(kind: str, tool_name: str) -> SecretOutputFilter:
            def found(finding) -> None:
                context.add_findings([finding])
                context.escalate(ACTION_REDACT)
            return SecretOutputFilter(self.answer_detector, on_finding=found)

        if ctx.options.aegis_redact_response_secrets:
            context.response_filters.append(output_secrets)
        context.response_filters.append(lambda kind, tool_name: StreamRestorer(
            session, escape=json_string_escape if kind == TOOL_ARGS else None))
        context.pending_stages.discard(STAGE)
