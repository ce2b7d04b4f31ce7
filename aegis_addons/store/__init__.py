"""Persistence: SQLAlchemy models and repositories for tokens, audit events and statistics."""
