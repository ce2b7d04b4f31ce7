"""Marker expansion for probe templates.  «TYPE» / «TYPE:tag» -> random value marked as secret;
«~TYPE» -> random value NOT marked; «=literal» -> literal marked as secret."""
import base64, random, re, string
R = random.Random(20240611)
ALNUM = string.ascii_letters + string.digits
SYM = "!#%^*_-+"
WORDS = ["Tulip", "Falcon", "Orchid", "Maple", "Harbor", "Copper", "Willow", "Quartz", "Saturn", "Ember"]
B64A = string.ascii_letters + string.digits + "+/"
B64U = string.ascii_letters + string.digits + "-_"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

def rs(alpha, n): return "".join(R.choice(alpha) for _ in range(n))

def pw(n=None):
    n = n or R.randint(12, 16)
    while True:
        s = rs(ALNUM + SYM, n)
        if (any(c.islower() for c in s) and any(c.isupper() for c in s) and any(c.isdigit() for c in s)
                and any(c in SYM for c in s) and s[0] not in "-+"):
            return s

def pwa(n=None):
    n = n or R.randint(12, 16)
    while True:
        s = rs(ALNUM, n)
        if any(c.islower() for c in s) and any(c.isupper() for c in s) and any(c.isdigit() for c in s):
            return s

def pwu(n=None):
    n = n or R.randint(12, 16)
    while True:
        s = rs(ALNUM + "-_.~!", n)
        if any(c.isdigit() for c in s) and any(c.isupper() for c in s) and s[0].isalnum():
            return s

def pwh():
    return R.choice(WORDS) + str(R.randint(10, 9999)) + R.choice("!#*?@.")

def gen(t):
    m = re.fullmatch(r"([A-Z]+|B32|B58)(\d*)", t)
    kind, n = m.group(1), int(m.group(2) or 0)
    return {
        "PW": lambda: pw(n or None), "PWA": lambda: pwa(n or None), "PWU": lambda: pwu(n or None), "PWH": pwh,
        "A": lambda: rs(ALNUM, n), "L": lambda: rs(string.ascii_lowercase + string.digits, n),
        "LL": lambda: rs(string.ascii_letters, n), "LO": lambda: rs(string.ascii_lowercase, n),
        "H": lambda: rs("0123456789abcdef", n), "HU": lambda: rs("0123456789ABCDEF", n),
        "U": lambda: rs(string.ascii_uppercase + string.digits, n), "D": lambda: rs(string.digits, n),
        "B": lambda: rs(B64A, n), "BU": lambda: rs(B64U, n), "B32": lambda: rs("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n),
        "B58": lambda: rs(B58, n),
    }[kind]()

MARK = re.compile(r"«([^»]*)»")

def expand(template):
    """Return (text, [(start, end) of each secret value in text]) with marker values substituted. The
    spans say where each marked value was put: a short part («D1») can occur elsewhere in the text too
    (inside a UUID), so coverage is checked at these spans, not wherever the value occurs."""
    tags, spans = {}, []
    parts, pos, at = [], 0, 0
    for m in MARK.finditer(template):
        parts.append(template[pos:m.start()])
        at += m.start() - pos
        pos = m.end()
        spec = m.group(1)
        if spec.startswith("="):
            v, hidden = spec[1:], False
        else:
            hidden = spec.startswith("~")
            spec = spec.lstrip("~")
            t, _, tag = spec.partition(":")
            if tag and tag in tags:
                v = tags[tag]
            else:
                v = gen(t)
                if tag: tags[tag] = v
        if not hidden:
            spans.append((at, at + len(v)))
        parts.append(v)
        at += len(v)
    parts.append(template[pos:])
    return "".join(parts), spans

def b64(s): return base64.b64encode(s.encode()).decode()
def b64u(s): return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")

DER = {"RSA PRIVATE KEY": "MIIEowIBAAKCAQEA", "PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
       "EC PRIVATE KEY": "MHcCAQEEI", "OPENSSH PRIVATE KEY": "b3BlbnNzaC1rZXktdjEAAAAA",
       "ENCRYPTED PRIVATE KEY": "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI", "DSA PRIVATE KEY": "MIIBuwIBAAKBgQ"}
def pem_body(nchars, width=64, prefix=""):
    body = prefix + rs(B64A, nchars - len(prefix))
    return "\n".join(body[i:i + width] for i in range(0, len(body), width))

def uuid4():
    h = rs("0123456789abcdef", 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
