"""The PII and secret detector: YAML rule packs plus BIP-39 seed phrases and passwords in SQL
`INSERT` rows, one `scan(text)` call.

`PiiDetector` loads `rules/pii.yaml` and `rules/secrets.yaml` (and `rules/infra.yaml` in relaxed mode),
runs every rule whose keyword prefilter passes, applies the policies that need configuration (IP ranges,
disabled categories, the placeholder filter for secrets) and returns non-overlapping findings.

Categories are `pii.<kind>` and `secret.<kind>` (`infra.<kind>` in relaxed mode), e.g. `pii.email`,
`pii.cn_resident_id`, `secret.aws_access_key`, `secret.bip39_seed_phrase`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from aegis_addons.detect import validators
from aegis_addons.detect.findings import Finding, resolve_overlaps
from aegis_addons.detect.lines import line_end, line_start, line_start_within, token_start
from aegis_addons.detect.rulepack import (
    RegexRule,
    RulePackError,
    RulePrefilter,
    load_rule_pack,
    lower_same_length,
)
from aegis_addons.detect.base64_keys import CATEGORY as EMBEDDED_KEY_CATEGORY
from aegis_addons.detect.base64_keys import EmbeddedBase64KeyDetector
from aegis_addons.detect.columns import ColumnValueDetector
from aegis_addons.detect.escapes import unescape_json
from aegis_addons.detect.spoken_numbers import SpokenNumberDetector
from aegis_addons.detect.sql_insert import CATEGORY as SQL_INSERT_CATEGORY
from aegis_addons.detect.sql_insert import SqlInsertPasswordDetector
from aegis_addons.paths import RULES_DIR

# A dotted quad right after a version word or key (`Firmware 5.2.94.5`, `app_version=2.7.8.98`,
# `"schema_version": "4.8.1.12"`, `introduced in 4.7.7.8`) or an image tag (`registry/api:2.4.3.60`) is
# a version, not an address.
_VERSION_BEFORE = re.compile(
    r"(?i)(?:\b(?:version|ver|firmware|release|build|prepare|bump(?:ed)?|(?:introduced|added|fixed|changed"
    r"|deprecated|removed) in|upgraded? to)\s*|(?<![\w-])v|\b(?:[\w-]*[_-]|(?-i:[A-Za-z]*[a-z](?=[VFBRS])))?"
    r"(?:version|firmware|build|release|os|sdk)(?:name|code)?[\"']?\s*(?:[:=>]|\(\"?)\s*[\"']?"
    r"|\bversion(?:name|code)?\s+|[<>~]=\s*"  # `versionName 2.4.1.17`, `Serilog (>= 3.1.1.0)`
    r"|(?<![\w./-])[\w.-]+/[\w./-]*(?<!\.log)(?<!\.txt)(?<!\.gz)(?<!\.csv)(?<!\.json):"
    # a product token of a User-Agent (`Chrome/124.0.0.0`, `okhttp/4.12.0.1`)
    r"|\b(?:chrome|chromium|firefox|safari|version|edg|edge|opr|opera|applewebkit|gecko|mobile|crios|fxios"
    r"|samsungbrowser|yabrowser|trident|msie|electron|node|python|curl|wget|okhttp|dalvik)/)\Z")
# A GPG key id or fingerprint (8, 16 or 40 hex digits) after git's `signingkey`: public, not a secret.
_GPG_KEY_ID = re.compile(r"[0-9A-Fa-f]{8}|[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40}")
_SIGNING_KEY_KEY = re.compile(r"(?i)signingkey[\"']?\s*[=:]\s*[\"']?\Z")
# A number assigned to a key that names an id, an amount or a count (`"ad_group_id": "17050807574"`,
# `"spend_micros": 15529293871`, `"batch": "732-954-0943"`) is no phone number, whatever its shape; a key
# that names a caller, a sender or a recipient is (`"caller_id": "+14155550132"`).
_NOT_A_PHONE_KEY = re.compile(
    r"(?i)(?<![\w-])(?![\w-]*(?:phone|tel|mobile|cell|fax|contact|whatsapp|sms|caller|sender|from|to|msisdn|wa_id|recipient|dest))"
    r"(?:[\w-]{0,40}?(?:[_-]|(?-i:[a-z0-9](?=[A-Z]))))?"
    r"(?:id|ids|uid|guid|micros|count|amount|total|size|bytes|ts|timestamp|seq|batch|hash|version|price|qty|quantity)"
    r"[\"']?\s*[:=]\s*[\"']?\Z")

# A number after a key that counts or measures (`ssn_count: 123456789`, `rows processed: 483920117`,
# `passport_bytes=…`) is no identifier of the kind the key's other words name.
_COUNTED_IDS = frozenset({"pii.us_ssn", "pii.passport_number", "pii.medical_record_number", "pii.drivers_license",
                          "pii.tax_id", "pii.bank_account"})
_COUNT_KEY = re.compile(
    r"(?i)(?<![a-z])(?:count|counts|total|size|bytes|rows|entries|records|processed|qty|quantity|amount|sum|num"
    r"|number of)"
    r"[\"']?\s*[:=]\s*[\"']?\Z")

# A reference, not a literal, cut where punctuation of its command follows (`--token $TOKEN;`,
# `-p $DOCKER_PASS\\"`, `{token}\\`, `%TOKEN%`, `$env:X`, `[hidden]`, `@/path/to/keyfile`, systemd `%d/token`).
_REFERENCE_VALUE = re.compile(
    r"(?:\$\{?[A-Za-z_]\w*\}?|\$env:\w+|%\w+%|%[a-zA-Z]/\S*|\{[A-Za-z_][\w.]{0,40}(?:\[[^\]\s]*\]?)?\}?|\$\(\S*"
    r"|\[[A-Za-z ]+\]|@[~/.]\S*"
    r"|\((?:Get|Read)-\w+)(?:[;)|&\\,.\"'`]|&&\S*)*(?:@[\w.-]+(?:[/:]\S*)?)?")  # `$GITHUB_TOKEN@github.com/…`
# `PASS: TestLogin/valid (0.01s)`, `PASS: tests/test_auth.py::test_ok`: a test runner's line, not a password.
_TEST_PASS_LINE = re.compile(r"(?:^|\n|--- )[ \t]*PASS:[ \t]*\Z")
_TEST_NAME = re.compile(r"(?i)test\w*(?:/\S*)?|\S*(?:/|::|\.py\b|\.t\b|\.js\b|\.go\b)\S*")
# Keys named `…key` that hold no secret: ids of a row, an item or a cached result, public keys.
_NOT_SECRET_KEY = re.compile(
    r"(?i)(?:idempotency|partition|sort|cache|foreign|range|row|routing|shard(?:ing)?|dedupe?|lookup"
    r"|i18n|translation|message|object|composite|natural|surrogate|group|order|index|sccache|action|public"
    r"|restored from|saved with)[ _.-]?key[\"']?\s*(?:[:=]|=>)?\s*[\"']?\Z")
# A number followed by a unit or after a key that measures is no phone or card number
# (`bytes 15234567890`, `15502331104 ns/op`, `dd.trace_id=6342468101875337769`, `Kafka offset 4440…`).
_NUMBER_UNIT_AFTER = re.compile(r"[ \t]*(?:bytes?|[KMGT]i?B|[nµu]s|ms|ns/op|B/op|allocs/op|packets|records|rows|ops)\b")
_NUMBER_KEY_BEFORE = re.compile(
    r"(?i)\b(?:bytes|size|offset|duration\w*|elapsed\w*|latency\w*|trace_?id|span_?id|count|total|len(?:gth)?"
    r"|received|sent|completed)[\"']?\s*[:=]?\s*[\"']?\Z")
_NUMBER_CATEGORIES = frozenset({"pii.phone", "pii.credit_card"})
# Lines of colon-separated hex bytes (an openssl or certificate dump): the last line of one is no address.
_HEX_DUMP_REACH = 200  # such lines are short: a longer one is cut here and matches nothing
_HEX_DUMP_LINE = re.compile(r"[ \t]*(?:[0-9a-fA-F]{2}:){5,}[0-9a-fA-F]{2}:?[ \t]*")


_URL_USER_REACH = 256  # a URL's user part stands this close to its scheme


def _in_url_authority(text: str, start: int) -> bool:
    """Does `start` stand in the user part of a URL (`ssh://git@github.com/…`, `https://user:pass@host`,
    a Sentry DSN's key, `cvs://:pserver:anoncvs@…`)? That `user@host` names an account on a host, no
    mailbox."""
    segment = text[token_start(text, start, _URL_USER_REACH, " \t\n\"'<>("):start]
    scheme = segment.find("://")
    return scheme != -1 and "/" not in segment[scheme + 3:]


def _preceded_by(pattern: re.Pattern[str], text: str, start: int, reach: int, floor: int = 0) -> bool:
    """Does `pattern` (ending in `\\Z`) match text that ends at `start`, looking back at most `reach`
    characters and not before `floor`?"""
    return pattern.search(text, max(floor, start - reach), start) is not None


def _in_hex_dump(text: str, finding: Finding) -> bool:
    """Is the value the short last line of a dump of colon-separated hex bytes (a certificate's
    signature or serial in `openssl x509 -text`)?"""
    start = line_start_within(text, finding.start, _HEX_DUMP_REACH)
    if not start:  # the first line, or one too long for a dump
        return False
    line = text[start:line_end(text, finding.end, _HEX_DUMP_REACH)]
    if line.strip() != text[finding.start:finding.end]:
        return False
    before = text[line_start(text, start - 1, _HEX_DUMP_REACH):start - 1]
    return _HEX_DUMP_LINE.fullmatch(before) is not None or before.rstrip().endswith(("Serial Number:", "Value:"))


def _after_key(key: re.Pattern[str], text: str, start: int) -> bool:
    """Is the value at `start` assigned to a key `key` matches (`"ad_group_id": "…"`, `ssn_count=…`)? The
    `:` / `=` test first: most values follow no key, and the key patterns are slow to fail."""
    return (re.search(r"[:=]", text[max(0, start - 4):start]) is not None
            and _preceded_by(key, text, start, 64))


DEFAULT_PACKS = ("pii", "secrets")

# Candidate spans for rules with an `anchor`: instead of running a dozen number-shaped regexes over the
# whole text, find the few places where such a value could be (one cheap pass per anchor kind) and run
# those rules only in a window around them. The margin (characters either side) covers the longest
# value around its anchor plus the rule's context window and look-behinds.
ANCHORS: dict[str, tuple[re.Pattern[str], int]] = {
    # six or more digits close together: phones, cards, IDs, IBANs
    "digits": (re.compile(r"\d(?:[ ().+/:-]{0,3}\d){5,}"), 80),
    # dotted quads (IPv4 has as few as four digits)
    "dotted_quad": (re.compile(r"\.\d{1,3}\.\d{1,3}\."), 60),
    # hex groups joined by `:`/`-`/`.` (IPv6, MAC); written to start with the separator, which the
    # regex engine can search for quickly
    "hex_groups": (re.compile(r"::|:[0-9A-Fa-f]{1,4}:|-[0-9A-Fa-f]{2}-[0-9A-Fa-f]{2}-"
                              r"|\.[0-9A-Fa-f]{4}\."), 80),
    # one run of 16+ letters and digits: wallet addresses, keys, unprefixed tokens, TOTP secrets
    "long_token": (re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{16,}"), 100),
    # e-mail addresses: up to 64 characters before the `@`, a domain name after it
    "at_sign": (re.compile(r"@|%40"), 260),
}
RELAXED_PACK = "infra"
_IP_CATEGORIES = frozenset({"pii.ipv4", "pii.ipv6"})
SEED_PHRASE_CATEGORY = "secret.bip39_seed_phrase"


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def _windows(anchor: re.Pattern[str], margin: int, text: str) -> list[tuple[int, int]]:
    """Merged `[start, end)` windows of `margin` characters around every anchor match."""
    windows: list[tuple[int, int]] = []
    for m in anchor.finditer(text):
        start, end = max(0, m.start() - margin), min(len(text), m.end() + margin)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


def _absorb_into_spoken(found: list[Finding], spoken: list[Finding]) -> list[Finding]:
    """A number read out whole outranks a rule that saw a part of it (`+1 2 1 3 2 0 5` of a dictated
    phone, the last twelve digit words of a card read as a seed phrase): the rest of the number would
    stay in the clear beside the smaller finding. A finding inside a spoken one is dropped; one that
    overlaps it in part is merged into it (the spoken finding grows to cover both). The spoken findings
    do not overlap one another, so each finding is checked against its neighbours by bisection."""
    spoken = sorted(spoken, key=lambda f: f.start)
    starts = [f.start for f in spoken]
    kept: list[Finding] = []
    for f in found:
        i = bisect_right(starts, f.end - 1) - 1  # the last spoken finding starting before f ends
        overlapping = []
        while i >= 0 and spoken[i].end > f.start:
            overlapping.append(i)
            i -= 1
        if not overlapping:
            kept.append(f)
            continue
        for j in overlapping:  # f reaches out of a spoken finding: that finding takes its span too
            s = spoken[j]
            if f.start < s.start or f.end > s.end:
                spoken[j] = replace(s, start=min(s.start, f.start), end=max(s.end, f.end))
    return resolve_overlaps(kept + spoken)


class SeedPhraseDetector:
    """BIP-39 recovery phrases in English or Chinese (simplified).

    A run of 12 to 24 word-list words counts when some 12/15/18/21/24-word window has a valid BIP-39
    checksum (true of every real phrase, and of a random run of words only once in 16 or more), or
    when a wallet word (`seed`, `mnemonic`, `助记词`, ...) is near. English words may be separated by
    spaces, commas or enumerations (`1. abandon 2. ability`); Chinese words are single characters
    separated by spaces, or written together (then the whole run must pass the checksum and
    `助记词`/`mnemonic` must appear in the text).
    """

    _CONTEXT = ("seed", "mnemonic", "recovery", "phrase", "wallet", "metamask", "ledger", "trezor",
                "助记词", "种子", "钱包", "私钥", "恢复")
    _CONTEXT_WINDOW = 120
    _LONGEST_RUN_CHECKED = 64
    # Twelve or more 3-8 letter words in a row: a cheap regex that skips almost all prose quickly.
    _EN_RUN = re.compile(r"(?:(?<![a-z])[a-z]{3,8}(?:[\s,;]+(?:\d{1,2}[.)]\s*)?)){11,}[a-z]{3,8}(?![a-z])")
    _EN_WORD = re.compile(r"[a-z]{3,8}")
    _ZH_SPACED = re.compile(r"(?:[\u4e00-\u9fff][ \t\u3000,，、]+(?:\d{1,2}[.)．]\s*)?){11,}[\u4e00-\u9fff]")
    _ZH_JOINED = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{12,24}(?![\u4e00-\u9fff])")
    _CJK = re.compile(r"[\u4e00-\u9fff]")
    _SEPARATORS = str.maketrans(",;，、:：", "      ")
    _ENUMERATION = re.compile(r"\d{1,2}[.)．]")

    def __init__(self) -> None:
        self._en = {w: i for i, w in enumerate(validators.bip39_wordlist("english"))}
        self._zh = {w: i for i, w in enumerate(validators.bip39_wordlist("chinese_simplified"))}

    def scan(self, text: str, lowered: str | None = None) -> list[Finding]:
        lowered = lower_same_length(text) if lowered is None else lowered
        found: list[Finding] = []
        if self._may_have_run(lowered.translate(self._SEPARATORS).split()):
            for m in self._EN_RUN.finditer(lowered):
                words = [(w.start(), w.end(), w.group())
                         for w in self._EN_WORD.finditer(lowered, *m.span())]
                found.extend(self._runs(words, self._en, lowered))
            for m in self._ZH_SPACED.finditer(text):
                words = [(c.start(), c.end(), c.group()) for c in self._CJK.finditer(text, *m.span())]
                found.extend(self._runs(words, self._zh, lowered))
        if "助记词" in lowered or "mnemonic" in lowered:
            # Written together, a phrase is a whole run of Han characters whose checksum holds
            # (windows inside longer prose would pass the 4-bit checksum far too often).
            for m in self._ZH_JOINED.finditer(text):
                indices = [self._zh.get(c) for c in m.group()]
                if None not in indices and validators.bip39_checksum_ok(indices):
                    found.append(Finding(SEED_PHRASE_CATEGORY, m.start(), m.end(), 0.9, "bip39_seed_phrase",
                                         f"{len(indices)} BIP-39 characters, checksum valid"))
        return found

    def _may_have_run(self, tokens: list[str]) -> bool:
        """Cheap test: are there 12 whitespace-separated word-list words in a row anywhere?"""
        if (sum(map(self._en.__contains__, tokens)) < 12
                and sum(map(self._zh.__contains__, tokens)) < 12):
            return False  # counted in C, so ordinary text leaves here quickly
        run = 0
        for token in tokens:
            if token in self._en or token in self._zh:
                run += 1
                if run >= 12:
                    return True
            elif not (token[0].isdigit() and self._ENUMERATION.fullmatch(token)):
                run = 0
        return False

    def _runs(self, words: list[tuple[int, int, str]], index: dict[str, int],
              lowered: str) -> Iterable[Finding]:
        """Split the candidate words into runs of word-list members and judge each run."""
        run: list[tuple[int, int, int]] = []
        for start, end, word in [*words, (0, 0, "")]:
            if word in index:
                run.append((start, end, index[word]))
                continue
            if len(run) >= 12:
                finding = self._judge(run, lowered)
                if finding:
                    yield finding
            run = []

    def _judge(self, run: list[tuple[int, int, int]], lowered: str) -> Finding | None:
        # Next to a wallet word, a run of up to 24 words is the phrase, all of it: a phrase typed from
        # paper may have a word wrong (its checksum then fails), and a shorter window whose checksum
        # holds by chance (one in sixteen for twelve words) would leave the rest of it in the clear.
        if len(run) <= 24:
            start, end = run[0][0], run[-1][1]
            near = lowered[max(0, start - self._CONTEXT_WINDOW): end + self._CONTEXT_WINDOW]
            if any(word in near for word in self._CONTEXT):
                return Finding(SEED_PHRASE_CATEGORY, start, end, 0.9, "bip39_seed_phrase",
                               f"{len(run)} BIP-39 words next to a wallet word")
        if len(run) > self._LONGEST_RUN_CHECKED:
            # A phrase is copied as 12-24 words between other words; a run of 64 or more word-list
            # words is a word list or text built to be slow (each window costs a SHA-256: 400 KB of
            # `一，` took 4 s), so its windows are not checked.
            return None
        for size in (24, 21, 18, 15, 12):
            for first in range(len(run) - size + 1):
                window = run[first:first + size]
                if validators.bip39_checksum_ok([i for _, _, i in window]):
                    return Finding(SEED_PHRASE_CATEGORY, window[0][0], window[-1][1], 0.97,
                                   "bip39_seed_phrase", f"{size} BIP-39 words, checksum valid")
        return None


class PiiDetector:
    """PII and secret detection from rule packs; `scan(text)` returns non-overlapping findings.

    Options:
      packs: rule-pack names under `rules_dir` (default `pii` and `secrets`).
      relaxed: also load the `infra` pack (internal hostnames and URLs, container ids, K8s names).
      redact_private_ips: also report private, loopback, link-local and documentation addresses;
        off by default because they identify nobody and are everywhere in coding conversations.
      disabled_categories: categories (`pii.phone`) or whole families (`infra`) never reported.
      extra_rules: more `RegexRule`s, e.g. imported from a gitleaks TOML.
      seed_phrases: detect BIP-39 recovery phrases (needs the word lists in `rules/wordlists`).
      families: only rules of these families (`secret`), e.g. for a scanner of answers that acts on
        secrets only and should not pay for every PII rule.
    """

    def __init__(self, packs: Sequence[str] = DEFAULT_PACKS, *, relaxed: bool = False,
                 redact_private_ips: bool = False, disabled_categories: Iterable[str] = (),
                 extra_rules: Iterable[RegexRule] = (), seed_phrases: bool = True,
                 rules_dir: str | Path = RULES_DIR, families: Iterable[str] | None = None) -> None:
        names = list(packs) + ([RELAXED_PACK] if relaxed and RELAXED_PACK not in packs else [])
        rules: list[RegexRule] = []
        for name in names:
            rules.extend(load_rule_pack(Path(rules_dir) / f"{name}.yaml"))
        rules.extend(extra_rules)
        self._disabled = frozenset(disabled_categories)
        wanted = None if families is None else frozenset(families)
        self.rules = [r for r in rules if not self._is_disabled(r.category)
                      and (wanted is None or r.category.split(".", 1)[0] in wanted)]
        unknown = {r.anchor for r in self.rules if r.anchor} - set(ANCHORS)
        if unknown:
            raise RulePackError(f"unknown anchor(s) {sorted(unknown)}; known: {sorted(ANCHORS)}")
        # A widened secret (`whole_value`) is checked for placeholders by its rule, before widening.
        self._placeholder_checked = set()
        for r in self.rules:
            if r.whole_value and r.category.startswith("secret."):
                r.drop_value = validators.looks_like_placeholder
                self._placeholder_checked.add(r.id)
        # one pass over each text tells which rules' keywords occur in it; only those are tried
        self._prefilter = RulePrefilter(self.rules)
        self.redact_private_ips = redact_private_ips
        self._seeds = (SeedPhraseDetector()
                       if seed_phrases and not self._is_disabled(SEED_PHRASE_CATEGORY) else None)
        wants_secrets = wanted is None or "secret" in wanted
        self._sql_insert = (SqlInsertPasswordDetector()
                            if wants_secrets and not self._is_disabled(SQL_INSERT_CATEGORY) else None)
        self._embedded_keys = (EmbeddedBase64KeyDetector()
                               if wants_secrets and not self._is_disabled(EMBEDDED_KEY_CATEGORY) else None)
        # Values under a personal-data column header (tables, CSV, SQL INSERT) and numbers read aloud or
        # dictated digit by digit are reported in the categories of the rules that find them written
        # plainly, and only those (so disabling `pii.phone` disables all three).
        self._column_categories = {r.category for r in self.rules if r.category.startswith("pii.")}
        self._columns = ColumnValueDetector() if self._column_categories else None
        self._spoken = SpokenNumberDetector(self._column_categories) if self._column_categories else None

    def _is_disabled(self, category: str) -> bool:
        return category in self._disabled or category.split(".", 1)[0] in self._disabled

    @property
    def categories(self) -> set[str]:
        cats = {r.category for r in self.rules}
        return (cats | ({SEED_PHRASE_CATEGORY} if self._seeds else set())
                | ({SQL_INSERT_CATEGORY} if self._sql_insert else set())
                | ({EMBEDDED_KEY_CATEGORY} if self._embedded_keys else set()))

    def scan(self, text: str) -> list[Finding]:
        if not text:
            return []
        found = self._scan(text)
        # JSON text (a tool result from an API) may write `/` as `\\/` (PHP does by default) and any
        # character as `\\uXXXX` (`\\u0040` for `@`, Go writes `\\u0026` for `&`): a key or an address
        # split by them is found on a view with those escapes decoded, its span mapped back.
        view = unescape_json(text, decode="/")
        if view is not None:
            # (the table reader is not run again there: `\\/` and `\\uXXXX` do not make or break tables)
            found = resolve_overlaps(found + view.findings_to_original(self._scan(view.text, tables=False)))
        # JSON inside a JSON string (a tool's output that carries a file as JSON text) escapes a quote
        # twice: `password: \\\"…\\\"`. Rules read a quote escaped once, so such text is scanned again
        # with one level of escapes decoded. (Three backslashes before a quote are rare elsewhere.)
        if '\\\\\\"' in text:
            inner = unescape_json(text, decode="nrt\"\\/")
            if inner is not None:
                found = resolve_overlaps(found + inner.findings_to_original(self._scan(inner.text, tables=False)))
        # (A table inside a JSON string, `"Name,SSN\\nBob,…"`, needs no view of its own: `_scan` reads
        # the `\\n` between its rows as line breaks.)
        return found

    def _scan(self, text: str, tables: bool = True) -> list[Finding]:
        if "\x1b" in text:
            # Terminal output pasted into a prompt: colour codes would glue onto the values
            # (`\x1b[93msk-...`). Blank them out with spaces so offsets stay the same.
            text = _ANSI_ESCAPE.sub(lambda m: " " * len(m.group()), text)
        if "\\n" in text or "\\t" in text or "\\r" in text:
            # Command output or a file inside a JSON string: its lines are joined by the two characters
            # `\n`, so a token right after one (`…\nya29.a0…`) starts inside the word `nya29` and a
            # rule that wants a word or line start misses it. The escape becomes a space and the control
            # character it stands for: the same length, so every offset stays.
            text = text.replace("\\n", " \n").replace("\\t", " \t").replace("\\r", " \r")
        lowered = lower_same_length(text)
        found: list[Finding] = []
        anchored: dict[str, list[RegexRule]] = {}
        for rule in self._prefilter.candidates(lowered):
            if rule.anchor:
                anchored.setdefault(rule.anchor, []).append(rule)
            else:
                found.extend(rule.scan(text, lowered))
        for name in ANCHORS:
            if rules := anchored.get(name):
                for start, end in _windows(*ANCHORS[name], text):
                    window, window_lowered = text[start:end], lowered[start:end]
                    for rule in rules:
                        found.extend(f.shifted(start) for f in rule.scan(window, window_lowered))
        found = [f for f in found if self._keep(f, text[f.start:f.end], text)]
        if self._seeds is not None:
            found.extend(self._seeds.scan(text, lowered))
        if self._sql_insert is not None:
            found.extend(self._sql_insert.scan(text, lowered))
        if self._embedded_keys is not None:
            found.extend(self._embedded_keys.scan(text))
        if self._spoken is not None and (spoken := self._spoken.scan(text, lowered)):
            found = _absorb_into_spoken(found, spoken)
        if self._columns is not None and tables:
            # A labelled or tabled value outranks a guess from a context word a line away (`Phone Number:
            # 3038280260` then `Patient ID:`); where a rule found the same value as the same kind, the
            # rule's finding stays, so every finding keeps naming the most specific rule.
            same = {(f.start, f.end, f.category) for f in found}
            found.extend(f for f in self._columns.scan(text, lowered)
                         if f.category in self._column_categories and (f.start, f.end, f.category) not in same)
        return resolve_overlaps(found)

    def _keep(self, finding: Finding, value: str, text: str) -> bool:
        if finding.category in _IP_CATEGORIES:
            # (the version word must stand on the address's own line: an access log's previous line
            # ends in a client's `Build/UQ1A.240205.004`)
            if finding.category == "pii.ipv4" and _preceded_by(_VERSION_BEFORE, text, finding.start, 48,
                                                               line_start(text, finding.start, 48)):
                return False
            return self.redact_private_ips or validators.is_public_ip(value)
        if finding.category in _COUNTED_IDS and _after_key(_COUNT_KEY, text, finding.start):
            return False
        if finding.category == "pii.phone" and not value.startswith("+") and _after_key(_NOT_A_PHONE_KEY, text, finding.start):
            return False
        if finding.category in _NUMBER_CATEGORIES and (
                _NUMBER_UNIT_AFTER.match(text, finding.end)
                or _preceded_by(_NUMBER_KEY_BEFORE, text, finding.start, 40)):
            return False
        if finding.category == "pii.phone" and value.startswith("+") and (
                (finding.start == 0 or text[finding.start - 1] == "\n") and "\n@@ " in text  # a diff's added line
                or re.match(r"\+\d{1,3}\.\d{4,}", value)):  # a coordinate, `+48.858370`
            return False
        if finding.category in ("pii.mac_address", "pii.ipv6") and _in_hex_dump(text, finding):
            return False
        if finding.category == "pii.email" and _in_url_authority(text, finding.start):
            return False
        if finding.family == "secret":
            return self._keep_secret(finding, value, text)
        return True

    def _keep_secret(self, finding: Finding, value: str, text: str) -> bool:
        """A secret's value that is a reference, a public id or a name in the text around it is dropped."""
        if _GPG_KEY_ID.fullmatch(value) and _after_key(_SIGNING_KEY_KEY, text, finding.start):
            return False  # git's `user.signingkey=297F86D382367A62`: a public key's id
        if _REFERENCE_VALUE.fullmatch(value):
            return False
        if _preceded_by(_TEST_PASS_LINE, text, finding.start, 16) and _TEST_NAME.fullmatch(value):
            return False
        if _preceded_by(_NOT_SECRET_KEY, text, finding.start, 40):
            return False
        return finding.rule in self._placeholder_checked or not validators.looks_like_placeholder(value)

