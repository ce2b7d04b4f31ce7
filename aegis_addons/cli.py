"""The `aegis` command.

    aegis run [mitmdump args...]     start the gateway (mitmdump + bundle + mitm.conf)
    aegis token add|list|remove      manage token routes in the database directly
    aegis mock-upstream [...]        a mock LLM provider for demos and tests
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import yaml

from aegis_addons.paths import PROJECT_ROOT, aegis_home

BUNDLE = Path(__file__).resolve().parent / "bundle.py"
MITM_CONF = PROJECT_ROOT / "mitm.conf"


def mitmdump_args(conf: dict, extra: list[str], environ: dict[str, str], home: Path) -> list[str]:
    """Command-line arguments for mitmdump: the bundle, mitm.conf as --set, then `extra`.

    A key whose upper-case environment variable is set is skipped, so the environment wins over
    mitm.conf; so is a key that `extra` sets (mitmdump refuses an option given twice). `--mode` in
    `extra` replaces mitm.conf's listeners instead of adding to them.
    """
    user_keys = {extra[i + 1].split("=", 1)[0] for i, a in enumerate(extra[:-1]) if a == "--set"}
    user_modes = any(a == "--mode" or a.startswith("--mode=") or a == "-m" for a in extra)
    args = ["-s", str(BUNDLE)]
    if "confdir" not in user_keys:
        args += ["--set", f"confdir={home / 'mitmproxy'}"]
    for key, value in (conf or {}).items():
        if key == "mode":
            if not user_modes:
                for mode in value if isinstance(value, list) else [value]:
                    args += ["--mode", str(mode)]
            continue
        if key.upper() in environ or key in user_keys:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        args += ["--set", f"{key}={value}"]
    return args + extra


def cmd_run(extra: list[str]) -> int:
    home = aegis_home()
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o700)  # the database holds tokens, the confdir the CA key
    conf = yaml.safe_load(MITM_CONF.read_text()) if MITM_CONF.exists() else {}
    mitmdump = Path(sys.executable).with_name("mitmdump")
    argv = [str(mitmdump), *mitmdump_args(conf, extra, dict(os.environ), home)]
    os.environ["AEGIS_HOME"] = str(home)
    os.execv(argv[0], argv)
    return 0  # not reached


def _token_repo(database_url: str | None):
    from aegis_addons.store.db import default_database_url, make_engine
    from aegis_addons.store.repositories import TokenRepository
    url = database_url or os.environ.get("AEGIS_DATABASE_URL") or default_database_url(aegis_home())
    return TokenRepository(make_engine(url))


def cmd_token(args: argparse.Namespace) -> int:
    from aegis_addons.addons.admin import AdminError, parse_registration
    repo = _token_repo(args.database_url)
    if args.action == "add":
        try:
            fields = parse_registration({"upstream_base": args.upstream, "policy": args.policy,
                                         "whitelist_key": args.whitelist_key,
                                         "model_map": json.loads(args.model_map or "{}")})
        except (AdminError, ValueError) as e:
            print(f"aegis: {e}", file=sys.stderr)
            return 2
        record = repo.create(**fields)
        print(json.dumps(record.to_public(), indent=2))
    elif args.action == "list":
        print(json.dumps([t.to_public() for t in repo.list()], indent=2))
    elif args.action == "remove":
        if not repo.delete(args.token):
            print("aegis: no such token", file=sys.stderr)
            return 1
        print(f"removed {args.token}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:
        return cmd_run(argv[1:])
    if argv[:1] == ["mock-upstream"]:
        from aegis_addons.mock_upstream import main as mock_main
        return mock_main(argv[1:]) or 0

    parser = argparse.ArgumentParser(prog="aegis", description="Aegis LLM security gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the gateway; further arguments go to mitmdump")
    sub.add_parser("mock-upstream", help="run the mock LLM upstream (see --help)")
    token = sub.add_parser("token", help="manage token routes in the database")
    token.add_argument("--database-url", help="SQLAlchemy URL (default: AEGIS_DATABASE_URL or AEGIS_HOME)")
    actions = token.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="register a token route")
    add.add_argument("--upstream", required=True, help="upstream base URL, e.g. https://api.openai.com/v1")
    add.add_argument("--policy", default="default")
    add.add_argument("--whitelist-key")
    add.add_argument("--model-map", help='JSON object, e.g. {"fast": "gpt-4o-mini"}')
    actions.add_parser("list", help="list token routes")
    remove = actions.add_parser("remove", help="remove a token route")
    remove.add_argument("token")
    args = parser.parse_args(argv)
    if args.command == "token":
        return cmd_token(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
