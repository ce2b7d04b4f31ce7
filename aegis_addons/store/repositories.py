"""Repositories: the only code that writes SQL. Each method opens its own short session."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session

from aegis_addons.store.models import AuditEvent, TokenRecord

# Alphanumeric only: "__" separates a token from its filter-mode suffix in the URL, and digits-only
# tokens mean "local port", so generated tokens contain neither "_" nor only digits.
_TOKEN_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 32  # ~190 bits


def generate_token() -> str:
    while True:
        token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
        if not token.isdigit():
            return token


class TokenRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def create(self, upstream_base: str, *, policy: str = "default", whitelist_key: str | None = None,
               compat: str | None = None, model_map: dict | None = None,
               token: str | None = None) -> TokenRecord:
        record = TokenRecord(token=token or generate_token(), upstream_base=upstream_base,
                             policy=policy, whitelist_key=whitelist_key, compat=compat,
                             model_map=dict(model_map or {}))
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(record)
        return record

    def get(self, token: str) -> TokenRecord | None:
        with Session(self.engine, expire_on_commit=False) as s:
            return s.get(TokenRecord, token)

    def list(self) -> list[TokenRecord]:
        with Session(self.engine, expire_on_commit=False) as s:
            return list(s.scalars(select(TokenRecord).order_by(TokenRecord.created_at)))

    def delete(self, token: str) -> bool:
        with Session(self.engine) as s, s.begin():
            return s.execute(delete(TokenRecord).where(TokenRecord.token == token)).rowcount > 0


class AuditRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add_many(self, rows: Iterable[dict]) -> int:
        """Insert rows (dicts of AuditEvent columns) in one statement; column defaults apply."""
        rows = list(rows)
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(AuditEvent.__table__), rows)
        return len(rows)

    def since(self, last_id: int, limit: int = 500) -> list[AuditEvent]:
        with Session(self.engine, expire_on_commit=False) as s:
            return list(s.scalars(select(AuditEvent).where(AuditEvent.id > last_id)
                                  .order_by(AuditEvent.id).limit(limit)))

    def by_request_id(self, request_id: str) -> AuditEvent | None:
        with Session(self.engine, expire_on_commit=False) as s:
            return s.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id)).first()


class StatsRepository:
    """Aggregates computed from the audit table (no second source of truth to keep in step)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def counts_by_action(self, since: datetime | None = None) -> dict[str, int]:
        q = select(AuditEvent.action, func.count()).group_by(AuditEvent.action)
        if since is not None:
            q = q.where(AuditEvent.ts >= since)
        with Session(self.engine) as s:
            return {action: n for action, n in s.execute(q)}

    def counts_by_token(self, since: datetime | None = None) -> dict[str | None, int]:
        q = select(AuditEvent.token_hint, func.count()).group_by(AuditEvent.token_hint)
        if since is not None:
            q = q.where(AuditEvent.ts >= since)
        with Session(self.engine) as s:
            return {hint: n for hint, n in s.execute(q)}

    def counts_by_finding(self, since: datetime | None = None) -> dict[str, int]:
        """Flows per finding category (a flow with two e-mails counts once for pii.email)."""
        q = select(AuditEvent.findings)
        if since is not None:
            q = q.where(AuditEvent.ts >= since)
        counts: dict[str, int] = {}
        with Session(self.engine) as s:
            for (findings,) in s.execute(q):
                for category in {f["category"] for f in findings or []}:
                    counts[category] = counts.get(category, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def latency_ms(self, since: datetime | None = None) -> dict[str, float | int]:
        q = select(func.count(AuditEvent.id), func.avg(AuditEvent.duration_ms),
                   func.max(AuditEvent.duration_ms))
        if since is not None:
            q = q.where(AuditEvent.ts >= since)
        with Session(self.engine) as s:
            n, avg, mx = s.execute(q).one()
        return {"flows": n, "avg_ms": float(avg or 0.0), "max_ms": float(mx or 0.0)}
