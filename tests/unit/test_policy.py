import pytest

from aegis_addons.paths import RULES_DIR
from aegis_addons.policy import INJECTION_DEFAULTS, PolicyError, load_policies, load_policy


def test_shipped_policies_load():
    policies = load_policies(RULES_DIR / "policies")
    assert {"default", "strict", "permissive", "agent"} <= set(policies)
    assert policies["default"].level("high") == "high"          # default follows aegis_security_level
    assert policies["strict"].level("low") == "high"
    assert policies["agent"].injection("medium").untrusted_action == "neutralize"
    assert policies["permissive"].injection("medium") == INJECTION_DEFAULTS["low"]
    # only permissive lets a client pick __redact or __passthrough
    assert {name: p.filter_modes for name, p in policies.items()} == {
        "default": ("full",), "strict": ("full",), "agent": ("full",),
        "permissive": ("full", "redact", "passthrough")}


def test_levels_order_their_thresholds():
    low, medium, high = (INJECTION_DEFAULTS[level] for level in ("low", "medium", "high"))
    assert low.block_score > medium.block_score > high.block_score
    assert low.untrusted_action == "flag" and medium.untrusted_action == "block"


@pytest.mark.parametrize("text, message", [
    ("name: x\nsecurity_level: extreme\n", "security_level"),
    ("name: x\ninjection: {block_score: 2}\n", "block_score"),
    ("name: x\ninjection: {untrusted_action: ignore}\n", "untrusted_action"),
    ("name: x\ninjection: {nope: 1}\n", "unknown injection settings"),
    ("name: x\nextra: 1\n", "unknown fields"),
    ("name: other\n", "must match the file name"),
    ("- a list\n", "mapping"),
    ("name: x\nfilter_modes: [redact]\n", "filter_modes"),
    ("name: x\nfilter_modes: [full, everything]\n", "filter_modes"),
    ("name: x\nfilter_modes: passthrough\n", "filter_modes"),
])
def test_invalid_policies_are_refused_with_a_reason(tmp_path, text, message):
    path = tmp_path / "x.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=message):
        load_policy(path)


def test_a_default_policy_is_required(tmp_path):
    (tmp_path / "only.yaml").write_text("name: only\n")
    with pytest.raises(PolicyError, match="default"):
        load_policies(tmp_path)
