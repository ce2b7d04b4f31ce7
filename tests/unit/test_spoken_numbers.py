"""Numbers read aloud or dictated digit by digit (detect/spoken_numbers.py), through PiiDetector."""

from __future__ import annotations

import pytest

from aegis_addons.detect import validators
from aegis_addons.detect.pii import PiiDetector

ZH_DIGITS = dict(zip("0123456789", "零一二三四五六七八九"))


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector()


def found(detector: PiiDetector, text: str) -> list[tuple[str, str]]:
    return [(f.category, text[f.start:f.end]) for f in detector.scan(text)]


def assert_redacted_whole(detector: PiiDetector, text: str, category: str, value: str) -> None:
    """One finding of `category` is exactly `value`, and no other finding cuts into it."""
    start = text.index(value)
    findings = detector.scan(text)
    assert [(f.category, f.start, f.end) for f in findings if f.start < start + len(value) and start < f.end] \
        == [(category, start, start + len(value))], found(detector, text)


def test_example_values_are_what_the_cases_claim():
    assert validators.credit_card("4539148803436467")
    assert validators.us_ssn("512447381")
    assert validators.aba_routing("021000021")
    assert validators.cn_resident_id("320102198505292811")


@pytest.mark.parametrize(("text", "category", "value"), [
    # English words, grouped with commas as speech-to-text writes them; `oh` is a zero
    ("call me back on oh seven four eight one, six eight three, six nine one, any time",
     "pii.phone", "oh seven four eight one, six eight three, six nine one"),
    ("my new number is two one three, two oh five, two one seven four please update it",
     "pii.phone", "two one three, two oh five, two one seven four"),
    ("reach me at double six seven four oh nine eight one tomorrow",
     "pii.phone", "double six seven four oh nine eight one"),
    ("pay with my card four five three nine, one four eight eight, oh three four three, six four six seven. Thanks",
     "pii.credit_card", "four five three nine, one four eight eight, oh three four three, six four six seven"),
    ("the tax lady needs my social, it's five one two four four seven three eight one, tell her",
     "pii.us_ssn", "five one two four four seven three eight one"),
    # single digits with spaces, after a word that names the kind
    ("new client, cell 2 6 7 5 4 7 7 6 2 3. Please add him", "pii.phone", "2 6 7 5 4 7 7 6 2 3"),
    ("so the card number is 4 5 3 9  1 4 8 8  0 3 4 3  6 4 6 7 and expiry",
     "pii.credit_card", "4 5 3 9  1 4 8 8  0 3 4 3  6 4 6 7"),
    ("her social is 5 1 2 4 4 7 3 8 1 on the form", "pii.us_ssn", "5 1 2 4 4 7 3 8 1"),
    ("电话 1 5 6 1 5 8 9 3 6 2 8，明天上午来取件", "pii.phone", "1 5 6 1 5 8 9 3 6 2 8"),
    # Chinese digit characters, with the call-centre readings 幺 (1), 拐 (7), 洞 (0)
    ("我的手机号是一七拐，拐六六幺，洞零四四，麻烦到了给我打电话", "pii.phone", "一七拐，拐六六幺，洞零四四"),
    ("我的号码一三九幺二三四五六七八谢谢", "pii.phone", "一三九幺二三四五六七八"),
    ("客户说身份证号是" + "".join(ZH_DIGITS[d] for d in "32010219850529281") + "一，要求查询",
     "pii.cn_resident_id", "".join(ZH_DIGITS[d] for d in "32010219850529281") + "一"),
    # a resident ID ending in X
    ("客户说身份证号是一一零一零五一九四九一二三一零零二X，要求查询", "pii.cn_resident_id", "一一零一零五一九四九一二三一零零二X"),
    # the forms a first version missed: a group per line, full stops, fillers, digits before the first
    # word, an area code in brackets, a comma glued to the label, commas or hyphens between digits,
    # a country code's plus
    ("Caller: Yeah, it's five oh three,\nsix one two,\nfour four eight nine.", "pii.phone",
     "five oh three,\nsix one two,\nfour four eight nine"),
    ("you can call me at five one oh. Four two two. Eight eight seven three.", "pii.phone",
     "five one oh. Four two two. Eight eight seven three"),
    ("my number is two one three, two oh five, um, two one seven four", "pii.phone",
     "two one three, two oh five, um, two one seven four"),
    ("my number is 2 one three two oh five two one seven four", "pii.phone", "2 one three two oh five two one seven four"),
    ("phone: (two one three) two oh five two one seven four", "pii.phone", "(two one three) two oh five two one seven four"),
    ("call me,two one three two oh five two one seven four", "pii.phone", "two one three two oh five two one seven four"),
    ("my number is 2 1 3, 2 0 5, 2 1 7 4", "pii.phone", "2 1 3, 2 0 5, 2 1 7 4"),
    ("my number is 2-1-3-2-0-5-2-1-7-4", "pii.phone", "2-1-3-2-0-5-2-1-7-4"),
    ("Mobile: +1 2 1 3 2 0 5 2 1 7 4", "pii.phone", "+1 2 1 3 2 0 5 2 1 7 4"),
    ("+44 7 9 1 1 1 2 3 4 5 6", "pii.phone", "+44 7 9 1 1 1 2 3 4 5 6"),  # a country code is label enough
    ("my number is (2 1 3) 2 0 5 2 1 7 4", "pii.phone", "(2 1 3) 2 0 5 2 1 7 4"),
    ("我的号码是 1 3 9 - 1 2 3 4 - 5 6 7 8", "pii.phone", "1 3 9 - 1 2 3 4 - 5 6 7 8"),
    ("Mobile: +1 (2 1 3) 2 0 5 2 1 7 4", "pii.phone", "+1 (2 1 3) 2 0 5 2 1 7 4"),
    ("telephone: 2 1 3 2 0 5 2 1 7 4", "pii.phone", "2 1 3 2 0 5 2 1 7 4"),
    ("card: 4 5 3 9  1 4 8 8  0 3 4 3  6 4 6 7  1 2 2 6  3 2 1", "pii.credit_card",  # with expiry and code
     "4 5 3 9  1 4 8 8  0 3 4 3  6 4 6 7  1 2 2 6  3 2 1"),
    # numerals before the first word; pairs only
    ("call me at 213 two oh five two one seven four", "pii.phone", "213 two oh five two one seven four"),
    ("我的手机号是：138 零零一三 八零零零", "pii.phone", "138 零零一三 八零零零"),
    ("My social is five one two, forty four, seventy three eighty one", "pii.us_ssn",
     "five one two, forty four, seventy three eighty one"),
    ("call me at eight hundred, five fifty five, twelve twelve", "pii.phone", "eight hundred, five fifty five, twelve twelve"),
    ("My number: five five five — one two three — four five six seven", "pii.phone",
     "five five five — one two three — four five six seven"),
    ("一七拐， 拐六六幺， 洞零四四 是我的手机", "pii.phone", "一七拐， 拐六六幺， 洞零四四"),
    ("Call back number is seven oh three... uh... four eight two... nine nine one five", "pii.phone",
     "seven oh three... uh... four eight two... nine nine one five"),
    # pairs read as numbers, `hundred`
    ("My number is two one three, two oh five, twenty one seventy four", "pii.phone",
     "two one three, two oh five, twenty one seventy four"),
    ("Caller ID read back: eight hundred, five five five, one two one two", "pii.phone",
     "eight hundred, five five five, one two one two"),
    ("card number is forty five thirty nine, fourteen eighty eight, oh three four three, sixty four sixty seven", "pii.credit_card",
     "forty five thirty nine, fourteen eighty eight, oh three four three, sixty four sixty seven"),
    # a card with its expiry and code read in one breath: longer than any one number, taken whole
    ("my card is four five three nine, one four eight eight, oh three four three, six four six seven, one two two six, "
     "three two one", "pii.credit_card", "four five three nine, one four eight eight, oh three four three, six four six "
     "seven, one two two six, three two one"),
    # a label that is a word of its own (`database` holds no `aba`)
    ("my phone number as in the database is two six seven five four seven seven six two three", "pii.phone",
     "two six seven five four seven seven six two three"),
    # Chinese readings: 两 for 2, banking numerals, a landline, hyphens
    ("我的手机号是幺三八，两两四六，拐拐洞洞", "pii.phone", "幺三八，两两四六，拐拐洞洞"),
    ("我的手机号是壹叁捌零零壹叁捌零零零", "pii.phone", "壹叁捌零零壹叁捌零零零"),
    ("打我座机，零二一，六二三四，五六七八", "pii.phone", "零二一，六二三四，五六七八"),
    ("手机号是一三八-零零一三-八零零零", "pii.phone", "一三八-零零一三-八零零零"),
])
def test_spoken_numbers_found(detector, text, category, value):
    assert_redacted_whole(detector, text, category, value)


def test_each_run_takes_the_kind_its_own_label_names(detector):
    text = "the routing number is 0 2 1 0 0 0 0 2 1 and the account number is 9 7 0 8 1 0 3 6 8, checking"
    assert found(detector, text) == [("pii.us_routing_number", "0 2 1 0 0 0 0 2 1"),
                                     ("pii.bank_account", "9 7 0 8 1 0 3 6 8")]


def test_lines_of_labelled_numbers_are_no_matrix(detector):
    text = "cell 2 6 7 5 4 7 7 6 2 3\ntel 2 6 7 5 4 7 1 1 9 0\n"
    assert [c for c, _ in found(detector, text)] == ["pii.phone", "pii.phone"]


def test_a_misheard_digit_keeps_the_label_of_a_spoken_number(detector):
    # sixteen digits after `card` that fail the Luhn check (one digit misheard) are still the card
    text = "my card is four five three nine one four eight eight oh three four three six four six eight"
    assert not validators.credit_card("4539148803436468")
    assert_redacted_whole(detector, text, "pii.credit_card", text[len("my card is "):])
    # the same for spaced digits right after their label
    assert_redacted_whole(detector, "my card is 4 5 3 9 1 4 8 8 0 3 4 3 6 4 6 8", "pii.credit_card",
                          "4 5 3 9 1 4 8 8 0 3 4 3 6 4 6 8")


@pytest.mark.parametrize("text", [
    # counting, repeated digits, short readings, prose
    "one two three four five six seven eight nine",
    "nine eight seven six five four three two one",
    "zero zero zero zero zero zero zero",
    "we need one or two, maybe three of them",
    "pin: four two seven one",
    "二〇二四年十一月三日",
    "一二三四五六七八九十",
    "他说一五一十地讲了三四五六遍",
    # lists and rows of digits in code and data
    "weights = (7, 3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1)",
    "call np.array([2, 0, 4, 6, 5, 3, 1]) then sort",
    "call 5 3 0 0 7 0 0 0 0\n6 0 0 1 9 5 0 0 0\n",  # a sudoku
    "0 9 8 0 0 0 0 6 0\ncall 5 3 0 0 7 0 0 0 0",
    "mobile sizes 1 2 3 5 8 1 3 2 1 4 5 6 7 8 9 1 2 3 4 5 6 7",
    "version 2 0 2 4 1 1 0 3.5 build",
    # spaced digits with no word naming a kind on their line
    "row 2 6 7 5 4 7 7 6 2 3 of the table",
    "call me later\n2 6 7 5 4 7 7 6 2 3",
    # a Chinese reading that is no mobile number and has no context word
    "一九八四二三五六七七",
    # a label's word with other words between it and spaced digits
    "The cell counts per well were 2 6 7 5 4 7 7 6 2 3",
    "Social media metrics: 3 4 1 4 9 6 5 7 4 likes per post",
    "Call stack depth: 2 1 3 2 0 5 2 1 7 4",
    "Number of samples per class: 2 1 3 2 0 5 2 1 7 4",
    "Ticket number 2 1 3 2 0 5 2 1 7 4 was resolved",
    "call 2 0 2 4 1 1 0 3.5 seconds later",  # a decimal ends no digit run
    "电话费账单：1月 5 6 1 5 8 9 3 6 2 8 元",
    "手机电量：1 5 6 1 5 8 9 3 6 2 8 格",
    # spoken groups that each count or repeat, and readings of no phone's length
    "Count it in: one two three four, one two three four",
    "My daughter is learning to count: one two three four five six seven eight nine ten",
    "pages one, two, three, four, five, six, seven",
    "Waltz: one two three, one two three, one two three",
    "Radio check: one two three four five, five four three two one, how copy?",
    "Backing vocals: oh oh oh, one two three, oh oh oh, four five six",
    "Roll results three five two six six one four four two",
    "Vote tally: six six one, four four two, three five two",
    "彩票号码：红球零三、零七、一五、二二、二八、三三，蓝球零九",
    "call(2, 1, 3, 2, 0, 5, 2, 1, 7, 4)",  # code calling a function
])
def test_not_spoken_numbers(detector, text):
    assert [f for f in detector.scan(text) if f.rule.startswith("spoken_")] == []


def test_a_card_in_digit_words_is_not_cut_by_a_seed_phrase(detector):
    # twelve or more digit words are also BIP-39 words; the card read out whole must win
    text = "pay with my card four zero one two eight eight eight eight eight eight eight eight one eight eight one thanks"
    assert [c for c, _ in found(detector, text)] == ["pii.credit_card"]
    assert_redacted_whole(detector, text, "pii.credit_card",
                          "four zero one two eight eight eight eight eight eight eight eight one eight eight one")


@pytest.mark.parametrize("message", [
    "call me on two one three,\ttwo oh five,\ttwo one seven four",
    "Caller: it's two one three,\r\ntwo oh five,\r\ntwo one seven four.",
])
def test_spoken_numbers_inside_json_strings(detector, message):
    import json
    text = json.dumps({"content": message})
    value = text[text.index("two one three"):text.index("seven four") + len("seven four")]
    assert_redacted_whole(detector, text, "pii.phone", value)


def test_a_finding_reaching_out_of_a_spoken_number_is_merged_into_it(detector):
    # the seed-phrase detector takes the words up to `three`; the digits after it must not stay in the clear
    text = "seed recovery help desk, call home phone number two one three two one seven three, four nine five five"
    findings = detector.scan(text)
    covered = {i for f in findings for i in range(f.start, f.end)}
    assert all(i in covered for i in range(text.index("two one three"), len(text)))


def test_a_long_run_is_read_in_linear_time():
    import time
    from aegis_addons.detect.rulepack import lower_same_length
    from aegis_addons.detect.spoken_numbers import SpokenNumberDetector
    spoken = SpokenNumberDetector()
    for unit in ("-oh", ",one", "x one-", "1 ", "一，"):
        small, large = ((unit * (n // len(unit)))[:n] for n in (4_000, 32_000))
        times = []
        for text in (small, large):
            begin = time.perf_counter()
            spoken.scan(text, lower_same_length(text))
            times.append(time.perf_counter() - begin)
        # 8x the text: linear is ~8x, quadratic 64x (the first version took 4.8 s on 24 KB of `oh-`)
        assert times[1] < 0.5 or times[1] < 24 * times[0], (unit, times)


def test_disabled_category_disables_its_spoken_form():
    detector = PiiDetector(disabled_categories=["pii.phone"])
    assert detector.scan("call me back on oh seven four eight one, six eight three, six nine one") == []


def test_disabled_family_and_disabled_card_category():
    assert PiiDetector(disabled_categories=["pii"]).scan("cell 2 6 7 5 4 7 7 6 2 3") == []
    # a card read out after `call` is no phone when cards are not wanted
    detector = PiiDetector(disabled_categories=["pii.credit_card"])
    assert [f for f in detector.scan("call 4 5 3 9  1 4 8 8  0 3 4 3  6 4 6 7") if f.rule.startswith("spoken_")] == []


def test_answer_side_secret_scanner_does_not_read_spoken_numbers():
    detector = PiiDetector(families=("secret",), seed_phrases=False)
    assert detector.scan("cell 2 6 7 5 4 7 7 6 2 3") == []
