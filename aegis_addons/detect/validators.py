"""Checksum and format validators for the PII and secret rule packs.

Every function takes the matched value and returns True when it really is what the rule claims.
They are registered by name with `@validator(...)` so a YAML rule can say `validator: luhn`.
`python-stdnum` does the arithmetic wherever it has the algorithm; the few checks it lacks (Base58Check
for TRON/WIF/extended keys, JWT shape, BIP-39 checksums) are small pure functions here.

`looks_like_placeholder` is the shared false-positive filter: documentation values such as
`sk-...`, `YOUR_API_KEY`, `<token>`, `xxxx`, `changeme` or AWS's `...EXAMPLE` keys are not secrets, and
redacting them only makes prompts harder to read. The detector applies it to every `secret.*` finding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import re
from functools import cache
from pathlib import Path

from stdnum import bic, bitcoin, iban, imei, luhn, numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError
from stdnum.us import rtn, ssn

from aegis_addons.detect.rulepack import validator
from aegis_addons.paths import RULES_DIR

_NON_DIGITS = re.compile(r"\D")


def digits_of(value: str) -> str:
    return _NON_DIGITS.sub("", value)


# --- the shared false-positive filter -------------------------------------------------------------

# Words that mark a value as an example or a template, matched case-insensitively anywhere in it.
_PLACEHOLDER_MARKERS = (
    "example", "your_", "your-", "yourkey", "yourtoken", "yoursecret", "yourpassword", "xxxx",
    "placeholder", "changeme", "change_me", "change-me", "replace_me", "replaceme", "redacted", "dummy", "sample",
    "insert_", "put_your", "enter_your", "todo", "fixme", "<", ">", "...", "…", "****", "____",
    "[[aegis", "aegis:", "my-secret", "my_secret", "mysecret", "my_jwt_secret", "not-a-real", "not_a_real",
    "x-oauth-basic",
    # the sample tokens of jwt.io and countless tutorials, wherever they stand (a bearer header, a cookie)
    "sflkxwrjsmekkf2qt4fwpmejf36pok6yjv_adqssw5c", "tjva95orm7e2cbab30rmhrhdcefxjoyzgefonfh7hgq",
    "kmufsidtnfmyg3nmigm6h9fnfurof3wh7smqjp-qv30",
)
_SAMPLE_JWT_SIGNATURES = frozenset(m for m in _PLACEHOLDER_MARKERS if len(m) == 43)
# Markers of five letters or fewer occur by chance inside random key material (`…xXxX…`, `…ToDo…` in a
# 1,700-character PEM body: about 3 keys in 1,000; a six-letter one about 1 in 10^6): inside a long value
# they count only at a word's edge (next to the value's start or end or to a character that is not a
# letter or digit). Longer markers count anywhere (`wEXAMPLEtc764…` in AWS's sample session token).
_SHORT_WORD_MARKERS = tuple(m for m in _PLACEHOLDER_MARKERS if m.isalnum() and len(m) <= 5)
_OTHER_MARKERS = tuple(m for m in _PLACEHOLDER_MARKERS
                       if m not in _SHORT_WORD_MARKERS and m not in ("<", ">"))
LONG_VALUE = 100
# `<` and `>` mark a template when they bracket a name in one case (`<your-token>`, `<PASSWORD>`,
# `<api_key_v2>`; a random salt's `<aBc>` mixes them) or open one
# (`<%= ENV["X"] %>`, `<?php`, `<<EOF`); alone they are two more characters of a generated password or a
# random salt (WordPress's alphabet has them), where even `<%` turns up by chance.
_ANGLE_NAME = re.compile(r"<(?:[a-z0-9][a-z0-9_ .-]{2,}|[A-Z0-9][A-Z0-9_ .-]{2,})>")
_ANGLE_OPENER = re.compile(r"<%|%>|<\?|\?>|<<")


def _has_marker(v: str, low: str) -> bool:
    if any(marker in low for marker in _OTHER_MARKERS):
        return True
    if ("<" in v or ">" in v) and (_ANGLE_NAME.search(v) or (
            _ANGLE_OPENER.search(v) and not (len(v) >= 32 and random_token(v)))):
        return True
    for marker in _SHORT_WORD_MARKERS:
        i = low.find(marker)
        while i >= 0:
            end = i + len(marker)
            if len(v) <= LONG_VALUE or not (i and low[i - 1].isalnum() and end < len(low) and low[end].isalnum()):
                return True
            i = low.find(marker, i + 1)
    return False
# Whole values that are obviously not secrets (after lower-casing and stripping quotes).
_PLACEHOLDER_VALUES = frozenset({
    "password", "passwd", "secret", "token", "apikey", "api_key", "key", "none", "null", "nil",
    "true", "false", "undefined", "string", "str", "bool", "int", "empty", "required", "optional",
    "incorrect", "invalid", "wrong", "hidden", "unknown", "default", "test", "testing", "admin",
    "username", "user", "value", "values", "secrets", "credentials", "env", "environ", "config",
    "settings", "getenv", "process", "os", "self", "this", "mask", "masked", "notset", "not_set",
    "n/a", "na", "tbd", "pass", "qwerty", "letmein", "123456", "12345678", "123456789",
    "1234567890", "0123456789", "abcdef", "abc123", "password1", "password123", "secret123",
})
# Template and variable references: `${VAR}`, `$VAR`, `{{ x }}`, `%(x)s`, `%s`, `os.environ[...]`.
_TEMPLATE_REFERENCE = re.compile(
    # ${VAR} $VAR $$VAR $(VAR) {{ x }} ${{x}} $ENV{X} {x} #{x} %(x)s %1$s %VAR% %kernel.secret% %env(VAR)% :name
    # @VAR@ @@VAR@@ __VAR__ @file.txt $env:VAR ${any(expression)}; `json:file:NAME)%`, the end of Symfony's
    # `%env(key:name:json:file:NAME)%` (env-var processors before the variable's name)
    # (none) [hidden] <nil> (words in brackets, also JSON-escaped) a|b|c (a list of choices)
    r"""^(?:\$\$?\{?[A-Za-z_][\w.]*\}?|\$\([^()\s]*\)|\{\{.*\}\}|#?\{[^{}\s]*\}|\$\{\{.*\}\}|\$ENV\{\w+\}|%\(?\w*\)?[sdr]|%\d+\$[sd]|%[\w.]+%|%env\([\w:.-]*\)%|(?:[\w.-]*:)*[A-Z_][A-Z0-9_]*\)%|:\w+"""
    r"""|@@?\w+@@?|__\w+__|@[\w./-]+\.[A-Za-z]{2,5}|\$env:\w+|\$\{[^{}\n]{1,200}\}"""
    r"""|\([A-Za-z _-]+\)|\[[A-Za-z _-]+\]|(?:<|\\u003c)[A-Za-z _-]+(?:>|\\u003e)|(?:[a-z]+\|)+[a-z]+"""
    r"""|(?:os\.environ|os\.getenv|process\.env|env|ENV|System\.getenv|config|settings|secrets|vars)"""
    r"""[.\[(].*)$"""
)

_BASE64_BODY = re.compile(r"[A-Za-z0-9+/]{20,}={0,2}")


def looks_like_placeholder(value: str) -> bool:
    """True for documentation and template values that must never count as a secret."""
    v = value.strip().strip("'\"`")
    low = v.lower()
    if len(v) < 4 or low in _PLACEHOLDER_VALUES:
        return True
    if _has_marker(v, low):
        return True
    # Maven's and Jenkins' encrypted passwords are base64 in braces (`{wDti...Eu0M=}`): a secret, not `{name}`.
    encrypted = len(v) > 22 and v[0] == "{" and v[-1] == "}" and random_token(v[1:-1]) and _BASE64_BODY.fullmatch(v[1:-1])
    if not encrypted and (_TEMPLATE_REFERENCE.match(v) or v.startswith(("$(", "`"))):  # `$(` cut at a space
        return True
    # WordPress-style template values: `password_here`, `put your unique phrase here`.
    if re.search(r"(?:^|[_\s-])here$", low) and re.fullmatch(r"[a-z_\s-]+", low):
        return True
    # One character repeated (`aaaaaaaa`, `00000000`) or a value made of two characters at most.
    if len(set(low)) <= 2:
        return True
    # A provider prefix followed only by filler: `sk-` + `x` or `0` or `.` repeated.
    body = re.sub(r"^[a-z]{2,8}[-_]", "", low)
    return len(body) >= 4 and len(set(body)) == 1


@validator("not_placeholder")
def not_placeholder(value: str) -> bool:
    return not looks_like_placeholder(value)


def _is_straight_run(group: str) -> bool:
    """`ABCDE`, `KLMNO`, `12345`, `54321`: a run of consecutive characters, the filler of sample keys."""
    steps = {ord(b) - ord(a) for a, b in zip(group, group[1:])}
    return steps in ({1}, {-1})


@validator("product_key")
def product_key(value: str) -> bool:
    """A 5x5 product key that is not a sample: no group is a straight run or one repeated
    character, and the groups are not all alike."""
    groups = value.upper().split("-")
    if len(set(groups)) == 1:
        return False
    return not any(_is_straight_run(g) or len(set(g)) == 1 for g in groups) and not looks_like_placeholder(value)


# --- financial --------------------------------------------------------------------------------------

# Issuer prefixes of the card networks (Visa, Mastercard incl. 2-series, Amex, Diners, Discover, JCB,
# UnionPay, Maestro); a Luhn-valid number outside these is more likely an order or tracking number.
_CARD_PREFIX = re.compile(
    r"^(?:4|2131|1800|0604|6390|5[1-5]|2[2-7]|3[47]|3[068]|6011|64[4-9]|65|62|35|50|5[6-9]|6[37])")


@validator("credit_card")
def credit_card(value: str) -> bool:
    d = digits_of(value)
    return (12 <= len(d) <= 19 and len(set(d)) > 1 and bool(_CARD_PREFIX.match(d))
            and luhn.is_valid(d))


@validator("iban")
def iban_valid(value: str) -> bool:
    if iban.is_valid(value):
        return True
    # python-stdnum also wants a Belgian IBAN's bank code in its list of banks, which lags behind new
    # ones; the country's own check digits (the first ten digits mod 97) decide here instead.
    number = iban.compact(value)
    if not number.startswith("BE") or len(number) != 16 or not number[2:].isdigit():
        return False
    try:
        iban.validate(number, check_country=False)
    except ValidationError:
        return False
    return (int(number[4:14]) % 97 or 97) == int(number[14:])


@validator("bic")
def bic_valid(value: str) -> bool:
    return bic.is_valid(value)


@validator("aba_routing")
def aba_routing(value: str) -> bool:
    d = digits_of(value)
    return len(set(d)) > 1 and rtn.is_valid(d)


# --- identity ---------------------------------------------------------------------------------------

@validator("us_ssn")
def us_ssn(value: str) -> bool:
    return ssn.is_valid(digits_of(value))


@validator("cn_resident_id")
def cn_resident_id(value: str) -> bool:
    """Checksum, birth date and an area code that exists. (`ric.is_valid` also wants the area code to have
    existed in the birth year, but an ID carries the code of the district that issued it: a resident
    born in 1978 in Shanghai's Pudong, created in 1993, has 310115 and is no less real.)"""
    number = value.upper().replace(" ", "").replace("-", "")  # also written in groups: `320102 19850529 2811`
    if len(number) != 18 or not number[:-1].isdigit() or number[-1] != ric.calc_check_digit(number):
        return False
    try:
        ric.get_birth_date(number)
    except ValidationError:
        return False
    return _cn_area_exists(number[:6])


@cache
def _cn_area_exists(code: str) -> bool:
    return any("county" in props for _, props in numdb.get("cn/loc").info(code))


# --- network ----------------------------------------------------------------------------------------

@validator("ipv4")
def ipv4(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


@validator("ipv6")
def ipv6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value.split("%", 1)[0])
    except ValueError:
        return False
    # Needs three written groups: `::1`, `fe80::1`, `a::b` are rarely worth a placeholder, and code is
    # full of look-alikes (`x[::2]`, `y[2::2]`, reST's `must be::`).
    return value.count(":") >= 2 and sum(1 for group in value.split("%", 1)[0].split(":") if group) >= 3


def is_public_ip(value: str) -> bool:
    """Global unicast only: private, loopback, link-local, documentation and reserved ranges are not."""
    try:
        addr = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return False
    return addr.is_global and not addr.is_multicast


@validator("mac")
def mac(value: str) -> bool:
    """A device's MAC address; not a Docker container's (`02:42:…`, made from the container's private
    address on the host's bridge, naming no device), a multicast group or a documentation example."""
    d = re.sub(r"[^0-9a-fA-F]", "", value).lower()
    if len(d) != 12 or d in ("000000000000", "ffffffffffff") or len(set(d)) <= 2 or d.startswith("0242"):
        return False
    # a multicast group (`01:00:5e:…`, `33:33:…`: the first octet's lowest bit) or RFC 7042's documentation range
    return not (int(d[:2], 16) & 1) and not d.startswith("00005e0053")


@validator("imei")
def imei_valid(value: str) -> bool:
    d = digits_of(value)
    return len(d) == 15 and len(set(d)) > 2 and imei.is_valid(d)


@validator("phone")
def phone(value: str) -> bool:
    """Enough digits for a phone number, and not a date, a time, a decimal or a placeholder in disguise."""
    d = digits_of(value.split("x")[0].split("X")[0])
    if not 6 <= len(d) <= 15 or len(set(d)) < 3:
        return False
    v = value.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", v):
        return False  # an IPv4 address (`DHCPACK on 10.31.103.249`)
    # `48234.12` or `1523,4471` is a figure, `09.00-17.30` opening hours, `0123456789` a form's example
    if (re.fullmatch(r"\d+[.,]\d+", v) or re.search(r"\d{1,2}[.:]\d\d\s*-\s*\d{1,2}[.:]\d\d", v)
            or d in "01234567890" or d in "12345678901"):
        return False
    return not re.fullmatch(r"(?:19|20)\d\d[-./ ](?:0?[1-9]|1[0-2])[-./ ](?:0?[1-9]|[12]\d|3[01])"
                            r"|(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|1[0-2])[-./](?:19|20)\d\d", value.strip())


@validator("phone_groups")
def phone_groups(value: str) -> bool:
    """Digit groups as phone numbers write them: none of one digit after the first (measurements such
    as `21.5 22.0 22.5` or `1.32.45` have them; `06.47.20.85.67`, `1-646-869-3972` do not)."""
    groups = [g for g in re.split(r"[^0-9]+", value) if g]
    return all(len(g) >= 2 for g in groups[1:])


@validator("nanp_phone")
def nanp_phone(value: str) -> bool:
    """A North American number: area code and exchange both start with 2-9 (`429-028-1920` is a batch
    number, not a phone)."""
    d = digits_of(value.split("x")[0].split("X")[0])
    if len(d) == 11 and d[0] == "1":
        d = d[1:]
    elif len(d) == 13 and d.startswith("001"):
        d = d[3:]
    return len(d) == 10 and d[0] not in "01" and d[3] not in "01"


# --- crypto -----------------------------------------------------------------------------------------

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}


def base58_decode(value: str) -> bytes | None:
    n = 0
    for ch in value:
        if ch not in _B58_INDEX:
            return None
        n = n * 58 + _B58_INDEX[ch]
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(value) - len(value.lstrip("1"))
    return b"\x00" * pad + raw


def base58check_payload(value: str) -> bytes | None:
    """The payload of a Base58Check string, or None when the 4-byte double-SHA256 checksum fails."""
    raw = base58_decode(value)
    if raw is None or len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        return None
    return payload


_BECH32M_CONSTANT = 0x2BC830A3  # BIP-350: the checksum of witness version 1 and later addresses
_BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BC_HRP_EXPANDED = [3, 3, 0, 2, 3]  # BIP-173's expansion of the prefix "bc" for the checksum


@validator("btc_address")
def btc_address(value: str) -> bool:
    """Base58check and bech32 (segwit v0) by python-stdnum; bech32m (taproot, `bc1p…`), which its
    `bitcoin` module does not know yet, checked here by BIP-350 with stdnum's own checksum function."""
    if bitcoin.is_valid(value):
        return True
    low = value.lower()
    if not low.startswith("bc1p") or value not in (low, value.upper()) or len(low) != 62:
        return False
    try:
        data = [_BECH32_ALPHABET.index(c) for c in low[3:]]
    except ValueError:
        return False
    # version 1 (`p`) with a 32-byte program: 52 five-bit groups after the version, 6 of checksum
    return bitcoin.bech32_checksum(_BC_HRP_EXPANDED + data) == _BECH32M_CONSTANT


@validator("tron_address")
def tron_address(value: str) -> bool:
    payload = base58check_payload(value)
    return payload is not None and len(payload) == 21 and payload[0] == 0x41


@validator("solana_address")
def solana_address(value: str) -> bool:
    raw = base58_decode(value)
    return raw is not None and len(raw) == 32 and len(set(value)) > 10


@validator("wif_private_key")
def wif_private_key(value: str) -> bool:
    payload = base58check_payload(value)
    return (payload is not None and payload[0] in (0x80, 0xEF)
            and (len(payload) == 33 or (len(payload) == 34 and payload[-1] == 0x01)))


@validator("bip32_extended_key")
def bip32_extended_key(value: str) -> bool:
    payload = base58check_payload(value)
    return payload is not None and len(payload) == 78


@validator("eth_address")
def eth_address(value: str) -> bool:
    body = value[2:]
    return len(body) == 40 and len(set(body.lower())) > 4


@cache
def bip39_wordlist(language: str) -> tuple[str, ...]:
    """The 2048 BIP-39 words of `english` or `chinese_simplified`, in index order."""
    path = Path(RULES_DIR) / "wordlists" / f"bip39_{language}.txt"
    words = tuple(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())
    if len(words) != 2048:
        raise ValueError(f"{path}: expected 2048 BIP-39 words, found {len(words)}")
    return words


def bip39_checksum_ok(indices: list[int]) -> bool:
    """The BIP-39 checksum: the last len/3 bits are the first bits of SHA-256 of the entropy.

    Integer arithmetic, not bit strings: a text of many word-list words checks tens of thousands of
    windows."""
    if len(indices) not in (12, 15, 18, 21, 24):
        return False
    value = 0
    for index in indices:
        value = (value << 11) | index
    checksum_bits = len(indices) // 3  # 4..8
    entropy = (value >> checksum_bits).to_bytes((len(indices) * 11 - checksum_bits) // 8, "big")
    return hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits) == value & ((1 << checksum_bits) - 1)


# --- credentials ------------------------------------------------------------------------------------

def _b64url_json(part: str) -> object | None:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError):
        return None


@validator("jwt")
def jwt(value: str) -> bool:
    """A JWS whose header is JSON naming an algorithm; its payload must decode too; not one of jwt.io's
    samples (their signatures are placeholder markers too, so they are known in any context)."""
    parts = value.split(".")
    if len(parts) < 3 or parts[2].lower() in _SAMPLE_JWT_SIGNATURES:
        return False
    header = _b64url_json(parts[0])
    return isinstance(header, dict) and ("alg" in header or "typ" in header) and \
        (_b64url_json(parts[1]) is not None or len(parts[1]) > 8)


@validator("jfrog_reference_token")
def jfrog_reference_token(value: str) -> bool:
    """JFrog reference tokens are base64 of `reftkn:01:<expiry>:<random>`."""
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4))
    except binascii.Error:
        return False
    return re.match(rb"reftkn:\d\d:\d{10}:", raw) is not None


@validator("base64_pem_private_key")
def base64_pem_private_key(value: str) -> bool:
    """Base64 of a PEM private key whose body is key material, not just a header (see
    `pem_private_key_in`). Sixteen characters of body are enough to tell: the first line of `base64`
    output (76 characters) holds only 25 of them after an RSA header."""
    value = re.sub(r"\s|\\[rn]", "", value)  # wrapped in lines as `base64` prints it
    try:
        text = base64.b64decode(value[:len(value) // 4 * 4]).decode("ascii", "replace")
    except (binascii.Error, ValueError):  # ValueError: characters outside ASCII
        return False
    return pem_private_key_in(text)


_PEM_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----\s*((?:[\w-]+:[^\n]*\n)*)\s*"
                              r"([A-Za-z0-9+/=\s]{16,})")


def pem_private_key_in(text: str) -> bool:
    """Whether decoded text holds a PEM private key with key material: a DER SEQUENCE (PKCS#1/#8, SEC1,
    encrypted PKCS#8), an OpenSSH key (`openssh-key-v1`), an OpenPGP secret-key packet (tag 5, old or
    new packet format), or a legacy encrypted key (`Proc-Type: 4,ENCRYPTED`, a random body). A body that
    trails off in `...` is a documentation placeholder (`MIIEpAIBAAKCAQEA...`)."""
    text = text.replace("\\r", "").replace("\\n", "\n")  # a JSON-escaped PEM, encoded as it was
    m = _PEM_PRIVATE_KEY.search(text)  # the first key block decides
    if m is None or text.startswith(("...", "\u2026"), m.end()):
        return False
    body = re.sub(r"\s", "", m.group(2))[:64]
    if "Proc-Type: 4,ENCRYPTED" in m.group(1):
        return random_token(body)  # ciphertext; a made-up body repeats a few characters
    try:
        head = base64.b64decode(body[:len(body) // 4 * 4])
    except binascii.Error:
        return False
    return head[:1] == b"\x30" or head.startswith(b"openssh-key-v1\0") or head[:1] in (b"\x94", b"\x95", b"\xc5")


_BASE32_DIGITS = re.compile(r"[2-7]")


@validator("base32_seed")
def base32_seed(value: str) -> bool:
    """An authenticator (TOTP/HOTP) seed without a key name: 16 to 32 Base32 characters (spaces
    between groups allowed), one case throughout, with at least two digits and many different
    letters, so that words and upper-case names never qualify."""
    v = value.replace(" ", "")
    if not 16 <= len(v) <= 32 or not (v.isupper() or v.islower()):
        return False
    letters = [c for c in v if c.isalpha()]
    return len(_BASE32_DIGITS.findall(v)) >= 2 and len(letters) >= len(v) // 2 and len(set(v)) >= 10


@validator("otp_seed")
def otp_seed(value: str) -> bool:
    """The value of a 2FA secret key: any Base32 run, but a run written in groups (`JBSW Y3DP ...`)
    must look random (see `base32_seed`), since ordinary four-letter words also form groups."""
    return " " not in value or base32_seed(value)


_HEX = re.compile(r"[0-9a-fA-F]+")


@validator("random_token")
def random_token(value: str) -> bool:
    """Random-looking key material: upper- and lower-case letters and digits, and not a hex digest."""
    return (any(c.isupper() for c in value) and any(c.islower() for c in value)
            and any(c.isdigit() for c in value) and not _HEX.fullmatch(value))


_METAVAR = re.compile(r"[A-Z][A-Z_]*|<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\}")


@validator("not_metavar")
def not_metavar(value: str) -> bool:
    """Not the placeholder a command's help puts after an option (`--api-key TEXT`, `--token <TOKEN>`,
    `--password [PASSWORD]`): an all-capitals word without digits, or a bracketed name."""
    return _METAVAR.fullmatch(value) is None


@validator("jwk_key_material")
def jwk_key_material(value: str) -> bool:
    """Base64url key bytes, not a name after `d:` / `k:` (a type annotation `k: SymmetricKeyMaterial`,
    YAML `p: primary_signing_provider`): both letter cases and a digit, `-` or `_`."""
    return (any(c.isupper() for c in value) and any(c.islower() for c in value)
            and any(c.isdigit() or c in "-_" for c in value))


_JWK_PRIVATE_MEMBER = re.compile(r'"(?:d|k|p|q|dp|dq|qi)"\s*:\s*"[A-Za-z0-9_-]{16,}"')


@validator("base64_private_jwk")
def base64_private_jwk(value: str) -> bool:
    """Base64 of JSON holding a JWK (`"kty"`) with a private member (`"d"`, `"k"`, ...)."""
    text = _base64_text(value)
    return text is not None and '"kty"' in text and _JWK_PRIVATE_MEMBER.search(text) is not None


def _base64_text(value: str) -> str | None:
    """The text a base64 value (padding optional) encodes, or None when it is not base64."""
    v = value.rstrip("=")
    try:
        return base64.b64decode(v + "=" * (-len(v) % 4)).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


_DOCKER_LOGIN = re.compile(r'"(?:auth|password|identitytoken)"\s*:\s*"[^"]{4,}')


@validator("base64_docker_config")
def base64_docker_config(value: str) -> bool:
    """Base64 of a Docker config whose registries carry a login: an `auth` (base64 of `user:password`),
    a `password` or an `identitytoken` member; a config naming registries without one is no secret."""
    text = _base64_text(value)
    return text is not None and _DOCKER_LOGIN.search(text) is not None


# camelCase / PascalCase names of two or more words without digits or symbols: a class or a field
# (`BCryptPasswordEncoder`, `passwordField`), far more often than a password in code.
_IDENTIFIER = re.compile(r"[a-z]+(?:[A-Z][a-z]+)+|(?:[A-Z]+[a-z]+){2,}[A-Z]?")
_SNAKE_OR_SCOPE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z-]*(?::[a-z_-]+)+")


# Words that make a name a name of code, not a password of words: in a CONSTANT_NAME
# (`API_KEY_SENTINEL`, `RETRY_AEAD_KEY_VERSION_2`; not `ADMIN_PASS_1`) and, with a few more, in a
# snake_case variable (`proxy_auth`, `user_pass`; not `summer_breeze`).
_CONSTANT_CODE_WORDS = frozenset({
    "key", "token", "version", "sentinel", "name", "id", "type", "default", "method", "field", "header",
    "nonce", "aead", "socks", "value", "var", "env", "config", "api"})
_CODE_WORDS = _CONSTANT_CODE_WORDS | frozenset({
    "auth", "params", "param", "creds", "cred", "cfg", "kwargs", "args", "input", "info", "data", "hook",
    "hooks", "test", "pass", "user", "proxy", "netrc", "index", "obj", "result", "settings", "opts",
    "options", "ctx", "getpass"})
_NAME_PIECE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
# A piece that could be a word: a vowel, and no run of five consonants (`Length`, `Strength`, `Hmac`).
_WORDLIKE = re.compile(r"(?i)(?=.*[aeiouy])(?!.*[^aeiouy]{5})[a-z]+")
_DUNDER = re.compile(r"__[A-Za-z][A-Za-z0-9_]*__")


def _pronounceable(piece: str) -> bool:
    """A lower-case or capitalised piece that reads like a word: a vowel in every four letters and no
    run of four consonants (`Module`, `Identity`; not `Ubmk`, `Gq`)."""
    low = piece.lower()
    vowels = sum(c in "aeiouy" for c in low)
    return len(low) >= 2 and vowels * 4 >= len(low) and re.search(r"[^aeiouy]{4}", low) is None


# Words of code and configuration names: a dotted or CamelCase value holding one is a name
# (`spring.datasource.password`, `PasswordEncoderFactory`), not a passphrase.
_NAME_WORDS = frozenset(
    "password passwd pass secret secrets token tokens key keys auth user users name names encoder provider "
    "handler manager service services factory input field type default value values config configuration "
    "settings string text hash store credential credentials request response client server data form login "
    "reset policy validator filter builder generator util utils helper exception error event listener "
    "component view controller model repository entity impl base abstract interface test tests mock fake "
    "dummy example sample your new old current admin root database connection session cookie header "
    "random secure strong plain env environ spring datasource app application main local prod production "
    "dev staging com org net io java javax android google amazon microsoft apache github self this params "
    "options props state context store vault from with get set access signature account identity principal "
    "certificate encryption "
    # message keys of i18n catalogues and validation errors (`validation.errors.required`)
    "validation valid invalid error errors message messages required optional custom common lang label title "
    "welcome dashboard placeholder hint help description button page menu header footer modal dialog success "
    "failure warning info notice status short long weak mismatch match confirm forgot change update create "
    "delete later please hidden privacy "
    # hosts and clusters (`host.docker.internal`, `kube.system.internal`)
    "host docker internal localhost kube system cluster public private static assets "
    # parts of type names (`CustomClaimsEnhancer`, `WorkingDirectoryInfo`, `BuiltinRotationLambda`)
    "claims enhancer adapter wrapper resolver converter mapper loader reader writer parser processor runner "
    "worker task queue cache pool registry module plugin extension strategy visitor observer proxy delegate "
    "bean item list node tree graph entry record result spec schema working directory device flow polling "
    "builtin rotation lambda".split())


def _word_passphrase(value: str) -> bool:
    """Three or more plain words joined by dots or hyphens or written CamelCase (`velvet.violet.tundra`,
    `tiger-saffron-meadow-harbor-66`, `WalnutPebbleMeadowCedar`), maybe with a number at the end: a
    generated passphrase, as password managers make them, unless a word is one that names code or
    configuration (`config.db.password`, `PasswordEncoderFactory`)."""
    joined = next((sep for sep in ".-" if sep in value), None)
    if joined:
        words = value.split(joined)
        if words and words[-1].isdigit() and len(words[-1]) <= 4:
            words = words[:-1]  # `…-harbor-66`
    else:
        words = re.findall(r"[A-Z][a-z]+", value)
        if "".join(words) != value:
            return False
    if len(words) < 3:
        return False
    return all(3 <= len(w) <= 10 and w.isalpha() and (w.islower() or not joined)
               and _pronounceable(w) and w.lower() not in _NAME_WORDS for w in words)


@validator("password_value")
def password_value(value: str) -> bool:
    """`secret_value`, or a passphrase of plain words (`velvet.violet.tundra`, `WalnutPebbleMeadowCedar`),
    which a password may be and a key or token never is, so only password rules take it."""
    v = value.strip("'\"`")
    return secret_value(v) or (_word_passphrase(v) and not looks_like_placeholder(v))


@validator("not_code_reference")
def not_code_reference(value: str) -> bool:
    """Not an attribute path of code (`session_id=self._session_id`, `stream.session_id` as a keyword
    argument): names joined by dots, none of them random."""
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+", value) is None


@validator("base64_text")
def base64_text(value: str) -> bool:
    """Decodes as base64 (padding may be left off) to at least 8 bytes that are not all one byte."""
    padded = value + "=" * (-len(value) % 4)
    try:
        decoded = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(decoded) >= 8 and len(set(decoded)) > 1


@validator("random_or_passphrase")
def random_or_passphrase(value: str) -> bool:
    """Random-looking key material or a passphrase of plain words (`GraniteRippleBanjoMaple`)."""
    return random_token(value) or _word_passphrase(value)


def _is_composed_name(value: str) -> bool:
    """A code identifier made of words: `DBAPIModule`, `_PKIdentityArgument`, `PKCS7PrivateKeyTypes`,
    `SRC_AUTH`, `API_KEY_SENTINEL`. Split at case changes, underscores and digits, every piece is a
    pronounceable word, an all-capitals acronym or word of 2-6 letters or a pronounceable one of up to
    10 (longer ones are words glued together, as in a passphrase), or one or two digits right after an
    acronym (`PKCS7`) or ending a CONSTANT_NAME (`RETRY_AEAD_KEY_VERSION_2`); and one piece is a
    pronounceable word of 4+ letters. Random strings and passwords made of words and numbers
    (`HelloWorld99`, `Summer24Winter`) fail."""
    if not re.fullmatch(r"_{0,2}[A-Za-z][A-Za-z0-9_]*", value):
        return False
    constant = re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", value) is not None
    if constant and not _CONSTANT_CODE_WORDS & {p.lower().rstrip("0123456789") for p in value.split("_")}:
        constant = False  # `HELLO_WORLD_99`, `DRAGONFLY_KITTEN`: a password in capitals
    if constant:  # a CONSTANT_NAME of code may end in a number (`RETRY_AEAD_KEY_VERSION_2`)
        value = re.sub(r"_?\d{1,2}$", "", value)
    pieces = _NAME_PIECE.findall(value)
    if len(pieces) < 2:
        return False
    for i, piece in enumerate(pieces):
        if piece.isdigit():
            ok = len(piece) <= 2 and 0 < i < len(pieces) - 1 and pieces[i - 1].isupper()
        elif piece.isupper():  # an acronym, or a word in a CONSTANT_NAME of code (`API_KEY_SENTINEL`)
            ok = 2 <= len(piece) <= 6 or (constant and len(piece) <= 10 and _pronounceable(piece))
        else:
            ok = _pronounceable(piece)
        if not ok:
            return False
    return any(len(p) >= 4 and not p.isdigit() and _pronounceable(p) for p in pieces)


@validator("not_code_name")
def not_code_name(value: str) -> bool:
    """Not a code name after a `token`/`key` word: a snake_case name or an OAuth scope
    (`"max_tokens": max_tokens`, `token=access_token`, `read:org_audit`), a dunder sentinel
    (`"__null_token_value__"`), a private name (`api_key: _AzureApiKeyT`). (A quoted constant's name,
    `SECRET = "ADMIN_PROD_KEY"`, may be the secret itself and stays one.) (Password rules do not use
    this: `IRC_PASS=irc_pass` is a password.)"""
    v = value.strip("'\"`")
    if _is_private_name(v):
        return False
    return _SNAKE_OR_SCOPE.fullmatch(v) is None and _DUNDER.fullmatch(v) is None and not _hyphenated_words(v)


def _hyphenated_words(value: str) -> bool:
    """Lower-case words joined by hyphens (`same-origin`, `content-length`, `process-wide.`): a header,
    mode or package name. Tokens and keys are random; this check is not used for passwords, where
    `correct-horse-battery` is a passphrase."""
    pieces = value.rstrip(".,").split("-")
    return len(pieces) >= 2 and all(p.isalpha() and p.islower() and _pronounceable(p) for p in pieces)


# `module.Name` / `pkg.sub.CONSTANT`: a reference to a type or constant of another module
# (`auth: httpx.Auth`, `key: ed25519.Ed25519PublicKey`), never a bare secret.
_MODULE_ATTRIBUTE = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*\.([A-Z][A-Za-z0-9_]*)")


def _is_module_attribute(value: str) -> bool:
    """`httpx.Auth`, `hdrs.SEC_WEBSOCKET_KEY1`: the attribute is a word or a name made of words, so
    that `v.D0J1ZI_mqx` (a password with a dot) is not one."""
    m = _MODULE_ATTRIBUTE.fullmatch(value)
    if not m:
        return False
    name = m.group(1)
    if re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*", name):
        return _is_composed_name(name) or bool(re.fullmatch(r"[A-Z]{2,}", name))
    if name[-1].isdigit():
        return False  # `john.Doe99`, `acme.Corp2024`: a password with a dot
    return bool(re.fullmatch(r"[A-Z][a-z]+", name) and _WORDLIKE.fullmatch(name)) or _is_word_name(name)


def _is_private_name(value: str) -> bool:
    """`_PasswordType`, `_token_chars`, `_sa_default`: a leading `_` and then a name of words."""
    name = value.lstrip("_")
    if len(name) == len(value) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        return False
    words = [p for p in _NAME_PIECE.findall(name) if not p.isdigit()]
    return (all(len(p) <= 3 or _WORDLIKE.fullmatch(p) or (p.isupper() and len(p) <= 6) for p in words)
            and any(len(p) >= 4 and _WORDLIKE.fullmatch(p) for p in words))


# A variable or parameter of T-SQL or Ruby: in lower case (`@input_pw`, `@param1`, `@@token`) or named
# for what it holds (`@NewPassword`, `@Pwd2`, ADO.NET and Dapper parameters), or a Ruby instance
# variable's attribute (`@user.authentication_token`); `@dm1n!2024` and `@Summer_Breeze` are passwords.
_SIGIL_VARIABLE = re.compile(r"@{1,2}(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)*|[a-z_]\w*(?:\.[a-z_]\w*)+"
                             r"|(?i:\w{0,40}?(?:pass|pwd|secret|token|key|credential)\w{0,40}))")


@validator("not_code_identifier")
def not_code_identifier(value: str) -> bool:
    """For a value standing bare (not quoted): not an identifier composed of words, as type annotations
    and constants are (`pkey: _PrivateKey`, `dbapi: DBAPIModule`, `"src_auth": SRC_AUTH`), nor a
    module's type or constant (`httpx.Auth`), nor a variable of T-SQL or Ruby (`token = @session_token`)."""
    return (not _is_composed_name(value) and not _is_module_attribute(value)
            and _SIGIL_VARIABLE.fullmatch(value) is None)


@validator("not_password_name")
def not_password_name(value: str) -> bool:
    """For a value standing bare: not a snake_case variable named after a password
    (`self.key_password = key_password`, `hide_password=hide_password`) or a private name: code passing
    a password along, not the password."""
    if re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*_(?:password|passwd|passphrase)", value):
        return False
    if _SIGIL_VARIABLE.fullmatch(value):  # `SET @password = @input_pw`
        return False
    # A snake_case variable of lower-case words without digits, one of them a word of code
    # (`username, password = proxy_auth`, `password = auth_params`), or a module's attribute: code
    # passing a password along. `password: summer_breeze` stays a password.
    pieces = value.split("_")
    if (re.fullmatch(r"[a-z]+(?:_[a-z]+)+", value) and all(_WORDLIKE.fullmatch(p) for p in pieces)
            and _CODE_WORDS & set(pieces) or _is_module_attribute(value)):
        return False
    # A private name or type (`password: _PasswordType`, `token_chars = _token_chars`), not random
    # characters that start with `_` (`_dYP2hMqBgNjj`).
    return not _is_private_name(value)


_YAML_KEY_OR_TAG = re.compile(r"[A-Za-z_][\w.-]*:|!!?[A-Za-z]+")


_COOKIE_VALUE = re.compile(r"(?:^|;)\s*[^=;\s]+=\s*\"?([^;\s\"]{12,})")


@validator("cookie_with_token")
def cookie_with_token(value: str) -> bool:
    """A Cookie / Set-Cookie header carries a secret when one of its values looks like a token (12+
    characters, not a plain word); `theme=dark; Path=/; SameSite=Lax` carries none."""
    return any(not re.fullmatch(r"[A-Za-z]+|[A-Za-z]+(?:[-_][A-Za-z]+)+|\d{1,11}", v) and not looks_like_placeholder(v)
               for v in _COOKIE_VALUE.findall(value))


@validator("user_and_secret")
def user_and_secret(value: str) -> bool:
    """`user:password` (curl -u and the like): the part after the first colon must be a secret value."""
    _, _, secret = value.partition(":")
    return secret_value(secret)


_CODE_NOT_VALUE = re.compile(
    r"&(?:mut|'[a-z]\w*|[A-Z][A-Za-z]+|str)|\*(?:const|mut)|[&*!]{1,2}[a-z_][a-z0-9_-]*|[A-Z]\w*<[\w, <>]+>,?"
    r"|:?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)+(?:\(.*)?;?|:[a-z_]\w*\(.*|\*+[@:].*"
    r"|ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _translated_label(value: str) -> bool:
    """Words with a letter outside ASCII and no digit (`Contraseña`, `パスワード`, `Contrase\\u00f1a`,
    `••••••••`): a translation of a field's name or a mask, not a password."""
    v = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    if v.isascii() or any(c.isdigit() for c in v):
        return False
    if len(set(v)) == 1:  # `••••••••`
        return True
    return re.fullmatch(r"[¿¡]?[^\W\d_]+(?:[\s'’-]+[^\W\d_]+)*[?.!:]?", v) is not None


_CMDLET = re.compile(r"(?:Get|Set|Read|New|ConvertTo|ConvertFrom|Import|Export|Invoke|Unprotect|Protect|Resolve|"
                     r"Select|Find|Use)-[A-Z][A-Za-z]+")


@validator("secret_value")
def secret_value(value: str) -> bool:
    """A value assigned to a password/secret/token key: not a placeholder, a word or a reference."""
    v = value.strip("'\"`")
    if looks_like_placeholder(v) or v.startswith("=="):  # `key===null`: an operator, not a value
        return False
    # The error message of a shell expansion, `${DB_PASSWORD:?DB_PASSWORD is required}`, cut at its space.
    if re.fullmatch(r"\?[A-Za-z_][A-Za-z0-9_]*", v):
        return False
    # A bare English-looking word (`incorrect`, `required`, also ending a sentence: `is deprecated.`)
    # or a dotted name (`config.password`); a password may be a passphrase of such words (`password_value`).
    if re.fullmatch(r"[a-z]+|[A-Za-z_]+(?:\.[A-Za-z_]+)+|[A-Z][a-z]+", v.rstrip(".,")):
        return False
    if _IDENTIFIER.fullmatch(v):
        return False
    # A YAML key on the next line (`password:` then `  secretKeyRef:`) or a YAML tag (`!vault |`).
    if _YAML_KEY_OR_TAG.fullmatch(v):
        return False
    # A URL, a path or a file name (with an anchor: `v8.md#startup-snapshot-api`) is configuration or a
    # link, not a secret.
    # (Base64 may start with `/` too: with a `+` or `=` in it, it is no path.)
    if ("://" in v or v.startswith(("./", "~/")) or (v.startswith("/") and not re.search(r"[+=]", v))
            or re.match(r"\$\{[\w.]+\}[/\\]", v)  # `${user.home}/.ssh/id_ed25519`
            or re.fullmatch(r"(?:[\w.-]+/)*[\w.-]+\.[a-z]{2,4}(?:#[\w.-]*)?", v)):  # `certs/server.key`
        return False
    # A Windows path (`C:\certs\sp.pem`, `\\server\share`), a lower-case relative path of three or more
    # parts (`projects/123/secrets/db`), a version (`v1.2.3-beta`).
    # (`secret/data/tls:key`: a Vault path and the field read from it.)
    if re.match(r"[A-Za-z]:\\|\\\\", v) or re.fullmatch(r"(?:[a-z0-9_.-]+/){2,}[a-z0-9_.-]+(?::[\w.-]+)?", v):
        return False
    # A PowerShell cmdlet (`$pw = Read-Host -AsSecureString`, `Get-Secret -Name ...`) reads the secret.
    if _CMDLET.fullmatch(v):
        return False
    # Code, not a value: a Rust or C type (`&str`, `&mut`, `*const`, `Vec<u8>,`), a YAML anchor, alias or tag
    # (`&db_password`, `*gh_token`, `!env_var`), a path of names (`Str::random(16);`, `:tests::roundtrip`,
    # `:min(12)->mixedCase()`), an already masked value (`***@github.com/…`), an SSH key type.
    if _CODE_NOT_VALUE.fullmatch(v):
        return False
    # A translation of the word (`"password": "Contraseña"`, `"¿Olvidaste tu contraseña?"`, `Пароль`):
    # letters of another script and no digit.
    if _translated_label(v):
        return False
    if re.fullmatch(r"v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?", v):
        return False
    # A short number, a decimal (`pw: 0.95` is a weight, `Hours pw: 37.5` a week) or a hex constant.
    if v.startswith("arn:") or re.match(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d", v):  # an ARN, a timestamp
        return False
    return not re.fullmatch(r"\d{1,5}|[-+]?\d+[.,]\d+|0x[0-9a-fA-F]+", v)


# English words a Chinese, Japanese or Korean text writes after its word for password that are no
# password: the scheme or the field (`密码：plaintext`, `パスワード: required`).
_CJK_LABEL_TERMS = frozenset(
    "reset hashed bcrypt argon2 scrypt pbkdf2 policy manager field input login empty string required "
    "optional length plain plaintext encrypt encrypted decrypt masked hidden varchar nvarchar char text "
    "integer bigint random generated automatic disabled enabled nullable correct incorrect "
    "forgotten unchanged changed expired invalid default unknown unset".split())


@validator("cjk_label_password")
def cjk_label_password(value: str) -> bool:
    """Lower-case letters after a Chinese, Japanese or Korean label and a colon (`密码：qwertyzxcv`): the
    text around is not English, so the run is the password, unless it names a scheme or a field or is
    a placeholder (`password`, `changeme`)."""
    return value not in _CJK_LABEL_TERMS and not looks_like_placeholder(value)


_RESOURCE_PIECE = re.compile(r"[a-z]+\d{0,4}|\d{1,4}|v\d{1,3}")
# Words that make a hyphenated name the name of a resource, not a passphrase (`purple-monkey-42` is one)
_RESOURCE_WORDS = frozenset(
    "prod production dev staging stage test qa creds cred credentials secret secrets key keys token tokens "
    "webhook oauth client api app service svc db database actions ci deploy github gitlab slack aws gcp "
    "azure google vault config env backend frontend server worker cluster bucket account admin user "
    "password signing tls ssl cert content length type encoding control cache header request response "
    "session cookie".split())


@validator("not_resource_name")
def not_resource_name(value: str) -> bool:
    """Not the name of a secret or a resource (`aws-creds-prod2`, `slack-webhook-2`, `gh-actions-2`):
    lower-case words and short abbreviations joined by hyphens, each maybe numbered, one of them a word
    of infrastructure. Provider tokens are random; such a name says where the secret is kept; a
    passphrase of words (`purple-monkey-dishwasher-42`) stays a secret."""
    pieces = value.split("-")
    if len(pieces) < 2 or not all(_RESOURCE_PIECE.fullmatch(p) for p in pieces):
        return True
    words = [re.sub(r"\d+$", "", p) for p in pieces if p[0].isalpha()]
    # each piece a word or a short abbreviation (`gh-actions-2`), one of them a word of resources
    return not (all(_WORDLIKE.fullmatch(w) or len(w) <= 3 for w in words)
                and any(w in _RESOURCE_WORDS for w in words))


@validator("jfrog_api_key")
def jfrog_api_key(value: str) -> bool:
    """JFrog API keys (`AKCp...`, 73 characters) are Base58 of 54 bytes: a value with `0`, `O`, `I`
    or `l`, or of another decoded size, is not one (random base64 starting with `AKCp` rarely passes)."""
    raw = base58_decode(value)
    return raw is not None and len(raw) == 54 and len(set(value)) > 20


_DECIMAL_ID = re.compile(rb"[1-9]\d{0,19}:")


@validator("atlassian_pat")
def atlassian_pat(value: str) -> bool:
    """Jira / Confluence / Bitbucket data-center personal access tokens are base64 of
    `<numeric id>:<random bytes>`; the random part must not be printable text (base64 of an ordinary
    `12345:hello world` string is not a token)."""
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    m = _DECIMAL_ID.match(raw)
    if not m:
        return False
    rest = raw[m.end():]
    return len(rest) >= 16 and not all(32 <= b < 127 for b in rest) and len(set(rest)) >= len(rest) // 2


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|"
                   r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
# Names of types, hash and cipher algorithms that follow the word "password" in schemas and docs
# (`password VARCHAR2`, `password Argon2id`, `password pbkdf2_sha256`).
_TECHNICAL_NAME = re.compile(
    r"(?i)(?:u?int|float|n?varchar|n?char|bytes?|binary|blob|string|sha|md|bcrypt|argon|pbkdf|scrypt|yescrypt"
    r"|utf|base|aes|des|rsa|hmac|crc|rfc|iso|ipv|http|tls|ssl|oauth|ntlm|kerberos|win|windows|v)"
    r"[\d_-]*(?:id|i|d|[a-z]{0,2})?(?:_?sha\d+)?")


def _is_word_name(value: str) -> bool:
    """A name made of two or more words with digits anywhere (`minLength8`, `PBKDF2WithHmacSHA256`,
    `X25519KeyPair`, `FeatureFlag_EnableV2Checkout`): every letter piece could be a word, is an acronym
    or a single letter, and one is a word of four or more letters. Random key material has pieces
    without a vowel (`Zm9v8Ja3kLw0q2r`) or only short ones (`AIhq5Xyb1Gga9Q4`); one word with digits
    and letters (`Summer2024x`) is a password, not a name."""
    pieces = [p for p in _NAME_PIECE.findall(value) if not p.isdigit()]
    words = [p for p in pieces if len(p) >= 2]
    # Names have a few pieces, at most one of them a single letter; random strings have many short ones.
    if not 2 <= len(words) <= 6 or len(pieces) - len(words) > 1 or re.search(r"[^A-Za-z0-9_]", value):
        return False
    return (all(len(p) == 1 or (p.isupper() and len(p) <= 6) or _WORDLIKE.fullmatch(p) for p in pieces)
            and any(len(p) >= 4 and not p.isupper() and _WORDLIKE.fullmatch(p) for p in pieces))


@validator("not_word_name")
def not_word_name(value: str) -> bool:
    """Not a name made of words with digits (`_is_word_name`)."""
    return not _is_word_name(value)


_PASSWORD_SYMBOL = re.compile(r"[!@#$%^&*+=?~]")
_SPEC_PIECE = re.compile(r"\d+[a-z]{0,2}|[A-Z]{1,6}\d*|[A-Z]?[a-z]+\d*")


@validator("app_password_groups")
def app_password_groups(value: str) -> bool:
    """Sixteen letters in four groups (`qwhr tnzk plvb mxed`), an app password unless every group reads
    like a word (`must have more than`, `thisismypassword`): random groups have no vowel in one of
    three cases, so four of them all pronounceable is rare."""
    letters = re.sub(r"[^a-z]", "", value)
    groups = [letters[i:i + 4] for i in range(0, 16, 4)]
    return len(letters) == 16 and not all(_pronounceable(g) for g in groups)


@validator("letter_and_digit")
def letter_and_digit(value: str) -> bool:
    """Holds a letter and a digit: what a generated secret has (hex included) and the words a call also
    takes in the same place (`en-US`, `X-Api-Key`, `remember-me`, `SET_USER`) have not."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


@validator("not_sentence")
def not_sentence(value: str) -> bool:
    """Not a sentence of a template's comment (`<passphrase>optional; leave empty if not used.</passphrase>`):
    four words or more, a clause break (`; `, `: `, `, `) and a full stop at the end. A passphrase may be
    a sentence (`Hunter two is my password.`), but seldom one with a clause break."""
    v = value.rstrip()
    return not (len(v.split()) >= 4 and v.endswith(".") and re.search(r"[;:,] ", v))


@validator("spaced_password")
def spaced_password(value: str) -> bool:
    """A password written after the word with only a space between (`password Xq9z12345`, `mysqladmin
    -u root password Qw3rty!9`). Prose says `password reset`, `password AES-256-GCM` or `password
    minLength8` and schemas `password VARCHAR2`, so the value must hold a symbol and a letter and a
    digit, or else both letter cases and a digit, and not be words, numbers and acronyms joined by
    `-`, `.`, `:` (specs, regions, versions) or a name made of words; never a type or algorithm name,
    a word, a name or a placeholder (`secret_value`)."""
    if "::" in value or not (re.search(r"[A-Za-z]", value) and re.search(r"\d", value)):
        return False
    if not _PASSWORD_SYMBOL.search(value):
        if not random_token(value) or _is_word_name(value):
            return False
        if re.fullmatch(r"(?:[A-Za-z0-9]-[A-Za-z0-9])+", value):
            return False  # character ranges of a pattern (`a-zA-Z0-9`)
        pieces = [p for p in re.split(r"[-.:]+", value) if p]
        if len(pieces) > 1 and all(_SPEC_PIECE.fullmatch(p)
                                   and (not p.isalpha() or p.isupper() or _WORDLIKE.fullmatch(p)) for p in pieces):
            return False  # words, numbers and acronyms joined by `-.:`: a spec, a region, a version
    return (_TECHNICAL_NAME.fullmatch(value) is None and _IDENTIFIER.fullmatch(value) is None
            and _SNAKE_OR_SCOPE.fullmatch(value) is None and secret_value(value))


_LOWER_RUN = re.compile(r"[a-z]{6}")
_RUN_OF_FOUR = re.compile(r"(.)\1\1\1|0123|1234|2345|3456|4567|5678|6789|abcd|bcde|cdef", re.IGNORECASE)


@validator("not_trivial_pin")
def not_trivial_pin(value: str) -> bool:
    """A PIN that is not the made-up kind documentation shows (`1234`, `0000`, `123456`, `9876`): one
    digit repeated, or a run up or down as a whole (`401232` holds `0123` and is a fine PIN)."""
    if re.fullmatch(r"(?:19|20)\d\d", value):
        return False  # a year (`PIN code = 2024` in a changelog)
    return len(set(value)) > 1 and value not in "01234567890" and value not in "98765432109"


@validator("uuid_or_random_token")
def uuid_or_random_token(value: str) -> bool:
    """A UUID that is not a made-up one (`12345678-1234-...`, `aaaa...`), or random key material
    (`random_token`); used where only a bare word (`api key`, `secret`) precedes the value."""
    if looks_like_placeholder(value):
        return False
    if _UUID.fullmatch(value):
        return _RUN_OF_FOUR.search(value.replace("-", "")) is None
    if len(value) < 12 or not random_token(value) or _is_word_name(value):
        return False
    if len(value) >= 24:
        # Long random tokens have a lower-case run of six and few digits often enough (one in seven of
        # 32 base62 characters has the run) that only names of words (`_is_word_name`) are turned away.
        return True
    # Shorter camelCase names with a number (`ProjectApi2024Name`) have few digits and long lower-case runs
    return (not _LOWER_RUN.search(value) and sum(c.isdigit() for c in value) >= 3
            and sum(c.isupper() for c in value) >= 3)


@validator("key_material")
def key_material(value: str) -> bool:
    """Key material after a bare name in prose (`키: …`, `토큰 is …`): a UUID or random letters and digits
    (`uuid_or_random_token`), hex of 16 digits or more with both letters and digits (not a run like
    `0123456789abcdef`), or a value that reads as a password (`spaced_password`: symbols, letters, digits)."""
    if uuid_or_random_token(value):
        return True
    if len(value) >= 16 and _HEX.fullmatch(value):
        return (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
                and _RUN_OF_FOUR.search(value) is None and len(set(value.lower())) >= 8)
    # a template's field (`__f2py_cb_#name#`, `%name%`) or a private name is code, not a password
    if value.startswith("_") or re.search(r"#\w+#|%\w+%", value):
        return False
    return _PASSWORD_SYMBOL.search(value) is not None and spaced_password(value)
