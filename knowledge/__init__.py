"""The shipped knowledge base: YAML data and its schemas (no code lives here)."""

from pathlib import Path

SHIPPED_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = SHIPPED_DIR / "schema"
