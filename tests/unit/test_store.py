"""Repositories and the audit writer on SQLite, and on PostgreSQL when AEGIS_TEST_DATABASE_URL is set."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from aegis_addons.store.audit_writer import AuditWriter
from aegis_addons.store.db import make_engine
from aegis_addons.store.models import Base
from aegis_addons.store.repositories import (
    AuditRepository,
    StatsRepository,
    TokenRepository,
    generate_token,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    Base.metadata.drop_all(engine)      # a clean schema for every test
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def audit(request_id: str, **overrides) -> dict:
    row = {"request_id": request_id, "route": "token", "method": "POST", "path": "/v1/chat/completions",
           "status": 200, "action": "allow", "filter_mode": "full", "policy": "default",
           "findings": [], "notes": [], "duration_ms": 10.0, "token_hint": "abcdef…"}
    row.update(overrides)
    return row


def test_generated_tokens_are_route_safe():
    tokens = {generate_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(t) == 32 and t.isalnum() and not t.isdigit() for t in tokens)


def test_token_repository_roundtrip(engine):
    repo = TokenRepository(engine)
    created = repo.create("https://api.example.com/v1", policy="strict", whitelist_key="team-a",
                          model_map={"fast": "gpt-4o-mini"})
    fetched = repo.get(created.token)
    assert fetched.upstream_base == "https://api.example.com/v1"
    assert fetched.model_map == {"fast": "gpt-4o-mini"} and fetched.policy == "strict"
    assert fetched.created_at is not None
    assert [t.token for t in repo.list()] == [created.token]
    assert repo.get("missing") is None
    assert repo.delete(created.token) and not repo.delete(created.token)
    assert repo.list() == []


def test_audit_and_stats(engine):
    audit_repo, stats = AuditRepository(engine), StatsRepository(engine)
    findings = [{"category": "pii.email", "score": 0.9, "rule": "email"},
                {"category": "pii.email", "score": 0.9, "rule": "email"},
                {"category": "secret.github_token", "score": 1.0, "rule": "ghp"}]
    assert audit_repo.add_many([audit("r1"), audit("r2", action="redact", findings=findings),
                                audit("r3", action="block", token_hint=None, duration_ms=30.0)]) == 3
    rows = audit_repo.since(0)
    assert [r.request_id for r in rows] == ["r1", "r2", "r3"]
    assert [r.request_id for r in audit_repo.since(rows[0].id)] == ["r2", "r3"]
    assert audit_repo.by_request_id("r2").findings == findings
    assert stats.counts_by_action() == {"allow": 1, "redact": 1, "block": 1}
    assert stats.counts_by_finding() == {"pii.email": 1, "secret.github_token": 1}
    assert stats.counts_by_token() == {"abcdef…": 2, None: 1}
    latency = stats.latency_ms()
    assert latency["flows"] == 3 and latency["max_ms"] == 30.0
    assert stats.counts_by_action(since=datetime.now(UTC) + timedelta(hours=1)) == {}


def test_audit_writer_batches_and_flushes(engine):
    writer = AuditWriter(AuditRepository(engine), max_queue=1000, batch_size=50)
    for i in range(120):
        assert writer.submit(audit(f"w{i}"))
    writer.flush()
    assert writer.written == 120 and writer.dropped == 0
    assert len(AuditRepository(engine).since(0, limit=1000)) == 120
    writer.close()
    assert not writer.is_alive()


def test_audit_writer_drops_when_full_instead_of_blocking(tmp_path):
    class SlowRepository:
        def __init__(self):
            self.release = threading.Event()
            self.rows = 0

        def add_many(self, rows):
            self.release.wait(5)
            self.rows += len(rows)
            return len(rows)

    repo = SlowRepository()
    writer = AuditWriter(repo, max_queue=5, batch_size=1)
    accepted = sum(writer.submit(audit(f"d{i}")) for i in range(50))  # returns at once, never blocks
    assert writer.dropped == 50 - accepted and writer.dropped >= 40
    repo.release.set()
    writer.flush()
    assert repo.rows == accepted
    writer.close()


def test_audit_writer_survives_database_errors():
    class BrokenRepository:
        def add_many(self, rows):
            raise RuntimeError("database is down")

    writer = AuditWriter(BrokenRepository(), max_queue=10)
    writer.submit(audit("x"))
    writer.flush()
    assert writer.failed == 1 and writer.is_alive()
    writer.close()


def test_audit_writer_counts_rows_submitted_after_close_as_dropped():
    class Repository:
        rows = 0

        def add_many(self, rows):
            Repository.rows += len(rows)
            return len(rows)

    writer = AuditWriter(Repository(), max_queue=10)
    assert writer.submit(audit("before"))
    writer.close()
    assert not writer.submit(audit("after")) and writer.dropped == 1
    assert Repository.rows == 1 and not writer.is_alive()
