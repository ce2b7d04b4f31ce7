"""Engine creation: SQLite (WAL) by default, any SQLAlchemy URL (PostgreSQL via psycopg) otherwise."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from aegis_addons.store.models import Base


def default_database_url(home: Path) -> str:
    return f"sqlite:///{home / 'aegis.db'}"


def make_engine(url: str) -> Engine:
    """Create the engine and the schema. Raises ValueError for a URL SQLAlchemy cannot parse."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            # WAL: the TUI reads while the gateway writes; NORMAL is durable enough for an audit log.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    Base.metadata.create_all(engine)
    return engine


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - readiness: any failure means "not ready"
        return False
