"""Tables. Audit rows hold redacted text, finding categories and digests only, never raw values."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class TokenRecord(Base):
    """A token route: /v1/__gw__/t/<token>/... goes to `upstream_base`."""

    __tablename__ = "aegis_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    upstream_base: Mapped[str] = mapped_column(String(2048))
    policy: Mapped[str] = mapped_column(String(64), default="default")
    whitelist_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    compat: Mapped[str | None] = mapped_column(String(64), nullable=True)
    model_map: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def to_public(self) -> dict:
        return {
            "token": self.token,
            "upstream_base": self.upstream_base,
            "policy": self.policy,
            "whitelist_key": self.whitelist_key,
            "compat": self.compat,
            "model_map": self.model_map or {},
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


class AuditEvent(Base):
    """One row per flow, written by the background audit writer."""

    __tablename__ = "aegis_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True, default=utcnow)
    request_id: Mapped[str] = mapped_column(String(40), index=True)
    client_ip: Mapped[str] = mapped_column(String(64), default="")
    route: Mapped[str] = mapped_column(String(24))
    token_hint: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    method: Mapped[str] = mapped_column(String(16))
    host: Mapped[str] = mapped_column(String(255), default="")
    path: Mapped[str] = mapped_column(String(2048))        # without the query string
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(16), index=True)
    filter_mode: Mapped[str] = mapped_column(String(16))
    policy: Mapped[str] = mapped_column(String(64))
    findings: Mapped[list] = mapped_column(JSON, default=list)   # [{category, score, rule, where}]
    error_code: Mapped[str | None] = mapped_column(String(48), nullable=True)
    notes: Mapped[list] = mapped_column(JSON, default=list)
    duration_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    request_bytes: Mapped[int] = mapped_column(Integer, default=0)
    response_bytes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    excerpt: Mapped[str] = mapped_column(Text, default="")      # redacted text, bounded
