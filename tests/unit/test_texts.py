"""The one bilingual text catalog (bot/texts/*.yaml): every text exists in Japanese and English,
with the same placeholders, so that no reply falls back to the other language or fails to format."""

from __future__ import annotations

from string import Formatter

import pytest

from bot.messages import catalog


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


ENTRIES = [(domain, key, entry) for domain, table in catalog().items() for key, entry in table.items()]


def test_the_catalog_has_every_domain_and_is_loaded_once():
    assert {"core", "walker", "incident", "checkup", "stats", "report", "web"} <= set(catalog())
    assert catalog() is catalog()


@pytest.mark.parametrize(("domain", "key", "entry"), ENTRIES, ids=[f"{d}.{k}" for d, k, _ in ENTRIES])
def test_every_text_has_japanese_and_english_with_the_same_placeholders(domain: str, key: str, entry: dict) -> None:
    assert set(entry) == {"ja", "en"}, f"{domain}.{key}"
    ja, en = entry["ja"], entry["en"]
    assert type(ja) is type(en) and ja and en
    if isinstance(ja, str):
        assert _fields(ja) == _fields(en), f"{domain}.{key}"
    else:  # a list of lines (the report's "still to fill in")
        assert len(ja) == len(en) and all(isinstance(line, str) and line for line in ja + en)


def test_the_web_pages_take_their_words_from_the_catalog_only() -> None:
    """No second table of texts and no language tests in the web adapter's code (#14)."""
    from pathlib import Path

    web = Path(__file__).resolve().parents[2] / "adapters" / "web"
    for path in [*web.glob("*.py"), *web.glob("templates/*.html")]:
        text = path.read_text(encoding="utf-8")
        assert "TEXTS" not in text and '"ja": "' not in text, path.name
        assert not any(f"lang {op} {q}ja{q}" in text for op in ("==", "!=") for q in "'\""), path.name
