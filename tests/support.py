"""Test helpers: free ports and a real gateway (mitmdump subprocess running the bundle)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from aegis_addons.cli import MITM_CONF, mitmdump_args

MITMDUMP = Path(sys.executable).with_name("mitmdump")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    """`aegis run` in a subprocess on free ports, with its own AEGIS_HOME.

    Arguments are built by the same function `aegis run` uses, from the real mitm.conf, so the tests
    exercise the shipped configuration; `options` become extra `--set` arguments.
    """

    def __init__(self, home: Path, options: dict[str, object] | None = None,
                 env: dict[str, str] | None = None):
        self.home = home
        self.options = dict(options or {})
        self.env = env or {}
        self.port = free_port()
        self.forward_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = home / "mitmdump.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def forward_url(self) -> str:
        return f"http://127.0.0.1:{self.forward_port}"

    @property
    def key(self) -> str:
        return (self.home / "gateway.key").read_text().strip()

    @property
    def ca_cert(self) -> Path:
        return self.home / "mitmproxy" / "mitmproxy-ca-cert.pem"

    def command(self) -> list[str]:
        extra = ["--mode", f"reverse:http://aegis.invalid@127.0.0.1:{self.port}",
                 "--mode", f"regular@127.0.0.1:{self.forward_port}"]
        for name, value in self.options.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            extra += ["--set", f"{name}={value}"]
        conf = yaml.safe_load(MITM_CONF.read_text())
        env = {**os.environ, **self.env}
        return [str(MITMDUMP), *mitmdump_args(conf, extra, env, self.home)]

    def start(self, timeout: float = 20.0) -> Gateway:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")}
        env.update(self.env, AEGIS_HOME=str(self.home))
        # the gateway imports `aegis_addons` from this checkout, not from wherever the venv's editable
        # install points (a benchmark of an older release in a worktree would otherwise run this one)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(MITM_CONF.parent), env.get("PYTHONPATH")]))
        self._log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mitmdump exited with {self.proc.returncode}:\n{self.log()}")
            try:
                httpx.get(self.url + "/health", timeout=0.5)  # any answer: the listener is up
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"gateway did not become healthy:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "_log", None):
            self._log.close()

    def restart(self) -> Gateway:
        self.stop()
        return self.start()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def register(self, upstream_base: str, **fields) -> dict:
        r = httpx.post(self.url + "/__gw__/register",
                       json={"upstream_base": upstream_base, "gateway_key": self.key, **fields}, timeout=5)
        assert r.status_code == 200, r.text
        return r.json()

    def audit_rows(self, request_id: str | None = None, timeout: float = 5.0) -> list:
        """Audit rows from the gateway's database, waiting for the background writer."""
        from aegis_addons.store.db import default_database_url, make_engine
        from aegis_addons.store.repositories import AuditRepository
        url = self.env.get("AEGIS_DATABASE_URL") or self.options.get("aegis_database_url") \
            or default_database_url(self.home)
        engine = make_engine(str(url))
        try:
            repo = AuditRepository(engine)
            deadline = time.monotonic() + timeout
            while True:
                rows = repo.since(0, limit=100000)
                if request_id is not None:
                    rows = [r for r in rows if r.request_id == request_id]
                if rows or time.monotonic() > deadline:
                    return rows
                time.sleep(0.05)
        finally:
            engine.dispose()

    def __enter__(self) -> Gateway:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert body["error"]["type"] == "aegisgate_error", body
    assert body["request_id"] == response.headers["x-aegis-request-id"], body
    return body["error_code"]


def sse_data_lines(text: str) -> list[dict | str]:
    out: list[dict | str] = []
    for line in text.splitlines():
        if line.startswith("data:"):
            payload = line[5:].strip()
            out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out
