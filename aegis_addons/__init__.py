"""Aegis: a security gateway for LLM API traffic, built as mitmproxy addons."""

__version__ = "0.1.0"
