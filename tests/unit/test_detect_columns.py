"""Values under a personal-data column header (tables, CSV, SQL INSERT), and the contexts that make a
number no phone or address (version strings, id keys)."""

import pytest

from aegis_addons.detect.pii import PiiDetector

DETECTOR = PiiDetector()


def found(text: str) -> set[tuple[str, str]]:
    return {(f.category, text[f.start:f.end]) for f in DETECTOR.scan(text)}


PAYROLL_TSV = ("Name\tSSN\tRouting\tAccount\tNet Pay\tPeriod End\n"
               "Tamara Chambers\t687 25 9447\t128582536\t2363507271\t$3,367.56\t08/27/2023\n"
               "Colton Aguilar\t473384693\t080388221\t39844255\t$2,764.86\t09/22/2022\n")
MARKDOWN = ("| Name | Country | Email | Phone |\n|---|---|---|---|\n"
            "| Kate Robinson | UK | kate@example.net | (020) 8388 6756 |\n"
            "| Auguste Jäkel | Germany | aj@example.net | 089 76049791 |\n")
CSV = ('asset_tag,owner,device,imei,os_version\n'
       'AT-54885,"Mane, I.",iPad Pro,860120457097355,2020.2.5\n'
       'AT-06969,"Walia, M.",iPhone 14,012205765336608,4.4.2\n')
SQL = ("INSERT INTO staff (id, name, dl_state, dl_number, hire_date) VALUES\n"
       "  (7398, 'Benjamin Stewart', 'PA', '35 227 217', '2023-11-28'),\n"
       "  (4754, 'Joshua Campbell', 'WA', 'WDL3XGT2D37N', '2023-08-29');")


@pytest.mark.parametrize("text, expected", [
    (PAYROLL_TSV, {("pii.us_ssn", "687 25 9447"), ("pii.us_ssn", "473384693"),
                   ("pii.us_routing_number", "128582536"), ("pii.us_routing_number", "080388221"),
                   ("pii.bank_account", "2363507271"), ("pii.bank_account", "39844255")}),
    (MARKDOWN, {("pii.phone", "(020) 8388 6756"), ("pii.phone", "089 76049791")}),
    (CSV, {("pii.imei", "860120457097355"), ("pii.imei", "012205765336608")}),
    (SQL, {("pii.drivers_license", "35 227 217"), ("pii.drivers_license", "WDL3XGT2D37N")}),
])
def test_values_under_a_named_column_are_found(text, expected):
    assert expected <= found(text)


@pytest.mark.parametrize("text", [
    # the header names a property of the value, not the value
    "device\tphone model\tqty\nPixel\t20231115\t3\nIPhone\t20240102\t1\n",
    # the cells are no values of the kind (a date, a price, a word)
    "name,ssn,account\nbob,2023-01-05,premium\namy,n/a,$4,120.00\n",
    # prose lines that happen to have as many commas as a line with a label word
    "Call me, maybe tomorrow.\nSure, 20230104 works.\n",
    # a routing number that fails its checksum
    "Name\tRouting\nBob\t128582537\n",
])
def test_look_alikes_in_tables_are_left_alone(text):
    assert not {c for c, _ in found(text) if c in {"pii.us_ssn", "pii.us_routing_number", "pii.bank_account",
                                                   "pii.phone", "pii.imei", "pii.drivers_license"}}


@pytest.mark.parametrize("text", [
    "Firmware 5.2.94.5 release notes",
    "request_id=9cfaaa59 app_version=2.7.8.98",
    '{"schema_version": "4.8.1.12"}',
    "- Fixes boot loop introduced in 4.7.7.8",
    "    image: registry.internal/api:2.4.3.60",
    "feat: release 4.1.8.25 (2023-05-30)",
])
def test_dotted_versions_are_no_addresses(text):
    assert not {c for c, _ in found(text) if c == "pii.ipv4"}


def test_an_address_after_a_host_key_is_still_found():
    assert ("pii.ipv4", "41.176.181.243") in found("host: 41.176.181.243")
    assert ("pii.ipv4", "41.176.181.243") in found("connect from 41.176.181.243 at noon")


@pytest.mark.parametrize("text", [
    '{"ad_group_id": "17050807574"}',
    '{"spend_micros": 15529293871}',
    '{"batch": "732-954-0943"}',
    '"campaign_id": "555-105-9001"',
])
def test_numbers_under_id_and_amount_keys_are_no_phones(text):
    assert not {c for c, _ in found(text) if c == "pii.phone"}


def test_phone_keys_still_count():
    assert ("pii.phone", "13812345678") in found('{"mobile_phone": "13812345678"}')
    assert ("pii.phone", "732-954-0943") in found('{"contact_id_phone": "732-954-0943"}')
