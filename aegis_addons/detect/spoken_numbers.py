"""Numbers read aloud or dictated: `oh seven four eight one, six eight three…`, `2 6 7 5 4 7 7 6 2 3`,
`一七拐，拐六六幺，洞零四四`.

Voice agents and speech-to-text tools hand an LLM transcripts in which a phone, card or social security
number is written digit by digit, as words or as single digits with spaces. The regex rules want digits
written together, so this detector reads such a run as the number it spells and judges that number:

- a card number (13-19 digits) whose issuer prefix and Luhn check hold: `pii.credit_card`;
- 18 digits with a valid Chinese resident-ID checksum: `pii.cn_resident_id`;
- otherwise the closest context word before the run on its line decides: `social`/`ssn` ->
  `pii.us_ssn` (9 digits, valid), `routing` -> `pii.us_routing_number` (ABA check), `account` ->
  `pii.bank_account`, `phone`/`call`/`cell`/`电话`/`手机`, or `number` alone -> `pii.phone`;
- read out in words, a number after a label keeps the label's kind even when its check fails (speech
  recognition mishears digits), and one of phone length with no label is a phone: seven digit words
  in a row are almost never anything but an identifier read out. Chinese digit characters with no
  label count only in a mobile number's shape (`1[3-9]` and 11 digits).

Single digits with spaces are also how matrices, bitmaps and puzzles print (`0 1 1 0 1 0 0`), so that
form needs a context word and is skipped when the line above or below holds such a row too. Runs that
count up or down (`one two three four five six seven`) or repeat one digit are not numbers of anyone.
"""

from __future__ import annotations

import re

from aegis_addons.detect import validators
from aegis_addons.detect.findings import Finding
from aegis_addons.detect.lines import line_end, line_start

# English digit words; `oh` is how a zero is read in phone numbers. `double six` and `triple one` repeat.
_EN_DIGITS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
              "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_EN_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)(?![a-z])"
_EN_TOKEN = rf"(?:(?:double|triple)[ \t]+)?(?:{_EN_WORD}|[0-9](?![\w.]))"
# Seven tokens at least, separated by spaces (two between groups), a comma or a hyphen. The run starts
# with a digit word (a literal, which the regex engine skips to quickly; the word boundary before it is
# checked in code, as a look-behind there would make the engine try every position). The repetition is
# possessive and nothing after it can fail, so a long run is read once (with a closing look-ahead that
# fails, `oh-oh-oh-…` was retried from every word: quadratic).
_WORD_RUN = re.compile(rf"{_EN_WORD}(?:(?:[ \t]{{1,2}}|,[ \t]?|[ \t]?-[ \t]?){_EN_TOKEN}){{6,}}+")
_EN_PART = re.compile(r"(double|triple)?[ \t]*(zero|oh|one|two|three|four|five|six|seven|eight|nine|[0-9])")
# Single digits with spaces (two between groups): `4 9 3 0  0 5 2 8 …`. Only spaces: digits with commas
# between them are a list in code or data (`weights = (7, 3, 1, …)`, `np.array([2, 0, 4, …])`).
_DIGIT_RUN = re.compile(r"[0-9](?:[ \t]{1,2}[0-9](?![\w]|\.[0-9])){6,}+")
_DIGIT_BEFORE = re.compile(r"[0-9][ \t]{1,2}\Z")
_REPEAT_BEFORE = re.compile(r"(?<![\w-])(?:double|triple)[ \t]+\Z")
# Chinese: 幺 is how 1 is read on the phone, 拐 7, 洞 0 (radio and call-centre speech).
_ZH_DIGITS = {"零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "拐": "7", "八": "8", "九": "9"}
_ZH_RUN = re.compile(r"[零〇洞一幺二三四五六七拐八九](?:[ \t，,、]?[零〇洞一幺二三四五六七拐八九]){6,}+")

# The kind a context word stands for, closest before the run wins (`routing number is … and the account
# number is …` gives each run its own).
_CONTEXT = re.compile(
    r"(?i)(social|ssn|社保|社会保障)|(routing|aba|路由)|(account|acct|iban|账号|账户|帐号)"
    r"|(card|visa|mastercard|amex|卡号|银行卡|信用卡)|(身份证)"
    r"|(phone|cell|mobile|call|tel\b|text me|reach|whatsapp|电话|手机|号码|联系|打给)")
# `number`, `no.` alone: a phone, when no word above names the kind (`routing number is …`).
_NUMBER_WORD = re.compile(r"(?i)\bnumber\b|\bno\.|号")
_KINDS = ("pii.us_ssn", "pii.us_routing_number", "pii.bank_account", "pii.credit_card", "pii.cn_resident_id", "pii.phone")
_CONTEXT_REACH = 80  # on the run's own line
# A line that starts with a row of single digits (a matrix, a bitmap, a sudoku line): five are enough.
_DIGIT_ROW = re.compile(r"[ \t\[(|]*[0-9](?:[ \t,]{1,2}[0-9]){4}(?![\w.])")


class SpokenNumberDetector:
    """`scan(text, lowered)`: findings for digit runs read aloud; categories are the regex rules' own."""

    def __init__(self, categories: set[str] | frozenset[str] = frozenset(_KINDS)) -> None:
        self._categories = frozenset(categories)

    def scan(self, text: str, lowered: str) -> list[Finding]:
        found: list[Finding] = []
        for pattern, spoken in ((_WORD_RUN, True), (_DIGIT_RUN, False)):
            pos = 0
            while m := pattern.search(lowered, pos):
                before = lowered[max(0, m.start() - 3):m.start()]
                if before and (before[-1].isalnum() or before[-1] in "_.,-"):
                    pos = m.start() + 1  # inside a word (`someone two …`) or a number: try just after
                    continue
                if not spoken and _DIGIT_BEFORE.search(before):
                    pos = m.end()  # the tail of a longer row of digits
                    continue
                pos, start = m.end(), m.start()
                if spoken and (repeat := _REPEAT_BEFORE.search(lowered, max(0, start - 8), start)):
                    start = repeat.start()  # `double six …`: the run starts with the repetition
                digits = "".join(d * {"double": 2, "triple": 3}.get(rep, 1)
                                 for rep, word in _EN_PART.findall(lowered, start, m.end())
                                 for d in [_EN_DIGITS.get(word, word)])
                if finding := self._judge(lowered, start, m.end(), digits, spoken):
                    found.append(finding)
        if not text.isascii():
            for m in _ZH_RUN.finditer(text):
                digits = "".join(_ZH_DIGITS[c] for c in m.group() if c in _ZH_DIGITS)
                if finding := self._judge(lowered, m.start(), m.end(), digits, spoken=True, chinese=True):
                    found.append(finding)
        return found

    def _judge(self, lowered: str, start: int, end: int, digits: str, spoken: bool,
               chinese: bool = False) -> Finding | None:
        if len(digits) < 7 or len(digits) > 19 or len(set(digits)) < 3 or _counts(digits):
            return None
        context = self._context(lowered, start)
        if not spoken and (context is None or self._in_digit_grid(lowered, start, end)):
            return None
        kind = None
        if 13 <= len(digits) <= 19 and validators.credit_card(digits):
            kind = "pii.credit_card"
        elif len(digits) == 18 and validators.cn_resident_id(digits):
            kind = "pii.cn_resident_id"
        elif context == "pii.us_ssn" and len(digits) == 9 and validators.us_ssn(digits):
            kind = "pii.us_ssn"
        elif context == "pii.us_routing_number" and len(digits) == 9 and validators.aba_routing(digits):
            kind = "pii.us_routing_number"
        elif context == "pii.bank_account" and 6 <= len(digits) <= 17:
            kind = "pii.bank_account"
        elif context in ("pii.phone", None) and len(digits) <= 15:
            # a Chinese reading of phone length is a phone only when it has a mobile's shape or a word
            if not chinese or context or re.fullmatch(r"1[3-9]\d{9}", digits):
                kind = "pii.phone"
        elif spoken and context not in (None, "pii.cn_resident_id"):
            # Read out in words after its label, a number is that kind even when its check fails: speech
            # recognition drops or mishears a digit, and the rest of the number is still someone's.
            kind = context
        if kind is None or kind not in self._categories:
            return None
        how = "spoken words" if spoken else "spaced digits"
        return Finding(kind, start, end, 0.9 if kind in ("pii.credit_card", "pii.cn_resident_id") else 0.85,
                       f"spoken_{kind.split('.', 1)[1]}", f"{len(digits)} digits read out as {how}")

    @staticmethod
    def _context(lowered: str, start: int) -> str | None:
        """The kind named by the closest context word before `start` on its line, if any."""
        floor = line_start(lowered, start, _CONTEXT_REACH)
        last = None
        for last in _CONTEXT.finditer(lowered, floor, start):
            pass
        if last is not None:
            return _KINDS[last.lastindex - 1]
        return "pii.phone" if _NUMBER_WORD.search(lowered, floor, start) else None

    @staticmethod
    def _in_digit_grid(lowered: str, start: int, end: int) -> bool:
        """Does the line above or below start with a row of single digits (a matrix, not a dictated
        number)? Lines of labelled numbers (`cell 2 6 7 …` twice) are not a matrix."""
        above_end = line_start(lowered, start, 4096) - 1
        if above_end > 0 and _DIGIT_ROW.match(lowered, line_start(lowered, above_end, 4096), above_end):
            return True
        below_start = line_end(lowered, end, 4096) + 1
        return below_start < len(lowered) and bool(
            _DIGIT_ROW.match(lowered, below_start, line_end(lowered, below_start, 4096)))


def _counts(digits: str) -> bool:
    """`1234567`, `9876543`: counting, not a number of anyone."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:])}
    return steps in ({1}, {9})
