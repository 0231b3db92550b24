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


# Where comparing a language code is the point, not choosing a text: the one accessor of
# bilingual knowledge fields, a language normalised before use, and the terminal's locale.
LANGUAGE_TESTS_ALLOWED = {"bot/knowledge_base.py", "intents/incident/report.py", "adapters/console/chat.py"}


def test_no_inline_language_checks_choose_a_text() -> None:
    """Every user-visible text comes from the catalog: no `lang == "ja"` branches in the code (#14)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in ("bot", "intents", "adapters"):
        for path in [*(root / folder).rglob("*.py"), *(root / folder).rglob("*.html")]:
            text = path.read_text(encoding="utf-8")
            name = path.relative_to(root).as_posix()
            checks = any(f"{op} {q}{code}{q}" in text for op in ("==", "!=") for q in "'\"" for code in ("ja", "en"))
            if checks and name not in LANGUAGE_TESTS_ALLOWED:
                offenders.append(name)
    assert offenders == []

