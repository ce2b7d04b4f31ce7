"""Personal data in tables, where a value's meaning comes from its column's header.

A payroll sheet pasted as tab-separated text, a CSV export, a Markdown table or an SQL `INSERT` names a
column once (`SSN`, `Routing`, `Account`, `dl_number`, `Mobile`) and then gives bare values in rows:
`687 25 9447`, `128582536`, `WDL3XGT2D37N`. The regex rules want a context word next to such a value
and miss them (and many licence or account formats have no shape a regex could know). This detector
finds header lines that name a personal-data column, follows the rows below them that have the same
number of cells (a psql or mysql grid's borders included), and reports the cell under that header when
it looks like such a value. Words used for other things too (`Mobile`, `DL`, `TIN`, a bare `Account`)
count only in a table about people. The same header words name values outside tables: a JSON member,
a `key=value` log field or a `Label: value` line (`"tel": "07 12 05 99 75"`, `pan_no=EWGPC2992X`).

A run of lines is read cell by cell only when its first line holds a header word, so code and prose
with as many commas on every line cost one regex search per run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aegis_addons.detect import validators
from aegis_addons.detect.findings import Finding
from aegis_addons.detect.lines import line_start
from aegis_addons.detect.sql_insert import INSERT_STATEMENT, insert_rows

RULE = "table_column"

# Header cell (lower-cased, `_`/`-` as spaces, camelCase split) -> category. Tried in order; the first
# that matches names the column. A header must name the value, not a property of it (`phone model`,
# `account manager`, `passport expiry` are not the value).
_NOT_THE_VALUE = r"(?!\s*(?:model|type|country|expiry|expires|expiration|issued|issue|state|status|owner|holder|manager|name|verified|provider|ext|extension|count|date|class|category|id|ids|code|rate|amount|balance|age|size|tier|rep|sessions|views|visits|users|share|tower)\b)"
_BARE_ACCOUNT = "bare account"
_BARE_LICENSE = "bare licence"
_DRIVING_HEADER = re.compile(r"(?i)\bstate\b|\bdob\b|date of birth|birth|renter|driver|rental|\bclass\b")
# Kinds whose header words are also used for other things (`Mobile` sessions, `DL` throughput, `TIN`
# temperatures, `Pan`/`Tilt`): a column of them counts only in a table about people.
_NEEDS_PEOPLE = frozenset({"pii.phone", "pii.drivers_license", "pii.tax_id", "pii.bank_account"})
_PEOPLE_HEADER = re.compile(
    r"(?i)(?:first|last|full|given|family)[ _-]?name|\bfirst\b|\blast\b|surname|vorname|\bnachname|prénom|e-?mail"
    r"|customer|client|contact|employee|patient|person|user|owner|member|staff|holder|travel|passenger|renter"
    r"|applicant|recipient|payee|beneficiary|subscriber|contractor|vendor|legal rep|kunde|empfänger|inhaber"
    r"|mitarbeiter|\bssn\b|passport|\bdob\b|birth|姓名|客户|联系人|用户|员工|法人")
_BANKING_HEADER = re.compile(r"(?i)routing|\baba\b|\brtn\b|iban|\bbic\b|swift|sort ?code|\bbank|\bblz\b|holder|inhaber|payee|beneficiary|银行|开户")
_HEADERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((cat, re.compile(p)) for cat, p in (
    ("pii.us_ssn", r"(?:\b(?:ssn|social security(?: number| no| #)?|soc sec|ss (?:no|number))\b|\bss ?#)" + _NOT_THE_VALUE),
    ("pii.us_routing_number", r"\b(?:routing(?: number| no)?|aba(?: number| no)?|rtn)\b" + _NOT_THE_VALUE),
    ("pii.passport_number", r"(?:\b(?:passport|reisepass|passeport|pass nr)\b|护照)(?:\s*(?:number|no|#|num|nr))?" + _NOT_THE_VALUE),
    ("pii.drivers_license", r"(?:\bdriver'?s?\b.{0,12}\blicen[cs]e|\bdriving licen[cs]e|\bdl\b|\blicen[cs]e (?:number|no|#|num)"
                            r"|\bdl no\b|\bdriving licence\b|führerschein|permis de conduire|驾驶证|驾照)(?:\s*(?:number|no|#|num|nr|id))?" + _NOT_THE_VALUE),
    ("pii.tax_id", r"(?:\b(?:tax (?:id|number|no)|taxpayer (?:id|number|no)|tin|ein|fein|itin|vat (?:id|number|no)|ni (?:number|no)|nino|nat ins(?:urance)? (?:no|number)|idnr|steuer idnr|steuer id nr|pan (?:no|number)"
                   r"|national insurance(?: number| no)?|steuer ?id|steuernummer|pan|uscc|(?:social )?credit code)\b|税号|纳税人识别号|信用代码)"
                   + _NOT_THE_VALUE),
    ("pii.medical_record_number", r"(?:\b(?<!customs )(?<!movement )(?:mrn|medical record(?: number| no| #)?|mr (?:no|number|#)|patient (?:id|number|no)|nhs (?:number|no))\b"
                                  r"|病历号|病案号|住院号)" + _NOT_THE_VALUE),
    ("pii.bank_account", r"(?:\b(?<!aws )(?<!cloud )(?<!gcp )(?<!azure )(?<!billing )(?<!ledger )(?<!gl )(?:(?:bank |checking |savings )account(?: number| no| #| num)?"
                         r"|(?:account|acct|a/c)(?: number| no| #| num)|dda(?: account)?|kontonummer)\b|银行账号|账号|银行卡号|卡号)" + _NOT_THE_VALUE),
    # A bare `License` or `Account` / `Konto` column is resolved by the table around it (`_resolve_columns`):
    # a bare account is as often a cloud account, a ledger account or a name as a bank account.
    (_BARE_LICENSE, r"\blicen[cs]e(?: no| number| #)?\b" + _NOT_THE_VALUE),
    (_BARE_ACCOUNT, r"\b(?<!aws )(?<!cloud )(?<!gcp )(?<!azure )(?<!billing )(?<!ledger )(?<!gl )(?:account|acct|konto|a/c)\b" + _NOT_THE_VALUE),
    ("pii.imei", r"\bimei\b" + _NOT_THE_VALUE),
    # a phone header is the phone word, maybe after one word (`Home Phone`) and before `number`/`no`
    ("pii.phone", r"^(?:[^\W\d]+ )?(?:phone|phones|telephone|tel|mobile|cell|cellphone|fax|handy|telefon|mobil|portable|mob|ph|msisdn"
                  r"|t[ée]l[ée]phone|t[ée]l|contact|telefonnummer|handynummer|mobilnummer)\.?"
                  r"(?: ?(?:number|no|nr|num|#|\d|e164|intl|international|home|work|primary|alt))?\.?$"
                  r"|^(?:联系)?(?:手机|电话)(?:号|号码)?$|^联系方式$"),
))
# Any header word of `_HEADERS`, case-insensitively (a quick test before a line is read cell by cell).
_HEADER_HINT = re.compile(
    r"(?i)ssn|social|soc[ _]sec|ss[ _]?(?:no|#|number)|routing|aba|rtn|passport|reisepass|passeport|pass[ _]nr|licen[cs]e|\bdl"
    r"|driv|führerschein|permis|tax|tin|ein|vat|\bni[ _]|nino|nat[ _]ins|national[ _]insurance|idnr|steuer|\bpan|uscc|credit[ _]code|mrn"
    r"|mr[ _]?(?:no|#|number)|medical|patient|nhs|account"
    r"|acct|a/c|dda|konto|imei|phone|tel|mobil|cell|fax|handy|portable|\bmob|\bph|msisdn|t[ée]l|contact"
    r"|护照|驾|税|信用代码|病|住院|账|卡号|手机|电话|联系")
_DELIMITERS = ("\t", "|", ";", ",")
_MAX_ROWS = 100_000
_HEADER_CELL_MAX = 48

# What a cell of each kind may look like (after trimming quotes and spaces).
_ID_VALUE = re.compile(r"[A-Z0-9][A-Z0-9 /-]{3,28}[A-Z0-9]")  # identifiers are written in capitals
_NUMBER_VALUE = re.compile(r"[+(]?[0-9][0-9 ./()-]{4,24}[0-9]")
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
# `20240512-103022`, `20240512103022`: a timestamp, not an identifier
_TIMESTAMP = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[-T_ ]?\d{4,6}")
_DECIMAL = re.compile(r"[+-]?\d+[.,]\d+")
_TEST_ID = re.compile(r"(?i)test|anon|sample|dummy|example|fake|xxx")
_INT_LIMITS = {"2147483647", "4294967295", "9223372036854775807", "18446744073709551615"}


def _header_words(cell: str) -> str:
    cell = re.sub(r"([a-z])([A-Z])", r"\1 \2", cell.strip().strip("\"'`*"))
    return re.sub(r"[_\-]+", " ", cell).lower().strip()


def _category_of(header_cell: str) -> str | None:
    if not header_cell or len(header_cell) > _HEADER_CELL_MAX or not re.search(r"[^\W\d_]", header_cell):
        return None
    words = _header_words(header_cell)
    for category, pattern in _HEADERS:
        if pattern.search(words):
            return category
    return None


# A bare `Name` column names people only when its cells read like people's names (`Tom Becker`, `李娜`),
# not products, accounts or wards (`Chrome`, `Cash`, `Reduced VAT`, `Ward B`).
_BARE_NAME = re.compile(r"(?i)(?:name|nom|name\s*\(.*\))")
_PERSON_NAME = re.compile(r"[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:[ ,]+[A-ZÀ-Ý][a-zà-ÿ'’.-]+){1,3}|[\u4e00-\u9fff]{2,4}")


def _names_people(names: list[str]) -> bool:
    names = [n.strip().strip("\"'*") for n in names if n.strip()]
    return bool(names) and sum(_PERSON_NAME.fullmatch(n) is not None for n in names) * 2 >= len(names)


def _resolve_columns(wanted: dict[int, str], header: str, person_names: bool = False) -> dict[int, str]:
    """Drop the columns whose header words are not enough alone: ambiguous kinds outside a table about
    people, a bare `Account` without a banking column, a bare `License` without a state or birth date.
    `person_names`: a bare `Name` column of the table holds people's names."""
    banking = _BANKING_HEADER.search(header) is not None
    driving = _DRIVING_HEADER.search(header) is not None
    people = person_names or _PEOPLE_HEADER.search(header.replace("_", " ")) is not None
    resolved = {}
    for i, cat in wanted.items():
        if cat in _NEEDS_PEOPLE and not people or cat == "pii.bank_account" and not banking:
            continue  # an account number column is a bank account's only beside a banking column
        if cat == _BARE_ACCOUNT:
            if banking and people:
                resolved[i] = "pii.bank_account"
        elif cat == _BARE_LICENSE:
            if driving and people:
                resolved[i] = "pii.drivers_license"
        else:
            resolved[i] = cat
    return resolved


def _phone_shaped(value: str, digits: str) -> bool:
    """Written like a phone number: not an address, a version, a timestamp or a machine number. Dotted
    numbers have three or more groups of two to four digits (`06.47.20.85.67`, `303.555.1234`); no
    group after the first has one digit; a plain run of ten digits does not start with 1 (an epoch)."""
    if validators.ipv4(value.split("/")[0]) or digits in _INT_LIMITS:
        return False
    groups = re.findall(r"\d+", value)
    if any(len(g) == 1 for g in groups[1:]):
        return False
    if len(groups) > 1 and len(groups[0]) == 1 and not value.startswith(("+", "1")):
        return False
    if "." in value and (len(groups) < 3 or any(not 2 <= len(g) <= 4 for g in groups)):
        return False
    return not (len(groups) == 1 and len(digits) in (10, 13) and digits[0] == "1")


def _value_ok(category: str, value: str) -> bool:
    digits = validators.digits_of(value)
    if (not value or validators.looks_like_placeholder(value) or _DATE.fullmatch(value)
            or _DECIMAL.fullmatch(value) or _TIMESTAMP.fullmatch(value)):
        return False
    if category == "pii.us_ssn":
        return len(digits) == 9 and _NUMBER_VALUE.fullmatch(value) is not None and validators.us_ssn(value)
    if category == "pii.us_routing_number":
        return len(digits) == 9 and digits == re.sub(r"[ -]", "", value) and validators.aba_routing(digits)
    if category == "pii.imei":
        return len(digits) == 15 and validators.imei_valid(digits)
    if category == "pii.phone":
        return (_NUMBER_VALUE.fullmatch(value) is not None and validators.phone(value) and len(digits) >= 7
                and _phone_shaped(value, digits))
    if category == "pii.bank_account":
        return (_NUMBER_VALUE.fullmatch(value) is not None and 8 <= len(digits) <= 20
                and not re.search(r"[./()]", value))
    # passports, licences, tax ids, medical record numbers: an identifier with a few varied digits in it,
    # not a test or anonymised one (`TEST-12345`, `ANON0001`, `P-0001`)
    return (_ID_VALUE.fullmatch(value) is not None and len(digits) >= 2 and len(set(digits)) >= 2
            and not re.fullmatch(r"[A-Z]{0,6}[- ]?0+\d{0,2}", value)
            and len(value.replace(" ", "")) >= 6 and not _TEST_ID.search(value))


@dataclass(slots=True)
class _Cell:
    start: int
    end: int


def _split(line: str, offset: int, delimiter: str) -> list[_Cell]:
    """The cells of a line with their spans in the text; `"` quotes protect delimiters for CSV."""
    cells: list[_Cell] = []
    start, quoted = 0, False
    for i, ch in enumerate(line):
        if ch == '"' and delimiter in ",;" and (quoted or line[start:i].strip() == ""):
            quoted = not quoted  # a quote opens a field only at its start (`27" monitor` is no field)
        elif ch == delimiter and not quoted:
            cells.append(_Cell(offset + start, offset + i))
            start = i + 1
    cells.append(_Cell(offset + start, offset + len(line)))
    return cells


def _trimmed(text: str, cell: _Cell) -> tuple[int, int]:
    """The span of a cell without the spaces, quotes and Markdown emphasis around its value."""
    start, end = cell.start, cell.end
    while start < end and text[start] in " \t\"'`*":
        start += 1
    while end > start and text[end - 1] in " \t\r\"'`*":
        end -= 1
    return start, end


_SEPARATOR_ROW = re.compile(r"[\s|:+-]*")  # a Markdown table's |---|:---:| line
_GRID_BORDER = re.compile(r"[ \t]*[+|]?-{3,}[-+|: \t]*\r?")  # psql `----+---`, mysql `+----+----+`


# Labelled values outside tables: `"tel": "07 12 05 99 75"`, `pan_no=EWGPC2992X`, `Phone Number: 3038280260`.
# A label word starts the search; the key around it must end at a `:` or `=`, and the whole key must name a
# kind the way a header would.
_KEY_WORDS = (
    "ssn", "social", "ss_no", "routing", "aba", "passport", "reisepass", "passeport", "license", "licence", "dlno",
    "dl_no", "dl_number", "driver", "driving", "führerschein", "tax", "taxpayer", "tin", "ein", "vat", "nino",
    "nat_ins", "idnr", "steuer", "pan", "mrn", "mr_no", "medical", "patient", "nhs", "account", "acct", "dda",
    "konto", "imei", "phone", "tel", "mobile", "mobil", "cell", "fax", "handy", "telefon", "portable", "téléphone",
    "tél", "msisdn", "uscc", "contact", "national", "permis", "护照", "税号", "纳税人识别号", "信用代码", "病历号", "病案号",
    "住院号", "账号", "卡号", "手机", "电话", "驾照", "驾驶证")
# The words any header of `_HEADERS` holds: a text without one of them has no table or label to read.
_PREFILTER_WORDS = _KEY_WORDS + (
    "dl", "mr", "ni", "ph", "mob", "rtn", "nat ins", "nat-ins", "national", "soc sec", "soc_sec", "soc-sec", "ss no",
    "ss-no", "ss#", "ss #", "ss number", "ss_number", "ss-number", "pass nr", "pass_nr", "a/c", "permis", "驾", "病案号",
    "联系", "credit code", "credit_code", "credit-code")
_KEY_PREFIX = re.compile(r"(?:[^\W\d][\w.#/-]*(?: [^\W\d][\w.#/-]*){0,2} ?)?\Z")
_KEY_REST = re.compile(r"""[\w .#/'-]{0,24}?["']?[ \t]*([:=：])[ \t]*""")
_QUOTED_VALUE = re.compile(r"""(["'])([^"'\n]{4,40})\1""")
_BARE_VALUE_EQ = re.compile(r"""[^\s,;&"'<>|]{4,40}""")
_BARE_VALUE_COLON = re.compile(r"""[^\n,;|}\]"']{4,40}?(?=[ \t]*(?:\r?$|[,;|}\]]))""", re.MULTILINE)
_PHONE_WRITTEN = re.compile(r"[+(0]|\d+[ ./-]\d|\d{10,}")


def _labelled_values(text: str, lowered: str) -> list[Finding]:
    """Values after a key that names their kind (a bare `account` or `license` key is not enough)."""
    found: list[Finding] = []
    end_of_last = 0
    hits = set()
    for word in _KEY_WORDS:  # str.find is C-fast; a regex of these alternatives tries every position
        pos = lowered.find(word)
        while pos != -1:
            if not pos or not lowered[pos - 1].isalnum():
                hits.add((pos, pos + len(word)))
            pos = lowered.find(word, pos + 1)
    for word_start, word_end in sorted(hits):
        if word_start < end_of_last:
            continue
        rest = _KEY_REST.match(text, word_end)
        if rest is None:
            continue
        prefix = _KEY_PREFIX.search(text, line_start(text, word_start, 30), word_start)
        key_start = prefix.start() if prefix else word_start
        key = text[key_start:rest.start(1)].strip().strip("\"'")
        category = _category_of(key)
        if category is None or category in (_BARE_ACCOUNT, _BARE_LICENSE):
            continue
        pos = rest.end()
        quoted = _QUOTED_VALUE.match(text, pos)
        if quoted:
            start, end = quoted.span(2)
        else:
            value = (_BARE_VALUE_EQ if rest.group(1) == "=" else _BARE_VALUE_COLON).match(text, pos)
            if value is None:
                continue
            start, end = value.span()
        while end > start and text[end - 1] in " \t\r.":
            end -= 1
        value = text[start:end]
        if category == "pii.phone" and not _PHONE_WRITTEN.match(value):
            continue  # `"mobile": 23456789` counts sessions; a phone starts with + or 0 or has 10 digits or groups
        if category == "pii.bank_account" and not _BANKING_HEADER.search(text, max(0, start - 200), end + 200):
            continue  # `account_number = "210987654321"` in Terraform is a cloud account
        if _value_ok(category, value):
            found.append(Finding(category, start, end, 0.96, "labelled_value", "a value after a label that names it"))
            end_of_last = end
    return found


class ColumnValueDetector:
    """`scan(text, lowered)`: a finding for each value under a personal-data column header."""

    def scan(self, text: str, lowered: str) -> list[Finding]:
        if not any(word in lowered for word in _PREFILTER_WORDS):  # C-fast; a regex of these words is not
            return []
        found: list[Finding] = []
        if "\n" in text:
            lines = text.split("\n")
            offsets = [0] * len(lines)
            for i in range(1, len(lines)):
                offsets[i] = offsets[i - 1] + len(lines[i - 1]) + 1
            for delimiter in _DELIMITERS:
                if delimiter in text:
                    found.extend(self._tables(text, lines, offsets, delimiter))
        if "insert" in lowered and "values" in lowered:
            for m in INSERT_STATEMENT.finditer(text):
                found.extend(self._insert_rows(text, m))
        found.extend(_labelled_values(text, lowered))
        return found

    def _tables(self, text: str, lines: list[str], offsets: list[int], delimiter: str) -> list[Finding]:
        """Runs of two or more lines with the same number of cells are tables; the first line of a run
        (or the second, after one line that only happens to have as many delimiters) is the header."""
        quoting = delimiter in ",;"
        counts = [len(_split(line, 0, delimiter)) - 1 if quoting and '"' in line and delimiter in line
                  else line.count(delimiter) for line in lines]
        if delimiter == "|":
            # the borders of a psql or mysql result grid (`-----+-----`, `+----+----+`) belong to the table
            for k, line in enumerate(lines):
                if counts[k] == 0 and _GRID_BORDER.fullmatch(line):
                    counts[k] = counts[k - 1] if k and counts[k - 1] else (counts[k + 1] if k + 1 < len(lines) else 0)
        found: list[Finding] = []
        i, n = 0, len(lines)
        while i < n:
            width = counts[i]
            j = i + 1
            while j < n and counts[j] == width:
                j += 1
            if delimiter == "|":
                while i < j and _GRID_BORDER.fullmatch(lines[i]):
                    i += 1  # a grid's top border is no header
            if width >= 1 and j - i >= 2:
                for head in (i, i + 1)[: 2 if j - i >= 3 else 1]:
                    rows = self._rows(text, lines, offsets, delimiter, head, j)
                    if rows is not None:
                        found.extend(rows)
                        break
            i = j
        return found

    @staticmethod
    def _rows(text: str, lines: list[str], offsets: list[int], delimiter: str, head: int,
              stop: int) -> list[Finding] | None:
        """The findings under the header line `head` in the rows up to `stop`; None when no header cell
        names a personal-data column."""
        header = lines[head].rstrip("\r")
        if not _HEADER_HINT.search(header):
            return None  # no header word at all: most runs of lines with as many commas are code or prose
        names = [text[c.start:c.end] for c in _split(header, offsets[head], delimiter)]
        rows = []
        for k in range(head + 1, min(stop, head + 1 + _MAX_ROWS)):
            line = lines[k].rstrip("\r")
            if not (delimiter == "|" and _SEPARATOR_ROW.fullmatch(line)):
                rows.append([_trimmed(text, cell) for cell in _split(line, offsets[k], delimiter)])
        return _column_findings(text, names, header, rows, "a value in a column whose header names it")

    @staticmethod
    def _insert_rows(text: str, m: re.Match[str]) -> list[Finding]:
        names = [c.strip().strip("`\"[]") for c in m.group(1).split(",")]
        rows = []
        for values in insert_rows(text, m.end()):
            if len(values) == len(names):
                row = []
                for value in values:
                    if value is not None:
                        raw = text[value[0]:value[1]]
                        start = value[0] + len(raw) - len(raw.lstrip())
                        value = (start, start + len(raw.strip()))
                    row.append(value)
                rows.append(row)
        return _column_findings(text, names, m.group(1), rows, "a literal in a column whose name names it") or []


def _column_findings(text: str, names: list[str], header: str, rows: list[list[tuple[int, int] | None]],
                     detail: str) -> list[Finding] | None:
    """The findings in `rows` (per cell its trimmed span, None for a value that is no literal) under the
    columns whose `names` say what they hold; None when no column counts."""
    named = {i: cat for i, n in enumerate(names) if (cat := _category_of(n))}
    if not named:
        return None
    name_columns = [i for i, n in enumerate(names) if _BARE_NAME.fullmatch(n.strip(" \t\"'*`"))]
    person_names = any(_names_people([text[span[0]:span[1]] for row in rows[:50] if (span := row[i])])
                       for i in name_columns)
    wanted = _resolve_columns(named, header, person_names)
    if not wanted:
        return None
    found: list[Finding] = []
    for row in rows:
        for i, category in wanted.items():
            if row[i] is not None:
                start, end = row[i]
                if end > start and _value_ok(category, text[start:end]):
                    found.append(Finding(category, start, end, 0.96, RULE, detail))
    return found
