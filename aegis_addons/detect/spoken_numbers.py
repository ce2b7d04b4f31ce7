"""Numbers read aloud or dictated: `oh seven four eight one, six eight three…`, `2 6 7 5 4 7 7 6 2 3`,
`一七拐，拐六六幺，洞零四四`.

Voice agents and speech-to-text tools hand an LLM transcripts in which a phone, card or social security
number is written digit by digit: as words, as single digits with spaces, commas or hyphens, or as
Chinese digit characters. The regex rules want digits written together, so this detector reads such a
run as the number it spells and judges that number:

- a card number (13-19 digits) whose issuer prefix and Luhn check hold: `pii.credit_card`;
- 18 digits (the last may be X) with a valid Chinese resident-ID checksum: `pii.cn_resident_id`;
- otherwise the closest label before the run on its line decides: `social`/`ssn` -> `pii.us_ssn` (9
  digits, valid), `routing` -> `pii.us_routing_number` (ABA check), `account` -> `pii.bank_account`,
  `phone`/`call`/`cell`/`my number`/`电话`/`手机` -> `pii.phone`;
- read out in words after a label, a number keeps the label's kind even when its check fails (speech
  recognition mishears digits), and a run longer than one number (a card with its expiry and code) is
  taken whole; with no label, a reading of a phone's length (7 or 10-12 digits; Chinese: a mobile
  number's shape) is a phone, unless each of its groups counts or repeats (`one two three, one two
  three`: a count-in).

Single digits are also how code, matrices and puzzles print numbers, so that form needs its label right
before it, with only glue words between (`routing number is`, `电话`; not `cell counts per well were`),
and is left alone beside a line that starts with another row of digits; counting and one repeated digit
are no one's number.
"""

from __future__ import annotations

import re

from aegis_addons.detect import validators
from aegis_addons.detect.findings import Finding
from aegis_addons.detect.lines import line_end, line_start, line_start_within

# English digit words; `oh` (and, after the first, `o`) is how a zero is read in phone numbers, `niner` a
# nine on the radio. `double six` and `triple one` repeat. Pairs are read as numbers (`twenty one seventy
# four`, `forty nine thirty`), and `hundred` after a digit (`eight hundred`): each is two digits.
_EN_DIGITS = {"zero": "0", "oh": "0", "o": "0", "nought": "0", "one": "1", "two": "2", "three": "3",
              "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "niner": "9"}
_TENS = {w: str(i) for i, w in enumerate(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                                          "ninety"), start=2)}
_TEENS = {w: str(i) for i, w in enumerate(("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
                                           "sixteen", "seventeen", "eighteen", "nineteen"), start=10)} | {"hundred": "00"}
_DIGIT_WORDS = "|".join(w for w in _EN_DIGITS if w != "o")  # (`o` alone would start a run at every `o`)
_UNIT_WORDS = "one|two|three|four|five|six|seven|eight|nine"
_EN_WORD = rf"(?:{_DIGIT_WORDS})(?![a-z])"
_EN_PAIR = rf"(?:(?:{'|'.join(_TENS)})(?:[ -](?:{_UNIT_WORDS})(?![a-z]))?|{'|'.join(_TEENS)})(?![a-z])"
_EN_TOKEN = rf"(?:(?:double|triple)[ \t]+)?(?:{_EN_WORD}|{_EN_PAIR}|o(?![a-z'])|[0-9](?![\w.]))"
# Between tokens: spaces (two between groups; a no-break space too), a comma (then a line break may follow:
# a transcript puts each group on its line), a hyphen, a dash, a slash or a semicolon, a full stop or an
# ellipsis (`five one oh. Four two two.`), a filler (`um`, `uh`), or the brackets of an area code, `(two
# one three) two …`. A JSON `\r\n` escape is read as a space and a control character twice, so `,\r\n`
# is five characters.
_SPACE = r"[ \t\u00a0]"
_SEPARATOR = (rf"(?:{_SPACE}{{1,3}}|,\s{{0,4}}|{_SPACE}?[-—–/;]{_SPACE}?|\.{{1,3}}{_SPACE}{{1,2}}|{_SPACE}?[()]{_SPACE}?)"
              rf"(?:(?:um|uh|er|erm)[ ,.]{{1,4}})?")
# Four tokens at least (a pair is two digits; the seven digits a number needs are counted in code). The run
# starts with a digit word (a literal, which the regex engine skips to quickly; the word boundary before
# it is checked in code, as a look-behind there would make the engine try every position), and what
# stands before that word is added in code too (`_TOKENS_BEFORE`). The repetition is possessive and
# nothing after it can fail, so each run is read once (with a closing look-ahead that failed,
# `oh-oh-oh-…` was retried from every word: quadratic).
_WORD_RUN = re.compile(rf"{_EN_WORD}(?:{_SEPARATOR}{_EN_TOKEN}){{3,}}+")
# One token of a run, in groups: a repetition word, a pair's tens and unit, a teen or `hundred`, a digit.
_EN_PART = re.compile(
    rf"(?<![a-z])(double|triple)?{_SPACE}*(?:({'|'.join(_TENS)})(?:[ -]({_UNIT_WORDS})(?![a-z]))?"
    rf"|({'|'.join(_TEENS)})|({'|'.join(_EN_DIGITS)}|[0-9]))(?![a-z])")
# What may stand before a run's first digit word and still belong to it: `double`, digits (`2 one three
# …`), pairs (`forty nine thirty …`: a run starts at a digit word, which keeps the search fast), an opening
# bracket, `+` and a country code's digits.
_TOKENS_BEFORE = re.compile(
    rf"(?:\+{_SPACE}?)?\(?(?:(?:(?<![\w.])[0-9]{{1,4}}|(?<![\w-])(?:double|triple|{_EN_PAIR})){_SEPARATOR})*"
    rf"(?:(?<![\w-])(?:double|triple){_SPACE}+)?\Z")
_BEFORE_REACH = 40
# Single digits with spaces (two between groups), a comma or a hyphen: `4 9 3 0  0 5 2 8 …`, `2-1-3-…`.
# Lists in code and data look the same (`weights = (7, 3, 1, …)`), so this form needs its label right
# before it (see `_GLUE`).
_DIGIT_SEPARATOR = rf"(?:{_SPACE}{{1,2}}|[,，]{_SPACE}?|{_SPACE}?-{_SPACE}?|\){_SPACE}?)"
_DIGIT_RUN = re.compile(rf"[0-9](?:{_DIGIT_SEPARATOR}[0-9](?![\w]|\.[0-9])){{6,}}+")
_DIGIT_BEFORE = re.compile(rf"[0-9]{_DIGIT_SEPARATOR}\Z")
_DIGIT_AFTER = re.compile(rf"{_DIGIT_SEPARATOR}[0-9]")
# `+44 7 9 1 1 …`, `(2 1 3) 2 0 5 …`: a country code or an opening bracket belongs to the number (a
# country code is label enough)
_COUNTRY_BEFORE = re.compile(r"\+(?:[0-9]{1,3}[ \t]?)?(?:\([ \t]?)?\Z")
_BRACKET_BEFORE = re.compile(r"\([ \t]?\Z")
# Chinese: 幺 is how 1 is read on the phone, 两 2, 拐 7, 洞 0 (call-centre and radio speech), 壹贰叁… the
# banking numerals; a resident ID may end in X (叉 when read out).
_ZH_DIGITS = {"零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "拐": "7", "八": "8", "九": "9", "壹": "1", "贰": "2", "叁": "3",
              "肆": "4", "伍": "5", "陆": "6", "柒": "7", "捌": "8", "玖": "9", "x": "X", "X": "X", "叉": "X"}
_ZH_CHARS = "零〇洞一幺二两三四五六七拐八九壹贰叁肆伍陆柒捌玖"
_ZH_RUN = re.compile(rf"[{_ZH_CHARS}](?:[ \t，,、。－-]{{0,2}}[{_ZH_CHARS}]){{6,}}+(?:[ \t]?[xX叉])?")
# ASCII digits written before the characters: `138 零零一三 八零零零`
_ZH_DIGITS_BEFORE = re.compile(r"(?<![\w.])[0-9]{1,4}[ \t，,、-]{0,2}\Z")

# The kind a label stands for; the closest before the run on its line wins (`routing number is … and the
# account number is …` gives each run its own). English words start a word (`reach` is not in `breach`,
# `aba` not in `database`). `number` alone is a phone's after a word that makes it someone's (`my number`,
# `callback number`), not after `ticket` or `build`.
# Each kind of `_KINDS` is one group, in English and again in Chinese, so a match's group number modulo
# six names its kind (`((?!))` holds the place of English resident-ID words, which there are none of).
_CONTEXT = re.compile(
    r"(?i)(?<![a-z])(?:(social(?: security)?|ssn|ss ?#)|(routing|aba)|(account|acct|iban)|(card|visa|mastercard|amex)|((?!))"
    r"|(phones?|telephone|cell(?:phone)?|mobile|call|tel|ph|fax|text me|reach(?: me)?|whatsapp"
    r"|(?:(?:my|your|his|her|their|our|the|new|contact|callback|call-back|home|work|office|direct)[ \t]+)number))(?![a-z])"
    r"|(社保|社会保障)|(路由)|(账号|账户|帐号)|(卡号|银行卡|信用卡)|(身份证)|(电话|手机|座机|联系|打给|我的号码|新号码|号码是)")
_KINDS = ("pii.us_ssn", "pii.us_routing_number", "pii.bank_account", "pii.credit_card", "pii.cn_resident_id", "pii.phone")
_CONTEXT_REACH = 80  # on the run's own line
# What may stand between a label and spaced digits (`cell: 2 6 7 …`, `routing number is 3 2 5 …`, `电话
# 1 5 6 …`): glue words, not other words (`cell counts per well were 2 6 7 …`, `social media metrics:
# 3 4 1 …`, `call stack depth: 2 1 3 …`, `电话费账单：1月 5 6 1 …` are no one's numbers).
_GLUE = re.compile(
    r"(?i)(?:[\s:：#=,.'’\-()]|(?<![a-z])(?:is|was|are|number|numbers|num|no|nr|my|his|her|their|our|your|the|a|at|on"
    r"|me|it|it's|its|of|to|be|reached|new|old|now|s|here|that|this|one)(?![a-z])|是|为|号|码|号码|的|：)*")
# A line that starts with a row of single digits (a matrix, a bitmap, a sudoku line): five are enough.
_DIGIT_ROW = re.compile(r"[ \t\[(|]*[0-9](?:[ \t,]{1,2}[0-9]){4}(?![\w.])")
_LINE_REACH = 4096


class SpokenNumberDetector:
    """`scan(text, lowered)`: findings for digit runs read aloud; categories are the regex rules' own."""

    def __init__(self, categories: set[str] | frozenset[str] = frozenset(_KINDS)) -> None:
        self._categories = frozenset(categories)

    def scan(self, text: str, lowered: str) -> list[Finding]:
        found: list[Finding] = []
        for pattern, spoken in ((_WORD_RUN, True), (_DIGIT_RUN, False)):
            pos = 0
            while m := pattern.search(lowered, pos):
                start, end = m.start(), m.end()
                previous = lowered[start - 1] if start else ""
                if previous.isalnum() or previous == "_" or not spoken and previous in ".,-":
                    # inside a word (`someone two …`) or a number: go on after its first token (not one
                    # character on: each retry would read the rest of a long run again)
                    pos = lowered.find(" ", start, end) + 1 or end
                    continue
                pos = end
                country = None if spoken else _COUNTRY_BEFORE.search(lowered, max(0, start - 5), start)
                if not spoken and (not country and _DIGIT_BEFORE.search(lowered, max(0, start - 3), start)
                                   or _DIGIT_AFTER.match(lowered, end)):
                    continue  # part of a longer row of digits or numbers (`… 1 1 0 3.5`)
                if spoken:
                    start = _TOKENS_BEFORE.search(lowered, max(0, start - _BEFORE_REACH), start).start()
                elif country:
                    start = country.start()
                elif bracket := _BRACKET_BEFORE.search(lowered, max(0, start - 2), start):
                    start = bracket.start()
                tokens = _spoken_tokens(lowered, start, end)
                if _counting(tokens):
                    continue  # `one two three … nine ten`
                digits = "".join(tokens)
                if finding := self._judge(lowered, start, end, digits, spoken, country=country is not None):
                    found.append(finding)
        if not text.isascii():
            for m in _ZH_RUN.finditer(text):
                start = m.start()
                if before := _ZH_DIGITS_BEFORE.search(text, max(0, start - 8), start):
                    start = before.start()
                digits = "".join(_ZH_DIGITS.get(c, c) for c in text[start:m.end()] if c in _ZH_DIGITS or c.isdigit())
                if finding := self._judge(lowered, start, m.end(), digits, spoken=True, chinese=True):
                    found.append(finding)
        return found

    def _judge(self, lowered: str, start: int, end: int, digits: str, spoken: bool,
               chinese: bool = False, country: bool = False) -> Finding | None:
        if "X" in digits:  # only a resident ID ends in X
            if validators.cn_resident_id(digits) and "pii.cn_resident_id" in self._categories:
                return self._finding("pii.cn_resident_id", start, end, digits, spoken)
            digits = digits[:-1]
        card = 13 <= len(digits) <= 19 and validators.credit_card(digits)  # test cards repeat digits too
        if len(digits) < 7 or _counts(digits) or len(set(digits)) < 3 and not card:
            return None
        context, glued = ("pii.phone", True) if country else self._context(lowered, start)
        if not spoken and (not glued or self._in_digit_grid(lowered, start, end)):
            return None
        if spoken and not chinese and context is None and _straight_groups(lowered, start, end):
            return None  # `one two three four, one two three four`: a count-in, not a number
        kind = None
        if card:
            kind = "pii.credit_card"
        elif len(digits) == 18 and validators.cn_resident_id(digits):
            kind = "pii.cn_resident_id"
        elif context == "pii.us_ssn" and len(digits) == 9 and validators.us_ssn(digits):
            kind = "pii.us_ssn"
        elif context == "pii.us_routing_number" and len(digits) == 9 and validators.aba_routing(digits):
            kind = "pii.us_routing_number"
        elif context == "pii.bank_account" and 6 <= len(digits) <= 17:
            kind = "pii.bank_account"
        elif context == "pii.phone" and len(digits) <= 15:
            kind = "pii.phone"
        elif context is None and (re.fullmatch(r"1[3-9]\d{9}", digits) if chinese else len(digits) in (7, 10, 11, 12)):
            # no label: a reading of a phone's length (a Chinese one only in a mobile number's shape)
            kind = "pii.phone"
        elif context and (spoken or glued):
            # Read out after its label, a number is that kind even when its check fails (speech
            # recognition drops or mishears a digit, and the rest is still someone's number), and a run
            # longer than any one number (a card with its expiry and code, two phones) is taken whole.
            kind = context
        if kind is None or kind not in self._categories:
            return None
        return self._finding(kind, start, end, digits, spoken)

    @staticmethod
    def _finding(kind: str, start: int, end: int, digits: str, spoken: bool) -> Finding:
        how = "spoken words" if spoken else "spaced digits"
        return Finding(kind, start, end, 0.9 if kind in ("pii.credit_card", "pii.cn_resident_id") else 0.85,
                       f"spoken_{kind.split('.', 1)[1]}", f"{len(digits)} digits read out as {how}")

    @staticmethod
    def _context(lowered: str, start: int) -> tuple[str | None, bool]:
        """The kind named by the closest label before `start` on its line (None if there is none), and
        whether only glue words stand between them."""
        floor = line_start(lowered, start, _CONTEXT_REACH)
        last = None
        for last in _CONTEXT.finditer(lowered, floor, start):
            pass
        if last is None:
            return None, False
        # (`call(2, 1, 3, …)` is code calling a function)
        glued = lowered[last.end():last.end() + 1] != "(" and _GLUE.fullmatch(lowered, last.end(), start) is not None
        return _KINDS[(last.lastindex - 1) % len(_KINDS)], glued

    @staticmethod
    def _in_digit_grid(lowered: str, start: int, end: int) -> bool:
        """Does the line above or below start with a row of single digits (a matrix, not a dictated
        number)? Lines that each start with a label (`cell 2 6 7 …`, `tel 2 6 7 …`) are no matrix."""
        own_start = line_start_within(lowered, start, _LINE_REACH)
        if own_start:  # (None: the line is too long to tell; 0: there is no line above)
            above = line_start_within(lowered, own_start - 1, _LINE_REACH)
            if above is not None and _DIGIT_ROW.match(lowered, above, own_start - 1):
                return True
        below_start = line_end(lowered, end, _LINE_REACH) + 1
        return below_start < len(lowered) and lowered[below_start - 1] == "\n" and bool(
            _DIGIT_ROW.match(lowered, below_start, line_end(lowered, below_start, _LINE_REACH)))


def _spoken_tokens(text: str, start: int = 0, end: int | None = None) -> list[str]:
    """The digits each number word or digit of a run spells: `two oh five` 2, 0, 5; `double six` 66;
    `twenty one seventy four` 21, 74; `forty` 40; `eight hundred` 8, 00."""
    digits = []
    for repeat, tens, unit, pair, word in _EN_PART.findall(text, start, len(text) if end is None else end):
        if tens:
            spelled = _TENS[tens] + (_EN_DIGITS[unit] if unit else "0")
        elif pair:
            spelled = _TEENS[pair]
        else:
            spelled = _EN_DIGITS.get(word, word)
        digits.append(spelled * {"double": 2, "triple": 3}.get(repeat, 1))
    return digits


def _straight_groups(lowered: str, start: int, end: int) -> bool:
    """Is every comma-separated group of the run counting or one digit repeated (`one two three, one two
    three`, `oh oh oh, four five six`, `five four three two one`)?"""
    groups = [g for g in map(_spoken_tokens, lowered[start:end].split(",")) if g]
    return bool(groups) and all(len("".join(g)) < 2 or len(set("".join(g))) == 1 or _counting(g) for g in groups)


def _counting(tokens: list[str]) -> bool:
    """Number words that count up or down by one (`… eight nine ten`), or digits that do (`1234567`)."""
    values = [int(t) for t in tokens]
    steps = {b - a for a, b in zip(values, values[1:])}
    return len(values) > 1 and steps in ({1}, {-1}) or _counts("".join(tokens))


def _counts(digits: str) -> bool:
    """`1234567`, `9876543`: counting, not a number of anyone."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:])}
    return steps in ({1}, {9})
