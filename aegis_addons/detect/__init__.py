"""Pure detectors and sanitizers: text in, findings or new text out. No mitmproxy imports here."""

from aegis_addons.detect.findings import Finding

__all__ = ["Finding"]
