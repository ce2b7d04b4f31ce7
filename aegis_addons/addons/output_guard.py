"""Dangerous answers: the danger, privilege and tool-call guards with the output sanitizer.

For every answer of a fully filtered flow this stage adds a filter to each text channel (see
answers.py, which runs the same filters over buffered and streamed answers):

- Text (assistant text, each choice, each content block): `DangerTextFilter` runs the danger and
  privilege detectors and the sanitizer of the token's policy and security level. It sends text only
  once it is final (the detectors' hold-back contract: the unfinished line, or what a multi-line rule
  could still span), rewritten: fragments obfuscated or replaced by a marker. A blocking finding ends
  the channel with the block marker after the text already sent, and the answer ends there.
- Tool-call arguments: `ToolArgsFilter` holds a call's arguments until they are complete (an agent
  cannot act on half a call anyway) and runs the tool-call guard on them with the tool's name. A call
  that must be replaced gets arguments `{"aegis_removed": "<marker>"}`; one that blocks gets
  `{"aegis_blocked": "<marker>"}` and ends the answer. Both stay valid JSON, so the client SDK parses
  the call, and no tool schema accepts them, so nothing runs. Obfuscation does not apply to
  arguments: low-risk calls pass and are reported.

The filters run after restoration, so they also check what the client will see once placeholders
are filled in (the post-restore guard). A detector that fails withholds the rest of the answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from mitmproxy import ctx, exceptions, http

from aegis_addons.context import (
    ACTION_BLOCK,
    ACTION_SANITIZE,
    FILTER_FULL,
    FlowContext,
    get_context,
)
from aegis_addons.detect.danger import DangerDetector, HoldBack
from aegis_addons.detect.findings import Finding
from aegis_addons.detect.privilege import PrivilegeGuard
from aegis_addons.detect.sanitize import (
    OutputSanitizer,
    block_marker,
    removed_marker,
    safe_prefix_length,
)
from aegis_addons.detect.tool_guard import ToolCallGuard
from aegis_addons.options import add_option
from aegis_addons.policy import Policy, PolicyError, policy_named, shipped_policies
from aegis_addons.wire.stream import TOOL_ARGS

log = logging.getLogger(__name__)

# Within a line, look for newly final text every RECHECK_CHARS characters while the line is short (so
# a one-line answer starts flowing early), then every RECHECK_CHARS_LATER (each look costs about a
# millisecond on a long line of prose: the hold-back asks every danger rule where a match could start).
RECHECK_CHARS = 32
RECHECK_CHARS_LATER = 96
RECHECK_EARLY_LINE = 256     # a line is short up to this many characters
REPORT_SCORE = 0.4          # findings at or above this are reported even when the level passes them
CHECK_FAILED = "danger.check_failed"

Scan = Callable[[str], list[Finding]]
Report = Callable[[list[Finding], str | None], None]     # findings, action to escalate to (or None)
OnBlock = Callable[[Finding], None]


class DangerTextFilter:
    """A chunk-invariant text filter (wire.stream.TextFilter) for one text channel of an answer.

    Holds the raw text not yet sent plus enough already-sent text before it for the detectors'
    context; each time text becomes final it is scanned, decided and sent once. So a streamed answer
    and the same answer buffered get exactly the same text.
    """

    def __init__(self, scan: Scan, hold: HoldBack, sanitizer: OutputSanitizer, report: Report,
                 on_block: OnBlock):
        self.scan, self.hold, self.sanitizer = scan, hold, sanitizer
        self.report, self.on_block = report, on_block
        # Matches read forward from where they start (and a few characters back in look-behinds);
        # discussion cues read `window` characters back. Rescanning that much decided text before the
        # undecided part finds there exactly what a scan of the whole text finds.
        self.lookback = max(d.cues.window for d in hold.detectors) + 64
        self.raw = ""               # a suffix of the channel's text: context + undecided text
        self.done = 0               # offset in `raw` up to which text is decided and sent
        self.sent_ends_line = True  # what was sent is empty or ends with a newline
        self.blocked = False
        self.unchecked = 0          # characters fed since the last look for newly final text
        self.pending = 0            # offset in `raw` before which nothing can change (last look)

    def feed(self, text: str) -> str:
        if self.blocked:
            return ""
        self.raw += text
        self.unchecked += len(text)
        # Text becomes final mostly at line ends; between them look only now and then (releasing
        # later never changes what is sent, only when).
        if "\n" not in text and self.unchecked < self._recheck_every():
            return ""
        self.unchecked = 0
        # Each look starts where the last one found something pending: a stream pays for its new text.
        self.pending = self.hold.pending_start(self.raw, self.pending)
        if self.pending <= self.done:
            return ""               # nothing new is final yet
        return self._release(final=False)

    def flush(self) -> str:
        if self.blocked:
            return ""
        return self._release(final=True)

    def _recheck_every(self) -> int:
        line = len(self.raw) - (self.raw.rfind("\n") + 1)
        return RECHECK_CHARS if line <= RECHECK_EARLY_LINE else RECHECK_CHARS_LATER

    def _scan_base(self) -> int:
        """Where to start scanning: a line start about `lookback` characters before the undecided text."""
        base = max(0, self.done - self.lookback)
        if base:
            line_start = self.raw.rfind("\n", 0, base) + 1
            if base - line_start <= self.lookback:
                base = line_start
        return base

    def _release(self, final: bool) -> str:
        base = self._scan_base()
        try:
            findings = [f.shifted(base) for f in self.scan(self.raw[base:])]
        except Exception:
            log.exception("aegis: danger scan failed")
            failed = Finding(CHECK_FAILED, self.done, len(self.raw), 1.0, "scan_error",
                             "the answer could not be checked")
            return self._block("", failed, [failed])
        end = safe_prefix_length(self.raw, findings, _Known(self.pending), final=final)
        if end <= self.done:
            return ""
        chunk = self.raw[self.done:end]
        window = [f.shifted(-self.done) for f in findings if f.start >= self.done and f.end <= end]
        decision = self.sanitizer.decide(window)
        if decision.blocked_by is not None:
            cut = decision.blocked_by.start
            before = self.sanitizer.rewrite(chunk[:cut], [f for f in decision.acted if f.end <= cut])
            return self._block(before, decision.blocked_by,
                               [f for f in window if f.start <= cut and self._reportable(f, decision.acted)])
        out = self.sanitizer.rewrite(chunk, decision.acted)
        reported = [f for f in window if self._reportable(f, decision.acted)]
        if reported:
            self.report(reported, ACTION_SANITIZE if decision.acted else None)
        self.done = end
        if out:
            self.sent_ends_line = out.endswith("\n")
        self._trim()
        return out

    @staticmethod
    def _reportable(f: Finding, acted: tuple[Finding, ...]) -> bool:
        return f.score >= REPORT_SCORE or f in acted

    def _block(self, before: str, finding: Finding, findings: list[Finding]) -> str:
        """Send the decided text before the blocking finding, then the block marker; nothing after."""
        self.blocked = True
        ends_line = before.endswith("\n") if before else self.sent_ends_line
        self.report(findings, ACTION_BLOCK)
        self.on_block(finding)
        self.raw = ""
        return f"{before}{'' if ends_line else chr(10)}{block_marker(finding.category)}"

    def _trim(self) -> None:
        """Forget decided text the detectors will never read again (keeps memory flat on long answers)."""
        base = self._scan_base()
        if base > 4 * self.lookback:
            self.raw = self.raw[base:]
            self.done -= base
            self.pending = max(0, self.pending - base)


class _Known:
    """A pending start already worked out for the text at hand (for `safe_prefix_length`)."""

    def __init__(self, start: int):
        self.start = start

    def pending_start(self, text: str) -> int:
        return self.start


class ToolArgsFilter:
    """Holds one tool call's arguments until they are complete, then lets the tool-call guard decide."""

    def __init__(self, guard: ToolCallGuard, tool_name: str, sanitizer: OutputSanitizer, report: Report,
                 on_block: OnBlock):
        self.guard, self.tool_name, self.sanitizer = guard, tool_name, sanitizer
        self.report, self.on_block = report, on_block
        self.parts: list[str] = []

    def feed(self, text: str) -> str:
        self.parts.append(text)
        return ""

    def flush(self) -> str:
        arguments, self.parts = "".join(self.parts), []
        if not arguments:
            return ""
        try:
            findings = self.guard.scan_call(self.tool_name, arguments)
        except Exception:
            log.exception("aegis: tool-call check failed")
            findings = [Finding(CHECK_FAILED, 0, len(arguments), 1.0, "scan_error",
                                "the tool call could not be checked")]
            self.report(findings, ACTION_BLOCK)
            self.on_block(findings[0])
            return json.dumps({"aegis_blocked": block_marker(CHECK_FAILED)})
        actions = {f: self.sanitizer.action_for(f) for f in findings}
        reported = [f for f, a in actions.items() if a != "pass" or f.score >= REPORT_SCORE]
        blocking = [f for f, a in actions.items() if a == "block"]
        if blocking:
            self.report(reported, ACTION_BLOCK)
            self.on_block(blocking[0])
            return json.dumps({"aegis_blocked": block_marker(blocking[0].category)})
        replacing = [f for f, a in actions.items() if a == "replace"]
        if replacing:
            self.report(reported, ACTION_SANITIZE)
            return json.dumps({"aegis_removed": removed_marker(replacing[0].category)})
        if reported:
            self.report(reported, None)
        return arguments


class OutputGuard:
    def __init__(self) -> None:
        self.policies: dict[str, Policy] = {}
        self.danger: DangerDetector | None = None
        self.privilege: PrivilegeGuard | None = None
        self.tool_guard: ToolCallGuard | None = None
        self.hold: HoldBack | None = None

    def load(self, loader) -> None:
        add_option(loader, "aegis_tool_workspace_roots", str, "",
                   "Comma-separated folders that tool calls may write in; a write elsewhere is flagged "
                   "(empty: only system paths and '..' are).")

    def configure(self, updated: set[str]) -> None:
        if not self.policies:
            try:
                self.policies = shipped_policies()
            except PolicyError as e:
                raise exceptions.OptionsError(str(e)) from e
        if self.danger is None:
            self.danger, self.privilege = DangerDetector(), PrivilegeGuard()
            self.hold = HoldBack(self.danger, self.privilege)
        if self.tool_guard is None or "aegis_tool_workspace_roots" in updated:
            roots = [r.strip() for r in ctx.options.aegis_tool_workspace_roots.split(",") if r.strip()]
            self.tool_guard = ToolCallGuard(roots, self.danger, self.privilege)

    def sanitizer_for(self, context: FlowContext) -> OutputSanitizer:
        policy = policy_named(self.policies, context.policy)
        option_level = ctx.options.aegis_security_level      # validated by the injection stage
        level = policy.level(option_level)
        return OutputSanitizer(level, {level: policy.output_thresholds(option_level)})

    def scan_text(self, text: str) -> list[Finding]:
        return self.danger.scan(text) + self.privilege.scan(text)

    def request(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        if flow.response is not None or context.filter_mode != FILTER_FULL:
            return
        sanitizer = self.sanitizer_for(context)

        def report(findings: list[Finding], action: str | None) -> None:
            context.add_findings(findings)
            if action:
                context.escalate(action)

        def on_block(finding: Finding) -> None:
            if context.answer_blocked is None:
                context.answer_blocked = finding
                context.notes.append(f"answer withheld: {finding.category} ({finding.rule})")

        def make_filter(kind: str, tool_name: str):
            if kind == TOOL_ARGS:
                return ToolArgsFilter(self.tool_guard, tool_name, sanitizer, report, on_block)
            return DangerTextFilter(self.scan_text, self.hold, sanitizer, report, on_block)

        context.response_filters.append(make_filter)
