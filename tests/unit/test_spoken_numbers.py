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
])
def test_spoken_numbers_found(detector, text, category, value):
    assert (category, value) in found(detector, text)


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
    assert [c for c, _ in found(detector, text)] == ["pii.credit_card"]


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
])
def test_not_spoken_numbers(detector, text):
    assert [f for f in detector.scan(text) if f.rule.startswith("spoken_")] == []


def test_disabled_category_disables_its_spoken_form():
    detector = PiiDetector(disabled_categories=["pii.phone"])
    assert detector.scan("call me back on oh seven four eight one, six eight three, six nine one") == []


def test_answer_side_secret_scanner_does_not_read_spoken_numbers():
    detector = PiiDetector(families=("secret",), seed_phrases=False)
    assert detector.scan("cell 2 6 7 5 4 7 7 6 2 3") == []
