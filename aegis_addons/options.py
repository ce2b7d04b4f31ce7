"""Declaring `aegis_*` options so that the environment can set them too.

Every option is a mitmproxy option (settable in mitm.conf, with `--set`, or with `:set` at run time).
Its default comes from the environment variable of the same name in upper case when that is set
(`aegis_enable_local_port_routing` <- `AEGIS_ENABLE_LOCAL_PORT_ROUTING`), so containers can be
configured with environment variables alone. Precedence: built-in default < environment < mitm.conf
< `--set` (`aegis run` leaves out mitm.conf keys whose environment variable is set).
"""

from __future__ import annotations

import os
from typing import Any

from mitmproxy import exceptions

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def parse_env_value(name: str, typespec: type, raw: str) -> Any:
    if typespec is bool:
        low = raw.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise exceptions.OptionsError(f"{name.upper()}={raw!r}: expected true or false")
    if typespec is int:
        try:
            return int(raw.strip())
        except ValueError:
            raise exceptions.OptionsError(f"{name.upper()}={raw!r}: expected an integer") from None
    return raw


def add_option(loader, name: str, typespec: type, default: Any, help: str) -> None:
    """`loader.add_option` with the default taken from the environment when set."""
    env = os.environ.get(name.upper())
    if env is not None:
        default = parse_env_value(name, typespec, env)
    loader.add_option(name, typespec, default, help)


def split_list(value: str) -> list[str]:
    """Comma- or whitespace-separated option value -> list of non-empty items."""
    return [item for item in value.replace(",", " ").split() if item]
