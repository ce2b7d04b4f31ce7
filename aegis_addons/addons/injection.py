"""Prompt-injection and jailbreak detection on the request, and on the answer.

Request: the newest user turn and untrusted content (tool results, function outputs, documents) are
scanned; older user turns are scanned too but can only be flagged; the operator's system prompt is
not scanned unless the policy says so. The token's policy decides (see policy.py): block the request
(403 request_blocked, the upstream never sees it), neutralize an untrusted segment, or flag and
forward. Answer: assistant text is scanned as it passes (echoed injections, exfiltration links) and
findings are reported; the text itself is left to the sanitizing stages.
"""

from __future__ import annotations

import logging
import threading

from mitmproxy import ctx, exceptions, http

from aegis_addons.addons.request_text import request_text
from aegis_addons.addons.scan_runner import (
    add_scan_options,
    blocked_by_scan_failure,
    check_scan_options,
    raise_if_stopped,
    run_scan,
)
from aegis_addons.context import ACTION_SANITIZE, FILTER_FULL, FlowContext, get_context
from aegis_addons.detect.findings import Finding
from aegis_addons.detect.injection import InjectionDetector
from aegis_addons.errors import make_error
from aegis_addons.options import add_option
from aegis_addons.policy import (
    LEVELS,
    InjectionPolicy,
    Policy,
    PolicyError,
    policy_named,
    shipped_policies,
)
from aegis_addons.wire.segments import (
    DOCUMENT,
    OTHER,
    SYSTEM,
    TOOL_RESULT,
    USER,
    Segment,
)
from aegis_addons.wire.stream import TEXT

log = logging.getLogger(__name__)

STAGE = "injection"
UNTRUSTED_ROLES = (TOOL_RESULT, DOCUMENT, OTHER)


def neutralized_marker(findings: list[Finding]) -> str:
    kinds = ",".join(dict.fromkeys(f.category for f in findings))
    return f"[aegis:removed untrusted content ({kinds})]"


def source_of(segment: Segment) -> str | None:
    if segment.role == USER:
        return "user"
    if segment.role in UNTRUSTED_ROLES:
        return "untrusted"
    if segment.role == SYSTEM:
        return "system"
    return None  # assistant history and tool arguments were checked when they were answers


class AnswerScan:
    """Pass-through text filter that scans the whole channel text when it ends and reports findings."""

    def __init__(self, detector: InjectionDetector, context: FlowContext, flag_score: float):
        self.detector, self.context, self.flag_score = detector, context, flag_score
        self.parts: list[str] = []

    def feed(self, text: str) -> str:
        self.parts.append(text)
        return text

    def flush(self) -> str:
        text = "".join(self.parts)
        if text:
            self.context.add_findings([f for f in self.detector.scan(text, source="assistant")
                                       if f.score >= self.flag_score])
        return ""


class _Passthrough:
    def feed(self, text: str) -> str:
        return text

    def flush(self) -> str:
        return ""


class InjectionGuard:
    def __init__(self) -> None:
        self.detector: InjectionDetector | None = None
        self.policies: dict[str, Policy] = {}

    def load(self, loader) -> None:
        add_option(loader, "aegis_security_level", str, "medium",
                   "low | medium | high, for policies that do not name their own level.")
        add_option(loader, "aegis_injection_classifier", bool, True,
                   "Use the local classifier besides the injection rules.")
        add_scan_options(loader)

    def configure(self, updated: set[str]) -> None:
        check_scan_options(updated)
        if ctx.options.aegis_security_level not in LEVELS:
            raise exceptions.OptionsError(f"aegis_security_level must be one of {', '.join(LEVELS)}")
        if not self.policies:
            try:
                self.policies = shipped_policies()
            except PolicyError as e:
                raise exceptions.OptionsError(str(e)) from e
        if self.detector is None or "aegis_injection_classifier" in updated:
            self.detector = InjectionDetector(use_classifier=ctx.options.aegis_injection_classifier)

    def policy_for(self, context: FlowContext) -> InjectionPolicy:
        return policy_named(self.policies, context.policy).injection(ctx.options.aegis_security_level)

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        if flow.response is None and context.filter_mode == FILTER_FULL:
            context.pending_stages.add(STAGE)

    async def request(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        parsed = request_text(flow)
        if flow.response is not None or context.filter_mode != FILTER_FULL:
            return
        if parsed is None:
            context.pending_stages.discard(STAGE)
            return
        policy = self.policy_for(context)
        work = [(seg, source) for seg in parsed.segments
                if (source := source_of(seg)) and (source != "system" or policy.scan_system)]
        try:
            results = await run_scan(lambda stop: self._scan_all(work, stop), sum(len(seg.text) for seg, _ in work))
        except Exception as e:  # noqa: BLE001 - fail closed: a timeout or a crash blocks the request
            flow.response = blocked_by_scan_failure(context, STAGE, "injection", e)
            return
        self._decide(flow, context, policy, parsed.segments, results)
        if flow.response is None:
            if policy.scan_answers:
                context.response_filters.append(
                    lambda kind, tool_name: AnswerScan(self.detector, context, policy.flag_score) if kind == TEXT
                    else _Passthrough())
            context.pending_stages.discard(STAGE)

    def _scan_all(self, work: list[tuple[Segment, str]], stop: threading.Event) -> list[tuple[Segment, list[Finding]]]:
        results = []
        for seg, source in work:
            raise_if_stopped(stop)
            results.append((seg, self.detector.scan(seg.text, source=source)))
        return results

    def _decide(self, flow: http.HTTPFlow, context: FlowContext, policy: InjectionPolicy,
                segments: list[Segment], results: list[tuple[Segment, list[Finding]]]) -> None:
        user_turns = [seg.turn for seg in segments if seg.role == USER]
        newest = max(user_turns) if user_turns else None
        blocking: list[tuple[Segment, list[Finding]]] = []
        for seg, findings in results:
            flagged = [f for f in findings if f.score >= policy.flag_score]
            if not flagged:
                continue
            context.add_findings(flagged)
            strong = [f for f in flagged if f.score >= policy.block_score]
            if not strong:
                continue
            if seg.role == USER and seg.turn == newest:
                blocking.append((seg, strong))
            elif seg.role in UNTRUSTED_ROLES:
                if policy.untrusted_action == "block":
                    blocking.append((seg, strong))
                elif policy.untrusted_action == "neutralize":
                    seg.text = neutralized_marker(strong)
                    context.notes.append(f"neutralized {seg.role} segment")
                    context.escalate(ACTION_SANITIZE)
        if blocking:
            seg, strong = blocking[0]
            flow.response = make_error(
                context, "request_blocked", "the request was blocked: it carries a prompt injection",
                detail={"where": seg.role, "findings": [
                    {"category": f.category, "score": round(f.score, 3), "rule": f.rule, "detail": f.detail}
                    for f in strong]})

