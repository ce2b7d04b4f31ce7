"""Shared gateway state: database, token cache, audit writer and gateway key.

Other addons get this object in their constructor (see bundle.py), so their dependencies are
visible where the pipeline is assembled.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

from mitmproxy import ctx, exceptions
from sqlalchemy.exc import SQLAlchemyError

from aegis_addons.keys import load_or_create_key, new_key, write_key
from aegis_addons.options import add_option
from aegis_addons.paths import aegis_home
from aegis_addons.store.audit_writer import AuditWriter
from aegis_addons.store.db import default_database_url, make_engine, ping
from aegis_addons.store.models import TokenRecord
from aegis_addons.store.repositories import AuditRepository, StatsRepository, TokenRepository

log = logging.getLogger(__name__)

_NEGATIVE_TTL = 5.0        # seconds an unknown token is remembered as unknown
_NEGATIVE_MAX = 10000      # bound on remembered unknown tokens (a scanner must not grow memory)


class TokenCache:
    """Tokens in memory so routing never waits on the database.

    Loaded at start, updated by this process's admin calls, and reloaded every
    `aegis_token_refresh_seconds` so that replicas sharing a database see each other's changes.
    A miss is looked up once in a worker thread; unknown tokens are remembered briefly.
    """

    def __init__(self, repository: TokenRepository):
        self.repository = repository
        self._tokens: dict[str, TokenRecord] = {}
        self._unknown: dict[str, float] = {}
        self._lock = threading.Lock()
        self.loaded_at = 0.0

    def reload(self) -> None:
        tokens = {t.token: t for t in self.repository.list()}
        with self._lock:
            self._tokens = tokens
            self._unknown.clear()
        self.loaded_at = time.time()

    def put(self, record: TokenRecord) -> None:
        with self._lock:
            self._tokens[record.token] = record
            self._unknown.pop(record.token, None)

    def remove(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    def all(self) -> list[TokenRecord]:
        with self._lock:
            return list(self._tokens.values())

    async def lookup(self, token: str) -> TokenRecord | None:
        record = self._tokens.get(token)
        if record is not None:
            return record
        if self._unknown.get(token, 0.0) > time.monotonic():
            return None
        record = await asyncio.to_thread(self.repository.get, token)
        with self._lock:
            if record is not None:
                self._tokens[token] = record
            else:
                if len(self._unknown) >= _NEGATIVE_MAX:
                    self._unknown.clear()
                self._unknown[token] = time.monotonic() + _NEGATIVE_TTL
        return record


class GatewayState:
    def __init__(self) -> None:
        self.engine = None
        self.tokens: TokenRepository | None = None
        self.audit_repo: AuditRepository | None = None
        self.stats: StatsRepository | None = None
        self.token_cache: TokenCache | None = None
        self.audit: AuditWriter | None = None
        self.gateway_key = ""
        self.key_path: Path | None = None
        self._refresh_task: asyncio.Task | None = None

    def load(self, loader) -> None:
        add_option(loader, "aegis_database_url", str, "",
                   "SQLAlchemy URL of the token store and audit log "
                   "(default: SQLite aegis.db in AEGIS_HOME; e.g. postgresql+psycopg://user@host/db).")
        add_option(loader, "aegis_gateway_key", str, "",
                   "Key for the admin API. Empty: generated once into AEGIS_HOME/gateway.key (mode 0600).")
        add_option(loader, "aegis_audit_queue_size", int, 10000,
                   "Audit rows waiting for the writer; when full, rows are dropped and counted.")
        add_option(loader, "aegis_token_refresh_seconds", int, 10,
                   "Reload tokens from the database this often (replicas sharing a database).")

    def configure(self, updated: set[str]) -> None:
        if "aegis_audit_queue_size" in updated and ctx.options.aegis_audit_queue_size < 1:
            raise exceptions.OptionsError("aegis_audit_queue_size must be at least 1")
        if "aegis_token_refresh_seconds" in updated and ctx.options.aegis_token_refresh_seconds < 1:
            raise exceptions.OptionsError("aegis_token_refresh_seconds must be at least 1")
        if "aegis_database_url" in updated:
            self._open_database(ctx.options.aegis_database_url or default_database_url(aegis_home()))
        if "aegis_gateway_key" in updated:
            self.key_path = aegis_home() / "gateway.key"
            configured = ctx.options.aegis_gateway_key
            if configured and len(configured) < 16:
                raise exceptions.OptionsError("aegis_gateway_key must be at least 16 characters")
            self.gateway_key = configured or load_or_create_key(self.key_path)

    def _open_database(self, url: str) -> None:
        try:
            engine = make_engine(url)
            tokens = TokenRepository(engine)
            cache = TokenCache(tokens)
            cache.reload()
        except (SQLAlchemyError, ValueError, OSError) as e:
            raise exceptions.OptionsError(f"aegis_database_url: cannot open the database: {e}") from e
        if self.audit is not None:
            self.audit.close()
        if self.engine is not None:
            self.engine.dispose()
        self.engine, self.tokens, self.token_cache = engine, tokens, cache
        self.audit_repo = AuditRepository(engine)
        self.stats = StatsRepository(engine)
        self.audit = AuditWriter(self.audit_repo, max_queue=ctx.options.aegis_audit_queue_size)
        log.info("aegis: database %s", engine.url.render_as_string(hide_password=True))

    def running(self) -> None:
        self._refresh_task = asyncio.get_running_loop().create_task(self._refresh_tokens())

    async def _refresh_tokens(self) -> None:
        while True:
            await asyncio.sleep(ctx.options.aegis_token_refresh_seconds)
            try:
                await asyncio.to_thread(self.token_cache.reload)
            except SQLAlchemyError as e:
                log.warning("aegis: token reload failed, keeping the cached tokens: %s", e)

    def rotate_gateway_key(self) -> str:
        """New key, persisted to the key file; the old one stops working at once."""
        key = new_key()
        if self.key_path is not None:
            write_key(self.key_path, key)
        self.gateway_key = key
        return key

    def ready(self) -> dict[str, bool]:
        return {
            "database": self.engine is not None and ping(self.engine),
            "audit_writer": self.audit is not None and self.audit.is_alive(),
            "tokens_loaded": self.token_cache is not None and self.token_cache.loaded_at > 0,
        }

    def done(self) -> None:
        if self._refresh_task is not None:
            self._refresh_task.cancel()
        if self.audit is not None:
            self.audit.close()
