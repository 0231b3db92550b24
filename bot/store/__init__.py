"""Storage behind one async interface: SQLite by default, PostgreSQL for many replicas."""

from bot.store.base import Store, open_store

__all__ = ["Store", "open_store"]
