# Sourced by scripts/run and scripts/test: make sure .venv exists, runs Python >= 3.12 and has the
# project installed as pyproject.toml currently says. Reinstalls only when pyproject.toml changed.
set -euo pipefail

AEGIS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${AEGIS_VENV:-$AEGIS_ROOT/.venv}"

_python_ok() {  # is $1 an interpreter of version 3.12 or newer?
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidates=()
    [ -n "${AEGIS_PYTHON:-}" ] && candidates+=("$AEGIS_PYTHON")
    if command -v pyenv >/dev/null 2>&1; then
        local root; root="$(pyenv root)"
        for v in "$root"/versions/3.13* "$root"/versions/3.12*; do
            [ -x "$v/bin/python3" ] && candidates+=("$v/bin/python3")
        done
    fi
    candidates+=(python3.13 python3.12 python3)
    for c in "${candidates[@]}"; do
        if command -v "$c" >/dev/null 2>&1 && _python_ok "$c"; then
            command -v "$c"
            return 0
        fi
    done
    echo "aegis: need Python >= 3.12 (mitmproxy 12); set AEGIS_PYTHON to one" >&2
    return 1
}

ensure_venv() {  # $1: extras to install ("" or "dev")
    local extras="${1:-}"
    if [ ! -x "$VENV/bin/python" ] || ! _python_ok "$VENV/bin/python"; then
        rm -rf "$VENV"
        "$(find_python)" -m venv "$VENV"
        "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    fi
    local spec="$AEGIS_ROOT"
    [ -n "$extras" ] && spec="$AEGIS_ROOT[$extras]"
    local stamp="$VENV/.aegis-installed-$extras"
    local want; want="$(sha256sum "$AEGIS_ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "aegis: installing into $VENV ..." >&2
        local log="$VENV/install.log"
        if ! "$VENV/bin/python" -m pip install -e "$spec" >"$log" 2>&1 \
                || ! "$VENV/bin/python" -c 'import aegis_addons, mitmproxy'; then
            tail -n 30 "$log" >&2
            echo "aegis: installation failed (full log: $log)" >&2
            return 1
        fi
        echo "$want" > "$stamp"
    fi
}
