"""Policies: what the gateway does with findings. Bound to a token by the operator, never by the client.

A policy file (`rules/policies/<name>.yaml`) names a security level and may override its defaults:

    name: strict
    security_level: high            # low | medium | high; omitted: the aegis_security_level option
    filter_modes: [full]            # token URL suffixes a client may use: full (none), redact, passthrough
    injection:
      block_score: 0.7              # findings at or above this block ... (see below)
      flag_score: 0.5               # findings at or above this are reported and forwarded
      untrusted_action: block       # block | neutralize | flag, for injections in tool results/documents
      scan_system: false            # operator-written system prompts are not scanned by default
      scan_answers: true            # assistant answers are scanned (echoed injections, exfiltration links)
    output:                         # dangerous answers (shell, reverse shells, SQL injection, spam, tool calls)
      obfuscate: 0.4                # risk scores at or above each value take that action; the level's
      replace: 0.7                  # defaults (detect/sanitize.py) apply to what is not set here
      block: 0.9

Injection decisions: a finding at or above `block_score` in the newest user turn blocks the request
(403 request_blocked, the upstream is never called); in untrusted content (tool results, documents,
function outputs) `untrusted_action` decides: block the request, neutralize the segment (replace it
with a marker and forward the rest), or only flag. Everything else at or above `flag_score`
(older turns, lower scores) is reported and forwarded.

Filter modes: a client picks one by the token URL's suffix (`__redact`: redaction and restoration only;
`__passthrough`: nothing scanned), and each weakens the policy, so a policy must allow it: by default
only `full` is allowed, and a suffix the policy does not list gets 403 `filter_mode_not_allowed`.

Answer decisions: the output sanitizer turns each danger / privilege / tool-call finding's risk into
pass, obfuscate, replace or block with the level's thresholds, or the policy's `output` ones.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from aegis_addons.context import FILTER_FULL, FILTER_PASSTHROUGH, FILTER_REDACT
from aegis_addons.detect.sanitize import DEFAULT_THRESHOLDS, Thresholds
from aegis_addons.paths import RULES_DIR

LEVELS = ("low", "medium", "high")
UNTRUSTED_ACTIONS = ("block", "neutralize", "flag")
FILTER_MODES = (FILTER_FULL, FILTER_REDACT, FILTER_PASSTHROUGH)


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class InjectionPolicy:
    block_score: float
    flag_score: float
    untrusted_action: str
    scan_system: bool = False
    scan_answers: bool = True


# Per level: low only flags, medium blocks high-confidence attacks, high blocks at lower confidence.
INJECTION_DEFAULTS = {
    "low": InjectionPolicy(block_score=1.01, flag_score=0.5, untrusted_action="flag"),
    "medium": InjectionPolicy(block_score=0.85, flag_score=0.5, untrusted_action="block"),
    "high": InjectionPolicy(block_score=0.6, flag_score=0.4, untrusted_action="block"),
}


@dataclass(frozen=True)
class Policy:
    name: str
    description: str
    security_level: str | None   # None: the aegis_security_level option decides
    injection_overrides: dict
    output_overrides: dict = field(default_factory=dict)  # obfuscate / replace / block scores
    filter_modes: tuple[str, ...] = ("full",)  # token URL suffixes a client may use (see the docstring)

    def injection(self, default_level: str) -> InjectionPolicy:
        base = INJECTION_DEFAULTS[self.security_level or default_level]
        return replace(base, **self.injection_overrides)

    def output_thresholds(self, default_level: str) -> Thresholds:
        base = DEFAULT_THRESHOLDS[self.security_level or default_level]
        return replace(base, **self.output_overrides)

    def level(self, default_level: str) -> str:
        return self.security_level or default_level


def _validate_injection(raw: object, where: str) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: 'injection' must be a mapping")
    known = {f.name for f in fields(InjectionPolicy)}
    unknown = set(raw) - known
    if unknown:
        raise PolicyError(f"{where}: unknown injection settings {sorted(unknown)}")
    for key in ("block_score", "flag_score"):
        if key in raw and (not isinstance(raw[key], int | float) or not 0 <= raw[key] <= 1.01):
            raise PolicyError(f"{where}: injection.{key} must be a number in [0, 1.01]")
    if "untrusted_action" in raw and raw["untrusted_action"] not in UNTRUSTED_ACTIONS:
        raise PolicyError(f"{where}: injection.untrusted_action must be one of {', '.join(UNTRUSTED_ACTIONS)}")
    for key in ("scan_system", "scan_answers"):
        if key in raw and not isinstance(raw[key], bool):
            raise PolicyError(f"{where}: injection.{key} must be true or false")
    return dict(raw)


def _validate_output(raw: object, where: str) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: 'output' must be a mapping")
    unknown = set(raw) - {"obfuscate", "replace", "block"}
    if unknown:
        raise PolicyError(f"{where}: unknown output settings {sorted(unknown)}")
    for key, value in raw.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1.01:
            raise PolicyError(f"{where}: output.{key} must be a number in [0, 1.01]")
    return {k: float(v) for k, v in raw.items()}


def load_policy(path: Path) -> Policy:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise PolicyError(f"{path}: {e}") from e
    if not isinstance(doc, dict):
        raise PolicyError(f"{path}: a policy is a mapping")
    unknown = set(doc) - {"name", "description", "security_level", "injection", "output", "filter_modes"}
    if unknown:
        raise PolicyError(f"{path}: unknown fields {sorted(unknown)}")
    level = doc.get("security_level")
    if level is not None and level not in LEVELS:
        raise PolicyError(f"{path}: security_level must be one of {', '.join(LEVELS)}")
    name = doc.get("name", path.stem)
    if name != path.stem:
        raise PolicyError(f"{path}: name {name!r} must match the file name")
    modes = doc.get("filter_modes", ["full"])
    if (not isinstance(modes, list) or not modes or any(m not in FILTER_MODES for m in modes)
            or "full" not in modes):
        raise PolicyError(f"{path}: filter_modes must be a list of {', '.join(FILTER_MODES)} holding full")
    return Policy(name=name, description=str(doc.get("description", "")), security_level=level,
                  injection_overrides=_validate_injection(doc.get("injection"), str(path)),
                  output_overrides=_validate_output(doc.get("output"), str(path)),
                  filter_modes=tuple(modes))


def policy_named(policies: dict[str, Policy], name: str | None) -> Policy:
    """The policy a route names; `default` when it names none (or one no longer shipped)."""
    return policies.get(name) or policies["default"]


def load_policies(directory: Path) -> dict[str, Policy]:
    policies = {p.stem: load_policy(p) for p in sorted(directory.glob("*.yaml"))}
    if "default" not in policies:
        raise PolicyError(f"{directory}: a 'default' policy is required")
    return policies


@functools.lru_cache(maxsize=1)
def shipped_policies() -> dict[str, Policy]:
    """`rules/policies/*.yaml`, read and validated once per process: the injection and output stages
    and the admin API all read them. Raises PolicyError for a broken file (not cached)."""
    return load_policies(RULES_DIR / "policies")
