"""Privilege guard: answers that push the user or an agent to escalate or to switch protections off.

`PrivilegeGuard.scan(text)` returns `privilege.<kind>` findings for: root shells and sudoers edits
(`privilege.sudo`), SUID bits (`privilege.suid`), disabling security tools such as SELinux, Defender,
firewalls, audit or TLS verification (`privilege.disable_security`), cloud IAM grants of admin or
wildcard rights (`privilege.iam_escalation`), skipping commit hooks and signing
(`privilege.skip_hooks`), and turning off this gateway itself: unsetting or bypassing the proxy,
`--set aegis_...=false`, killing mitmdump (`privilege.disable_gateway`).

Plain `sudo apt install ...` is everyday advice and is not reported; a root shell (`sudo -i`, `sudo su`)
is info only. The rules are compiled by the same loader as the YAML packs; they share the danger pack's
discussion cues, so "attackers often run `setenforce 0`" in an article is scored down like a quoted
attack. The rules follow the danger module's streaming contract (line by line, `pending_start`); every
regex is bounded: none reads more than `max_pending_chars`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from aegis_addons.detect.danger import (
    DEFAULT_PACK,
    DiscussionCues,
    LineRules,
    describe,
    read_pack_document,
)
from aegis_addons.detect.findings import Finding, resolve_overlaps
from aegis_addons.detect.rulepack import RulePackError, compile_rule

RULES: list[dict] = [
    dict(id="root_shell", category="privilege.sudo", score=0.3,
         description="a root shell (sudo -i / su -)",
         regex=r"\bsudo\s{1,3}(?:-[a-zA-Z]{0,3}[is]\b|su\b(?:\s{1,3}-)?|(?:/bin/)?(?:ba|z)?sh\b)|(?<![\w-])su\s{1,3}-(?:\s{1,3}root)?(?=\s|$)",
         keywords=["sudo", "su "]),
    dict(id="sudo_pushed", category="privilege.sudo", score=0.45,
         description="advice to get past a permission error by running as root",
         regex=r"\b(?:just|simply|always)\s{1,3}(?:run|use|prefix|add)\b[^.\n]{0,40}\bsudo\b|\bsudo\b[^.\n]{0,60}\b(?:to (?:bypass|get around|skip) (?:the )?(?:permission|access|security))",
         keywords=["sudo"], flags=["IGNORECASE"]),
    dict(id="sudoers_nopasswd", category="privilege.sudo", score=0.85,
         description="grants passwordless root in sudoers",
         regex=r"\bNOPASSWD\s{0,2}:\s{0,2}ALL\b|(?:>>|\btee\s{1,3}-a)\s{0,3}/etc/sudoers(?:\.d/\S{1,40})?\b|\bALL\s{0,2}=\s{0,2}\(ALL(?::ALL)?\)\s{0,2}ALL\b[^\n]{0,40}>>",
         keywords=["nopasswd", "sudoers", "all)"], flags=["IGNORECASE"]),
    dict(id="admin_group", category="privilege.sudo", score=0.45,
         description="adds a user to an administrative group",
         regex=r"\busermod\s{1,3}-a?G\s{1,3}(?:sudo|wheel|root|admin|docker)\b|\bgpasswd\s{1,3}-a\s{1,3}\S{1,32}\s{1,3}(?:sudo|wheel|docker)\b",
         keywords=["usermod", "gpasswd"]),
    dict(id="suid_bit", category="privilege.suid", score=0.7,
         description="sets the SUID/SGID bit",
         regex=r"\bchmod\s{1,3}(?:-\w{1,3}\s{1,3})?(?:[ugoa]{0,3}\+[rwx]{0,3}s[rwx]{0,3}|[246][0-7]{3})\s{1,3}\S{1,80}|\binstall\s{1,3}-m\s{1,3}=xs\b",
         keywords=["chmod", "install"]),
    dict(id="selinux_apparmor_off", category="privilege.disable_security", score=0.6,
         description="turns SELinux or AppArmor off",
         regex=r"\bsetenforce\s{1,3}(?:0|permissive)\b|\bSELINUX\s{0,2}=\s{0,2}(?:disabled|permissive)\b|\b(?:systemctl\s{1,3}(?:stop|disable|mask)|service)\s{1,3}apparmor\b|\baa-teardown\b",
         keywords=["setenforce", "selinux", "apparmor", "aa-teardown"], flags=["IGNORECASE"]),
    dict(id="firewall_off", category="privilege.disable_security", score=0.6,
         description="turns the firewall off",
         regex=r"\bufw\s{1,3}disable\b|\bsystemctl\s{1,3}(?:stop|disable|mask)\s{1,3}(?:firewalld|ufw|iptables|nftables)\b|\biptables\s{1,3}(?:-F|--flush)\b[^\n]{0,40}\biptables\s{1,3}-P\s{1,3}INPUT\s{1,3}ACCEPT|\bnetsh\s{1,3}(?:advfirewall\s{1,3}set\s{1,3}\w{1,12}\s{1,3}state\s{1,3}off|firewall\s{1,3}set\s{1,3}opmode\s{1,3}(?:mode=)?disable)\b|\bSet-NetFirewallProfile\b[^\n]{0,60}-Enabled\s{1,3}(?:False|\$false)",
         keywords=["ufw", "firewalld", "iptables", "nftables", "netsh", "set-netfirewallprofile"],
         flags=["IGNORECASE"]),
    dict(id="antivirus_off", category="privilege.disable_security", score=0.8,
         description="disables or blinds Defender / antivirus / EDR",
         regex=r"\bSet-MpPreference\b[^\n]{0,60}-Disable\w{0,40}\s{1,3}(?:\$true|1)\b|\bAdd-MpPreference\b[^\n]{0,20}-Exclusion(?:Path|Process|Extension)\b|\bDisableAntiSpyware\b|\bsc(?:\.exe)?\s{1,3}(?:stop|config)\s{1,3}(?:WinDefend|Sense|wscsvc)\b|\bsystemctl\s{1,3}(?:stop|disable|mask)\s{1,3}(?:falcon-sensor|clamav-daemon|clamd|auditd|osqueryd|wazuh-agent|sentinelone|mdatp)\b",
         keywords=["mppreference", "disableantispyware", "sc ", "sc.exe", "systemctl"], flags=["IGNORECASE"]),
    dict(id="audit_and_history_off", category="privilege.disable_security", score=0.6,
         description="turns off auditing or wipes shell history",
         regex=r"\bauditctl\s{1,3}-e\s{1,3}0\b|\bunset\s{1,3}HISTFILE\b|\bexport\s{1,3}HISTFILE=/dev/null\b|\bhistory\s{1,3}-c\b\s{0,3}(?:&&|;)|\bwevtutil\s{1,3}cl\b|\bClear-EventLog\b",
         keywords=["auditctl", "histfile", "history", "wevtutil", "clear-eventlog"], flags=["IGNORECASE"]),
    dict(id="platform_protection_off", category="privilege.disable_security", score=0.6,
         description="disables a platform protection (Gatekeeper, SIP, ASLR, execution policy)",
         regex=r"\bspctl\s{1,3}--master-disable\b|\bcsrutil\s{1,3}disable\b|\bkernel\.randomize_va_space\s{0,2}=\s{0,2}0\b|\bSet-ExecutionPolicy\s{1,3}(?:-ExecutionPolicy\s{1,3})?(?:Unrestricted|Bypass)\b",
         keywords=["spctl", "csrutil", "randomize_va_space", "set-executionpolicy"], flags=["IGNORECASE"]),
    dict(id="tls_verification_off", category="privilege.disable_security", score=0.5,
         description="turns TLS certificate verification off globally",
         regex=r"\bNODE_TLS_REJECT_UNAUTHORIZED\s{0,2}=\s{0,2}['\"]?0\b|\bPYTHONHTTPSVERIFY\s{0,2}=\s{0,2}['\"]?0\b|\bgit\s{1,3}config\s{1,3}--global\s{1,3}http\.sslVerify\s{1,3}['\"]?false\b|\bnpm\s{1,3}config\s{1,3}set\s{1,3}strict-ssl\s{1,3}false\b",
         keywords=["node_tls_reject_unauthorized", "pythonhttpsverify", "sslverify", "strict-ssl"],
         flags=["IGNORECASE"]),
    dict(id="aws_admin_policy", category="privilege.iam_escalation", score=0.8,
         description="attaches an administrator policy",
         regex=r"\battach-(?:user|role|group)-policy\b[^\n]{0,200}(?:AdministratorAccess|IAMFullAccess|PowerUserAccess)\b|\bpolicy/AdministratorAccess\b",
         keywords=["attach-", "administratoraccess"], flags=["IGNORECASE"]),
    dict(id="wildcard_policy", category="privilege.iam_escalation", score=0.75,
         description="an IAM policy that allows every action on every resource",
         regex=r"\"Action\"\s{0,3}:\s{0,3}(?:\[\s{0,3})?\"\*(?::\*)?\"(?:\s{0,3}\])?\s{0,3},\s{0,3}\"Resource\"\s{0,3}:\s{0,3}(?:\[\s{0,3})?\"\*\"|\"Resource\"\s{0,3}:\s{0,3}(?:\[\s{0,3})?\"\*\"(?:\s{0,3}\])?\s{0,3},\s{0,3}\"Action\"\s{0,3}:\s{0,3}(?:\[\s{0,3})?\"\*(?::\*)?\"|\bAction:\s{0,3}['\"]?\*['\"]?\s{0,3}\n\s{0,12}Resource:\s{0,3}['\"]?\*",
         keywords=['"action"', '"resource"', "action:"], match_at_keywords=True, flags=["IGNORECASE"]),
    dict(id="cloud_owner_binding", category="privilege.iam_escalation", score=0.7,
         description="grants an owner/cluster-admin role",
         regex=r"\badd-iam-policy-binding\b[^\n]{0,200}roles/(?:owner|editor|iam\.securityAdmin)\b|\baz\s{1,3}role\s{1,3}assignment\s{1,3}create\b[^\n]{0,200}(?:Owner|User Access Administrator)\b|\bclusterrolebinding\b[^\n]{0,120}--clusterrole[= ]cluster-admin\b|\bchmod\s{1,3}(?:666|777|a\+rw)\s{1,3}/var/run/docker\.sock\b",
         keywords=["add-iam-policy-binding", "role assignment", "clusterrolebinding", "docker.sock"],
         flags=["IGNORECASE"]),
    dict(id="skip_git_hooks", category="privilege.skip_hooks", score=0.45,
         description="skips commit hooks or signing",
         regex=r"\bgit\s{1,3}(?:commit|push|merge|rebase|cherry-pick|am)\b[^\n]{0,120}\s(?:--no-verify|--no-gpg-sign)\b|\bgit\s{1,3}commit\b[^\n]{0,80}\s-n\b|\bHUSKY\s{0,2}=\s{0,2}0\b|\bgit\s{1,3}config\b[^\n]{0,30}\bcommit\.gpgsign\s{1,3}false\b",
         keywords=["no-verify", "no-gpg-sign", "git", "husky", "gpgsign"]),
    dict(id="proxy_unset", category="privilege.disable_gateway", score=0.8,
         description="removes the proxy settings that route traffic through the gateway",
         regex=r"\bunset\s{1,3}(?:(?:HTTPS?_PROXY|https?_proxy|ALL_PROXY|all_proxy)\b\s{0,3}){1,6}|\benv\s{1,3}-u\s{1,3}(?:HTTPS?_PROXY|https?_proxy)\b|\b(?:export\s{1,3})?(?:HTTPS?_PROXY|https?_proxy)=(?:''|\"\"|\s|$)|\bRemove-Item\s{1,3}Env:\\?(?:HTTPS?_PROXY)\b|--noproxy\s{1,3}['\"]?\*",
         keywords=["proxy"], flags=["MULTILINE"]),
    dict(id="no_proxy_bypass", category="privilege.disable_gateway", score=0.8,
         description="exempts the LLM API hosts (or everything) from the proxy",
         regex=r"\b(?:NO_PROXY|no_proxy)\s{0,2}=\s{0,2}['\"]?[^\s'\"]{0,80}(?:\*|openai\.com|anthropic\.com|googleapis\.com|azure\.com|api\.)",
         keywords=["no_proxy"]),
    dict(id="aegis_option_off", category="privilege.disable_gateway", score=0.9,
         description="switches a gateway protection off",
         regex=r"--set\s{1,3}aegis_\w{1,60}\s{0,2}=\s{0,2}(?:false|0|off|no|none|low)\b|\bAEGIS_\w{1,60}\s{0,2}=\s{0,2}['\"]?(?:false|0|off|no|none|low)\b",
         keywords=["aegis_"], flags=["IGNORECASE"]),
    dict(id="kill_gateway", category="privilege.disable_gateway", score=0.9,
         description="stops the gateway process",
         regex=r"\b(?:pkill|killall|kill\s{1,3}(?:-\w{1,6}\s{1,3})?\$\(\s{0,2}pgrep)\b[^\n]{0,40}\b(?:mitmdump|mitmproxy|mitmweb|aegis)\b|\b(?:systemctl|docker|docker-compose|docker\s{1,3}compose)\s{1,3}(?:stop|kill|rm|down)\b[^\n]{0,30}\baegis\b|\bTaskkill\b[^\n]{0,30}\bmitm\w{0,8}",
         keywords=["kill", "systemctl", "docker", "taskkill"], flags=["IGNORECASE"]),
    dict(id="bypass_gateway_prose", category="privilege.disable_gateway", score=0.6,
         description="tells the reader to bypass the gateway",
         regex=r"\b(?:bypass|disable|turn off|switch off|circumvent|get around|route around)\s{1,3}(?:the\s{1,3})?(?:aegis|security gateway|llm gateway|mitm(?:proxy|dump)?|corporate proxy|gateway)\b",
         keywords=["bypass", "disable", "turn off", "switch off", "circumvent", "get around", "route around"],
         flags=["IGNORECASE"]),
]

# The most characters any rule above reads from where a match starts (bounded quantifiers only; checked
# at load). Rules run line by line except these, which may span lines and are keyword-led.
MAX_SPAN = 400
MULTILINE_RULES = ("wildcard_policy",)


class PrivilegeGuard:
    """Finds escalation and protection-disabling advice; see the module docstring."""

    max_pending_chars = MAX_SPAN

    def __init__(self, danger_pack: str | Path = DEFAULT_PACK):
        self.rules = [compile_rule(raw, "privilege", "privilege rules") for raw in RULES]
        self.descriptions = {raw["id"]: raw["description"] for raw in RULES}
        self.cues = DiscussionCues.from_pack(read_pack_document(danger_pack), str(danger_pack))
        self.engine = LineRules(self.rules, MULTILINE_RULES, "privilege rules")
        if self.engine.max_reach > MAX_SPAN:
            raise RulePackError(f"privilege rules: a rule reads {self.engine.max_reach} characters (> {MAX_SPAN})")

    def scan(self, text: str, *, discount_discussion: bool = True) -> list[Finding]:
        found = []
        for f in self.engine.scan(text):
            detail = describe(f.rule, f.category, self.descriptions)
            score = f.score
            if discount_discussion and self.cues.applies(text, f.start):
                score, detail = round(score * self.cues.factor, 3), f"{detail}: quoted in a discussion"
            found.append(replace(f, score=score, detail=detail))
        return resolve_overlaps(found)

    def pending_start(self, text: str, since: int = 0) -> int:
        """Where the tail that may still change begins (the danger module's streaming contract)."""
        return self.engine.pending_start(text, since)
