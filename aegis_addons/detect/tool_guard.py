"""Tool-call guard: checks the arguments of a tool call the model asks the client to run.

`ToolCallGuard.scan_call(name, arguments)` takes the tool name and its arguments as a dict or as the
JSON text the wire format carries (OpenAI `function.arguments`, Responses `function_call.arguments`,
Anthropic `tool_use.input`). `scan_partial(name, text)` takes the arguments accumulated so far from
streamed deltas (`arguments` deltas, `input_json_delta.partial_json`); it reads incomplete JSON
leniently and reports only what more text cannot change (see below).

Findings (one per category and argument, each a whole-call verdict spanning the argument text, which is
the raw JSON string when one was given, else `json.dumps(arguments)`):
- `tool.dangerous_command`: a shell command (or code for an interpreter tool) that the danger detector
  or privilege guard flags; the detail names the underlying category. Discussion cues never lower these
  scores: a tool call is executed, not read.
- `tool.write_outside_workspace`: a write or edit to a system location (`/etc`, `~/.ssh`, `~/.bashrc`,
  ...), or, when workspace roots are configured, to an absolute or `..` path outside every root. Shell
  redirections (`> /etc/hosts`, `tee -a ~/.bashrc`) count too.
- `tool.secret_file_read`: a read of a credential file (`.env`, `~/.ssh/id_*`, `~/.aws/credentials`,
  `/etc/shadow`, ...) by a file tool or a shell command.
- `tool.exfiltration_url`: a URL to a paste, webhook or tunnel service, to a raw public IP, or carrying a
  long data-like query string.

Which checks apply is decided by the argument key (`command`/`cmd`/`script` are commands,
`path`/`file_path`/... are paths, `url`/`uri`/... are URLs) and, for paths, by the tool name: a name
that reads (`read`, `view`, `cat`) or writes (`write`, `edit`, `create`, `patch`, ...). Names are
normalised first: MCP prefixes such as `mcp__server__` and namespaces such as `functions.` are
dropped and the rest lower-cased.

Partial arguments: string values that are complete in the partial JSON get every check. The value
still being written gets only the command check, and only for matches that end before the detectors'
`pending_start` (its unfinished last line, see `aegis_addons.detect.danger`); path and URL checks wait
for the complete value.
"""

from __future__ import annotations

import ipaddress
import json
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from json.decoder import scanstring
from urllib.parse import urlsplit

from aegis_addons.detect.danger import DangerDetector
from aegis_addons.detect.findings import Finding
from aegis_addons.detect.privilege import PrivilegeGuard

COMMAND_KEYS = frozenset({"command", "cmd", "commands", "script", "shell_command", "bash_command",
                          "code", "args", "argv", "input"})
PATH_KEYS = frozenset({"path", "file_path", "filepath", "file", "filename", "target_file", "notebook_path",
                       "destination", "dest", "target", "output_path", "source", "src", "dir", "directory",
                       "cwd", "workdir"})
# Path keys that name where to read from or run in, never what is written.
NOT_WRITTEN_KEYS = frozenset({"source", "src", "cwd", "workdir"})
URL_KEYS = frozenset({"url", "uri", "href", "link", "endpoint", "webhook", "webhook_url", "target_url"})

# Tool names (normalised) that run their arguments as commands or code.
SHELL_TOOL = re.compile(r"(?:^|[_.-])(?:bash|shell|sh|zsh|powershell|pwsh|terminal|exec|execute|run|"
                        r"run_terminal_cmd|run_command|execute_command|local_shell|container|python|"
                        r"code_interpreter|repl)(?:$|[_.-])")
WRITE_TOOL = re.compile(r"write|edit|create|save|append|patch|insert|replace|update|move|rename|copy|"
                        r"delete|remove|mkdir|upload|put|notebook")
READ_TOOL = re.compile(r"read|view|cat|open|get|load|show|head|tail|download|fetch_file|grep|search")

# Writing here changes how the machine or the user's shell behaves, whatever the workspace is.
SYSTEM_WRITE = re.compile(
    r"^(?:/etc|/usr|/bin|/sbin|/boot|/lib|/lib64|/sys|/proc|/root|/var/spool/cron|/var/lib|/Library|"
    r"/System|[a-zA-Z]:/Windows|[a-zA-Z]:/Program Files)(?:/|$)|"
    r"^/dev/(?!null$|stdout$|stderr$)|"
    r"(?:^|/)\.ssh/|(?:^|/)\.(?:bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|"
    r"config/fish/config\.fish|gitconfig|npmrc|pypirc|netrc|aws/|kube/|docker/config\.json)|"
    r"(?:^|/)\.config/(?:autostart|systemd)/|(?:^|/)LaunchAgents/|(?:^|/)\.git/hooks/", re.IGNORECASE)

# Credential files. `.env.example` and friends are templates, not secrets.
SECRET_FILES = re.compile(
    r"(?:^|/)\.env(?:\.(?!example|sample|template|dist|defaults)[\w-]{1,20})?$|"
    r"(?:^|/)\.ssh/(?:id_[a-z0-9_]{2,12}(?<!\.pub)$|[^/]{1,64}_(?:rsa|ed25519|ecdsa|dsa)$)|"
    r"(?:^|/)\.aws/credentials$|(?:^|/)\.config/gcloud/(?:credentials|application_default|legacy)|"
    r"(?:^|/)\.azure/(?:accessTokens|msal_token_cache)|(?:^|/)\.docker/config\.json$|(?:^|/)\.kube/config$|"
    r"(?:^|/)\.(?:git-credentials|netrc|pgpass|npmrc|pypirc)$|^/etc/(?:shadow|gshadow|sudoers)$|"
    r"(?:^|/)(?:Login Data|logins\.json|key[34]\.db|Cookies)$|\.(?:pem|key|p12|pfx|keystore|jks)$|"
    r"(?:^|/)(?:credentials|secrets?)\.(?:json|ya?ml|toml)$", re.IGNORECASE)
SECRET_SCORE = {".ssh/": 0.9, "shadow": 0.9, ".aws/": 0.9}

PATH_TOKEN = re.compile(r"""(?:~|\$HOME|\.{1,2})?/?[\w.@%+~-]{0,80}(?:/[\w.@%+ ~-]{0,80}){0,12}""")
SHELL_READ = re.compile(r"\b(?:cat|less|more|head|tail|base64|xxd|od|strings|scp|rsync|cp|tar|zip|curl|nc|"
                        r"grep|awk|sed|type|Get-Content|gc|open|python3?|node)\b[^|;&\n]{0,160}")
SHELL_WRITE = re.compile(r"(?:>{1,2}|\btee\s{1,3}(?:-a\s{1,3})?|\b(?:cp|mv|install|ln\s{1,3}-sf?)\s{1,3}\S{1,200}\s{1,3})"
                         r"\s{0,3}['\"]?((?:~|\$HOME|/)[^\s'\";|&>]{0,200})")
URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>`)\]]{1,2000}")

EXFIL_HOSTS = re.compile(
    r"(?:^|\.)(?:pastebin\.com|paste\.ee|hastebin\.com|ghostbin\.\w{2,4}|dpaste\.\w{2,3}|termbin\.com|"
    r"transfer\.sh|file\.io|0x0\.st|temp\.sh|webhook\.site|requestbin\.\w{2,4}|pipedream\.net|"
    r"requestcatcher\.com|beeceptor\.com|hookbin\.com|burpcollaborator\.net|oastify\.com|interact\.sh|"
    r"oast\.(?:fun|live|me|online|pro|site)|canarytokens\.com|ngrok\.io|ngrok-free\.app|ngrok\.app|"
    r"trycloudflare\.com|loca\.lt|serveo\.net|localhost\.run)$", re.IGNORECASE)
WEBHOOK_PATHS = re.compile(r"discord(?:app)?\.com/api/webhooks/|hooks\.slack\.com/services/|api\.telegram\.org/bot",
                           re.IGNORECASE)
DATA_LIKE = re.compile(r"[A-Za-z0-9+/_=%-]{40,}")


@dataclass(frozen=True, slots=True)
class ArgValue:
    """One string argument (array items under the same key are joined with spaces)."""

    key: str | None
    value: str
    complete: bool


def normalise_tool_name(name: str) -> str:
    name = name.strip().lower()
    name = re.sub(r"^mcp__[^_]+(?:_[^_]+)*?__", "", name)   # mcp__<server>__<tool>
    return name.rsplit(".", 1)[-1].rsplit("/", 1)[-1]


def iter_json_strings(text: str) -> Iterator[ArgValue]:
    """String values of a JSON document that may be cut off anywhere, with their keys.

    Object keys are tracked on a stack; items of an array inherit the key that holds the array and
    are joined, so `{"command": ["bash", "-lc", "rm -rf ~"]}` yields one command. The value cut off
    at the end is yielded with `complete=False`.
    """
    stack: list[list] = []           # frames: [kind, key, expecting_key, array_items]
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            try:
                value, i = scanstring(text, i + 1)
                complete = True
            except ValueError:
                value, i, complete = _lenient_tail(text[i + 1:]), n, False
            top = stack[-1] if stack else None
            if top is not None and top[0] == "{" and top[2]:
                if complete:
                    top[1], top[2] = value, False
                continue
            if top is not None and top[0] == "[":
                top[3].append(value)
                continue
            yield ArgValue(top[1] if top is not None else None, value, complete)
            continue
        if c == "{":
            stack.append(["{", None, True, None])
        elif c == "[":
            parent_key = stack[-1][1] if stack else None
            stack.append(["[", parent_key, False, []])
        elif c in "}]":
            if stack:
                frame = stack.pop()
                if frame[0] == "[" and frame[3]:
                    yield ArgValue(frame[1], " ".join(frame[3]), True)
        elif c == "," and stack and stack[-1][0] == "{":
            stack[-1][2] = True
        i += 1
    for frame in reversed(stack):      # arrays still open when the text ends
        if frame[0] == "[" and frame[3]:
            yield ArgValue(frame[1], " ".join(frame[3]), False)


def _lenient_tail(raw: str) -> str:
    """Decode an unterminated JSON string body, dropping an escape that was cut in half."""
    raw = re.sub(r"\\u[0-9a-fA-F]{0,3}$|\\$", "", raw)
    try:
        return json.loads(f'"{raw}"')
    except ValueError:
        return raw


def iter_dict_strings(obj: object, key: str | None = None) -> Iterator[ArgValue]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from iter_dict_strings(v, str(k))
    elif isinstance(obj, list):
        if obj and all(isinstance(v, str) for v in obj):
            yield ArgValue(key, " ".join(obj), True)
        else:
            for v in obj:
                yield from iter_dict_strings(v, key)
    elif isinstance(obj, str):
        yield ArgValue(key, obj, True)


class ToolCallGuard:
    """Checks tool-call arguments; see the module docstring."""

    def __init__(self, workspace_roots: Iterable[str] = (), danger: DangerDetector | None = None,
                 privilege: PrivilegeGuard | None = None):
        self.roots = tuple(_norm_path(r) for r in workspace_roots)
        self.danger = danger or DangerDetector()
        self.privilege = privilege or PrivilegeGuard()
        self.max_pending_chars = max(self.danger.max_pending_chars, self.privilege.max_pending_chars)

    def scan_call(self, name: str, arguments: str | dict) -> list[Finding]:
        """Findings for a complete tool call."""
        if isinstance(arguments, str):
            text = arguments
            values = list(iter_json_strings(text)) if text.lstrip().startswith(("{", "[")) else \
                [ArgValue(None, text, True)]
        else:
            text = json.dumps(arguments, ensure_ascii=False)
            values = list(iter_dict_strings(arguments))
        return self._scan_values(name, values, len(text))

    def scan_partial(self, name: str, partial_arguments: str) -> list[Finding]:
        """Findings that are already certain in arguments still being streamed."""
        return self._scan_values(name, list(iter_json_strings(partial_arguments)), len(partial_arguments))

    def _scan_values(self, name: str, values: list[ArgValue], length: int) -> list[Finding]:
        tool = normalise_tool_name(name)
        runs_commands = bool(SHELL_TOOL.search(tool))
        writes = bool(WRITE_TOOL.search(tool))
        reads = bool(READ_TOOL.search(tool)) and not writes
        best: dict[tuple[str, str | None], Finding] = {}

        def add(category: str, score: float, rule: str, detail: str, key: str | None) -> None:
            current = best.get((category, key))
            if current is None or score > current.score:
                best[(category, key)] = Finding(category, 0, length, score, rule, detail)

        for v in values:
            key = (v.key or "").lower()
            is_command = key in COMMAND_KEYS or (v.key is None and runs_commands)
            if is_command:
                for f in self._command_findings(v):
                    add(*f, v.key)
            if not v.complete:
                continue
            if key in PATH_KEYS or (v.key is None and (writes or reads)):
                path = _norm_path(v.value)
                secret = _secret_score(path)
                if secret and not writes:
                    add("tool.secret_file_read", secret, "secret_path", f"argument {key!r} names a credential file", v.key)
                if writes and key not in NOT_WRITTEN_KEYS:
                    outside = self._outside_score(path)
                    if outside:
                        add("tool.write_outside_workspace", outside, "write_path",
                            f"argument {key!r} writes outside the workspace", v.key)
            if key in URL_KEYS or is_command or key in PATH_KEYS:
                for url in ([v.value] if key in URL_KEYS else URL_IN_TEXT.findall(v.value)):
                    score, why = _url_risk(url)
                    if score:
                        add("tool.exfiltration_url", score, "exfil_url", f"argument {key!r}: {why}", v.key)
        return sorted(best.values(), key=lambda f: (-f.score, f.category))

    def _command_findings(self, v: ArgValue) -> Iterator[tuple[str, float, str, str]]:
        text = v.value
        stable_end = len(text) if v.complete else min(self.danger.pending_start(text),
                                                      self.privilege.pending_start(text))
        for f in self.danger.scan(text, discount_discussion=False) + \
                self.privilege.scan(text, discount_discussion=False):
            if f.end <= stable_end:
                yield "tool.dangerous_command", f.score, f.rule, f"{f.category}: {f.detail}"
        if not v.complete:
            return
        for m in SHELL_READ.finditer(text):
            for token in PATH_TOKEN.findall(m.group(0)):
                score = _secret_score(_norm_path(token)) if token else 0.0
                if score:
                    yield "tool.secret_file_read", score, "shell_secret_read", "the command reads a credential file"
        for m in SHELL_WRITE.finditer(text):
            score = self._outside_score(_norm_path(m.group(1)))
            if score:
                yield "tool.write_outside_workspace", score, "shell_redirect", "the command writes outside the workspace"

    def _outside_score(self, path: str) -> float:
        if not path or path in {"/dev/null", "/dev/stdout", "/dev/stderr"}:
            return 0.0
        if SYSTEM_WRITE.search(path):
            return 0.9
        if not self.roots:
            return 0.0
        if path.startswith(("/", "~")) or re.match(r"^[a-zA-Z]:/", path):
            inside = any(path == r or path.startswith(r.rstrip("/") + "/") for r in self.roots)
            return 0.0 if inside or path.startswith("/tmp/") else 0.7
        return 0.7 if path == ".." or path.startswith("../") else 0.0


def _norm_path(path: str) -> str:
    """Forward slashes, `$HOME` as `~`, `.` and `..` folded; relative paths stay relative."""
    path = path.strip().strip("'\"").replace("\\", "/")
    path = re.sub(r"^(?:\$HOME|\$\{HOME\}|%USERPROFILE%)(?=/|$)", "~", path)
    path = re.sub(r"^/(?:home|Users)/[^/]{1,64}(?=/\.)", "~", path)
    if not path:
        return ""
    return posixpath.normpath(path)


def _secret_score(path: str) -> float:
    if not path or not SECRET_FILES.search(path):
        return 0.0
    return next((s for marker, s in SECRET_SCORE.items() if marker in path), 0.75)


def _url_risk(url: str) -> tuple[float, str]:
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return 0.0, ""
    if not host:
        return 0.0, ""
    if EXFIL_HOSTS.search(host):
        return 0.85, "a paste, webhook or tunnel service"
    if WEBHOOK_PATHS.search(url):
        return 0.75, "a chat webhook"
    query = parts.query + parts.fragment
    if len(query) > 200 or DATA_LIKE.search(query):
        return 0.75, "a URL carrying a long data-like query"
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return 0.0, ""
    if ip.is_global:
        return 0.6, "a raw public IP address"
    return 0.0, ""
