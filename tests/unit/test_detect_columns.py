"""Values under a personal-data column header (tables, CSV, SQL INSERT), and the contexts that make a
number no phone or address (version strings, id keys)."""

import pytest

from aegis_addons.detect.pii import PiiDetector

DETECTOR = PiiDetector()


def found(text: str) -> set[tuple[str, str]]:
    return {(f.category, text[f.start:f.end]) for f in DETECTOR.scan(text)}


PERSONAL_IDS = {"pii.us_ssn", "pii.us_routing_number", "pii.bank_account", "pii.phone", "pii.imei",
                "pii.drivers_license", "pii.tax_id", "pii.medical_record_number", "pii.passport_number"}


def personal_ids(text: str) -> set[str]:
    """The categories of identifiers and numbers found in `text` (not e-mail addresses or IBANs)."""
    return {c for c, _ in found(text) if c in PERSONAL_IDS}


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


TABLES = [
    (PAYROLL_TSV, {("pii.us_ssn", "687 25 9447"), ("pii.us_ssn", "473384693"),
                   ("pii.us_routing_number", "128582536"), ("pii.us_routing_number", "080388221"),
                   ("pii.bank_account", "2363507271"), ("pii.bank_account", "39844255")}),
    (MARKDOWN, {("pii.phone", "(020) 8388 6756"), ("pii.phone", "089 76049791")}),
    (CSV, {("pii.imei", "860120457097355"), ("pii.imei", "012205765336608")}),
    (SQL, {("pii.drivers_license", "35 227 217"), ("pii.drivers_license", "WDL3XGT2D37N")}),
]


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
    assert not personal_ids(text)


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


PSQL = (" name            | pan        | phone            | passport\n"
        "-----------------+------------+------------------+----------\n"
        " Meera Gupta     | CHPPG7430S | +91 67239 10967  | M3582157\n"
        " Aarav Sharma    | JJPPS0901H | 81128 35775      | P5721179\n")
MYSQL = ("+------------------+----------------+------------+\n"
         "| name             | steuer_idnr    | telefon    |\n"
         "+------------------+----------------+------------+\n"
         "| Jonas Schneider  | 79 086 754 313 | 0485913255 |\n"
         "+------------------+----------------+------------+\n")


GRIDS_AND_LABELS = [
    (PSQL, {("pii.tax_id", "CHPPG7430S"), ("pii.phone", "81128 35775"), ("pii.passport_number", "P5721179")}),
    (MYSQL, {("pii.tax_id", "79 086 754 313"), ("pii.phone", "0485913255")}),
    ('{"name": "Théo", "tel": "07 12 05 99 75", "tax_id": "MBMPB1905E"}',
     {("pii.phone", "07 12 05 99 75"), ("pii.tax_id", "MBMPB1905E")}),
    ('kyc.verified name="S C" pan_no=EWGPC2992X dl_no=ASHWO959245IG9VA routing_number=041541793 '
     'dda_account=61381274942 tel=6026314129',
     {("pii.tax_id", "EWGPC2992X"), ("pii.drivers_license", "ASHWO959245IG9VA"),
      ("pii.bank_account", "61381274942"), ("pii.phone", "6026314129")}),
    ("Record 5\nName: Caleb Brennan\nPhone Number: 3038280260\nPatient ID : 36-793311\n",
     {("pii.phone", "3038280260"), ("pii.medical_record_number", "36-793311")}),
    # a bare License column beside a State column, a bare Account column beside a Routing column
    ("Name,License,State,Email\nMarcus Okafor,C760-4329-2500,IL,m@example.net\nAmy Li,L9927636,CA,a@example.net\n",
     {("pii.drivers_license", "C760-4329-2500"), ("pii.drivers_license", "L9927636")}),
]


@pytest.mark.parametrize("text, expected", TABLES + GRIDS_AND_LABELS)
def test_values_under_a_named_column_or_label_are_found(text, expected):
    assert expected <= found(text)


@pytest.mark.parametrize("text", [
    # cloud account ids, plan names and ledger accounts under account headers without a banking column
    '"Acct",Acct ID,Plan,Seats\n"Business Plus",513901295170,"Pro",823\nacme-prod,840069697619,Legacy Gold,708\n',
    "service\tversion\taccount\nsearch\t10.0.22631.2308\t307455949464\nmail\t3.11.10\t341508963335\n",
    "INSERT INTO gl_balances (account, description, debit) VALUES ('4000-2000', 'Revenue', '$0.00');",
    # customs movement reference numbers are no medical record numbers; a tax code is no tax id
    "Customs MRN,Tracking #,Dest ZIP\n23NLEEGWCM3J9ABXE0,818730614014,26472\n24DECCL2N7Z5TV8ZE5,590599651371,30381\n",
    "Jurisdiction\tTax Rate\tTax Code\nBavaria\t0.0773\tTC80976\nNew York\t0.0762\tTC96445\n",
    # software licences, a licence column without a driving context
    "Product,License,Seats\nOffice,MIT-2024-0001,141\nVisio,APACHE20-7788,12\n",
    # labels with values that are no such value
    '{"phone": "iPhone 14", "tel": "4021", "passport": "required", "account": "ACME-001"}',
    "acct_id=784683802231, plan=Growth, created=2025-07-10",
])
def test_look_alike_columns_and_labels_are_left_alone(text):
    assert not personal_ids(text)


@pytest.mark.parametrize("text", [
    # from a review: header words that are used for other things
    "Ticket | Account | Priority\nINC0012345 | 400123 | P2\nINC0012346 | 400124 | P3\n",
    "account_id,plan,mrr\n10023456,pro,99\n10023457,team,199\n",
    "Linked account,Service,Cost\n123456789012,Amazon EC2,$12.00\n210987654321,S3,$3.10\n",
    "Account,Account Balance\nChecking,1250000\nSavings,8800000\n",
    "Date,Desktop,Mobile,Tablet\n2024-05-01,1234567,2345678,345678\n2024-05-02,1234568,2345679,345679\n",
    "| Browser | Desktop | Mobile |\n|---|---|---|\n| Chrome | 120.0.6099.109 | 124.0.6367.82 |\n",
    "Cell ID,RSRP\n26544897,-95\n26544898,-101\n",
    "time,UL,DL\n10:00,1048576,8388608\n10:05,1048577,8388609\n",
    "host,tin,tout\nsensor-1,215,190\nsensor-2,221,195\n",
    "Pan,Tilt,Zoom\nAB123456,12,3\nCD654321,14,2\n",
    "Region,Tax Code,Rate\nCA,TX-CA-0725,7.25\nNY,TX-NY-0400,4.00\n",
    "Software,License Number,Seats\nOffice,LIC-2024-00123,50\nVisio,LIC-2024-00124,5\n",
    "Date,London,Paris,Tel Aviv\n2024-05-01,1234567,2345678,3456789\n2024-05-02,1234568,2345679,3456790\n",
    "T 21.5 22.0 22.5\nP 1013.2 1012.8\nM 1.32.45 1.33.02\n",
    '{"sessions": {"desktop": 1234567, "mobile": 23456789}}',
])
def test_review_look_alikes_are_left_alone(text):
    assert not personal_ids(text)


@pytest.mark.parametrize("text, expected", [
    ("curl -v 34.201.9.23:8080", ("pii.ipv4", "34.201.9.23")),
    ("/var/log/nginx/access.log:52.14.7.10 - - [07/Dec/2026]", ("pii.ipv4", "52.14.7.10")),
    ('{"ios": "52.14.7.10"}', ("pii.ipv4", "52.14.7.10")),
    ('{"caller_id": "+14155550132"}', ("pii.phone", "+14155550132")),
    ('{"parents": "+44 7700 900123"}', ("pii.phone", "+44 7700 900123")),
    ("If urgent, call 9472 7916.", ("pii.phone", "9472 7916")),
    ('{"name": "Lea", "phone_e164": "0160/72575871"}', ("pii.phone", "0160/72575871")),
    ("| Client | Tél. | Courriel |\n|---|---|---|\n| Arthur Dubois | 03.74.92.35.23 | a@example.fr |\n",
     ("pii.phone", "03.74.92.35.23")),
    ("Name\tSSN\tNote\nBob\t**612447390**\t27\" monitor\nAmy\t473384693\tok\n", ("pii.us_ssn", "612447390")),
])
def test_review_values_are_still_found(text, expected):
    assert expected in found(text)


@pytest.mark.parametrize("text, expected", [
    # an account column beside `rtn` (routing transit number) is a bank account's
    ("| employee_name | ss_no | rtn | acct_no |\n|---|---|---|---|\n| Ethan Sutherland | 637-33-9660 | 073097273 |   2826246114 |\n",
     ("pii.bank_account", "2826246114")),
    # `SS#` is the SSN's column (the `#` ends the header without a word boundary after it)
    ("| Badge | Employee | SS# | Amount |\n|---|---|---|---|\n| E69900 | Noah Petrov | 466540267 | $3,895.78 |\n",
     ("pii.us_ssn", "466540267")),
    # a Chinese supplier's unified social credit code under an English header
    (" company_name | credit_code | legal_rep | contact_phone\n--------------+--------------------+-----------+----------\n"
     " 成都天府软件有限公司 | 91230103PRD6GJWX2P | 陈杰 | 137-6740-3553\n", ("pii.tax_id", "91230103PRD6GJWX2P")),
])
def test_column_headers_named_in_other_words(text, expected):
    assert expected in found(text)


@pytest.mark.parametrize("text", [
    "| account | acct_no | balance |\n|---|---|---|\n| Ops | 2826246114 | 12 |\n",  # no banking column, no people
    "| class # | students |\n|---|---|\n| 466540267 | 31 |\n",
])
def test_column_look_alikes_of_the_new_headers(text):
    assert personal_ids(text) == set()


def test_a_long_key_value_is_found_whole_in_a_long_text():
    """A context-led rule searched only near its context words still returns a value that runs past the
    window (a JWK's private member of a 2048-bit key)."""
    import base64
    import json
    import random
    rnd = random.Random(5)
    b64 = lambda n: base64.b64encode(bytes(rnd.randrange(256) for _ in range(n))).decode()  # noqa: E731
    key = {"kty": "RSA", "n": b64(256), "e": "AQAB", "d": b64(256), "p": b64(128), "q": b64(128),
           "dp": b64(128), "dq": b64(128), "qi": b64(128)}
    text = "Here is the key: " + json.dumps(key, sort_keys=True) + " -- please check it. " * 3
    spans = [(f.start, f.end) for f in DETECTOR.scan(text)]
    for member in ("d", "p", "q"):
        start = text.index(key[member])
        assert any(a <= start and start + len(key[member]) <= b for a, b in spans), member


def test_a_table_inside_a_json_string_is_read_by_column():
    import json
    text = json.dumps({"content": "Name,SSN,Passport,Phone\nBob Li,612 44 7390,X1234567,0151 23456789\n"
                                  "Amy Wu,473384693,Y7654321,030 1234567\n"})
    assert {("pii.us_ssn", "612 44 7390"), ("pii.us_ssn", "473384693"), ("pii.passport_number", "X1234567"),
            ("pii.phone", "0151 23456789")} <= found(text)


@pytest.mark.parametrize("text", [
    # from a black-box hunt for false positives: figures, times, limits, versions and addresses after
    # phone words, counts after identifier words, cloud and ledger accounts, downloads, test ids
    "mobile: 18234419.37", '{"mobile": 0.48234122}', "phone: 1715509351", '{"mobile": 1715509351000}',
    '{"phone": 4294967295}', "fax: 20240512-103022", "passport: 20240512103022", "mobile: 1.5.0-2024051201",
    "mobile: 5.12.0.4096", "phone: 192.168.10.55", "phone: 10.0.0.1/24", "mobile: 48234.12",
    "phone support hours 09.00-17.30", '<input type="tel" placeholder="e.g. 0123456789">',
    "name,mobile,desktop\nChrome,4823441923,1200\nSafari,3823441923,900\n",
    "name,account_number\nCash,10001000\nBank,10002000\n",
    "ssn_count: 123456789", "passport_count: 182233491", "mrn_count: 1284551",
    "account: 123456789012", 'account_number = "210987654321"', "DL: 94371840 bytes",
    "patient_id: P-0001", "Patient ID: TEST-12345", "MRN: MRN-TEST-001", "PatientID: ANON0001",
])
def test_hunted_look_alikes_are_left_alone(text):
    assert not personal_ids(text)


@pytest.mark.parametrize("text, expected", [
    ("tax_id: 912-70-1234", ("pii.tax_id", "912-70-1234")),
    ("Account: 579832097   Routing: 260470726", ("pii.bank_account", "579832097")),
    ("| Name | Mobile |\n|---|---|\n| Tom Becker | 0171 38676081 |\n| Lea Brandt | 0160 8416810 |\n",
     ("pii.phone", "0171 38676081")),
])
def test_hunted_values_are_still_found(text, expected):
    assert expected in found(text)


@pytest.mark.parametrize("text, expected", [
    ("Employee\tNational Insurance\tSalary\nJohn Smith\tQQ 12 34 56 C\t42000\n",
     {("pii.tax_id", "QQ 12 34 56 C")}),
    ("Customer,Bank,A/C No\nJohn Smith,Barclays,41234567\nAnna Berg,HSBC,87654321\n",
     {("pii.bank_account", "41234567"), ("pii.bank_account", "87654321")}),
    ("姓名,驾照,城市\n张伟,110105198001011234,北京\n", {("pii.drivers_license", "110105198001011234")}),
    ('{"national_insurance_number": "AB 12 34 56 C"}', {("pii.tax_id", "AB 12 34 56 C")}),
    ("驾驶证: 110105198001011234", {("pii.drivers_license", "110105198001011234")}),
])
def test_header_words_outside_the_old_quick_tests_are_read(text, expected):
    """Headers and labels the column patterns knew but the quick tests in front of them did not
    (`National Insurance`, `A/C No`, `驾照`): the table or the label was never read."""
    assert expected <= found(text)


def test_quick_tests_cover_every_header_the_patterns_know():
    """The table reader first asks two cheap questions of a text (`_PREFILTER_WORDS`, `_HEADER_HINT`)
    before its header patterns (`_HEADERS`); a header word missing from either silently disables its
    column. Headers generated from every pattern must pass both."""
    import random

    import rstr

    from aegis_addons.detect import columns

    missed = set()
    for category, pattern in columns._HEADERS:
        generator = rstr.Rstr(random.Random(7))
        source = pattern.pattern.replace(columns._NOT_THE_VALUE, "")  # the generator cannot read it
        matched = 0
        for _ in range(300):
            header = generator.xeger(source)
            if not pattern.search(header):
                continue
            matched += 1
            if not columns._HEADER_HINT.search(header):
                missed.add(("hint", category, header[:40]))
            if not any(word in header for word in columns._PREFILTER_WORDS):
                missed.add(("prefilter", category, header[:40]))
        assert matched >= 100, category
    assert not missed, sorted(missed)[:10]
