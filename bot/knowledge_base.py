"""Load and schema-check a knowledge folder into immutable objects.

Every YAML file (recursively, except `schema/` and files starting with `_`) holds one kind
of data, named by its top-level key besides `version`: `intents`, `synonyms`, `matching`,
and whatever else has a schema in `knowledge/schema/` (contacts, triage, ...). A folder
with any problem does not load: the caller gets every problem with file and line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

from bot import cache as disk_cache
from bot import yaml_source
from bot.models import Source
from bot.yaml_source import Problem, YamlDocument, YamlError, load_yaml
from knowledge import SCHEMA_DIR

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

log = logging.getLogger(__name__)

LANGS = ("ja", "en")


class KnowledgeError(Exception):
    """The knowledge folder has problems; `problems` lists each with file and line."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NotKnowledgeFolder(KnowledgeError):
    """The folder given is not a knowledge folder at all (missing, or nothing to serve in it):
    a wrong --knowledge / SECBOT_KNOWLEDGE rather than a mistake inside the knowledge."""


START_HINT = "start one with `secbot kb init DIR` (a copy of the shipped knowledge to edit)"


@dataclass(frozen=True)
class Localized:
    ja: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.ja

    @classmethod
    def of(cls, data: Mapping[str, str]) -> Localized:
        return cls(ja=str(data["ja"]).strip(), en=str(data["en"]).strip())


@dataclass(frozen=True)
class Intent:
    id: str
    title: Localized
    examples: Mapping[str, tuple[str, ...]]
    answer: Localized
    source: Source
    references: tuple[Source, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    offer: str | None = None
    reviewed: str | None = None  # YYYY-MM-DD: last checked against its sources
    review_by: str | None = None  # YYYY-MM-DD: check again by then (default: a year after `reviewed`)
    file: str = ""
    line: int | None = None

    def all_examples(self) -> Iterable[tuple[str, str]]:
        """(lang, example) pairs."""
        for lang in LANGS:
            for example in self.examples.get(lang, ()):
                yield lang, example


@dataclass(frozen=True)
class Synonym:
    canonical: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Thresholds:
    """The matcher's three decisions, each with its own knobs (knowledge/matching.yaml, the
    matcher in intents/matcher.py, benchmarks/README.md).

    In domain: the closest match is not an off-topic example; the evidence is
        best score + domain_weight * domain - off_topic_weight * off-topic score,
    where `domain` is the in-domain detector's score of the question (Matcher.score).
    Below `suggest`: off-topic. From `domain_sure` up the question is surely in domain; between
    the two the detector is unsure, and only suggestions are offered.
    One intent clearly right: best score >= sure; or >= answer with a lead of `margin`; or a
    relative lead over the runner-up ((best - second) / best) of at least `relative_margin`,
    which does not fall when a long question spreads its weight thin. Either way the best intent
    must share at least `rare_features` rare, topic-bearing features with the question (evidence).
    Otherwise, in domain: "did you mean" with the best `max_suggestions` intents."""

    answer: float = 0.5
    suggest: float = 0.3
    margin: float = 0.04
    sure: float = 0.75
    max_suggestions: int = 3
    relative_margin: float = 1.01  # above 1: off
    domain_weight: float = 0.0
    off_topic_weight: float = 0.0
    domain_sure: float = 0.0  # at or below `suggest`: every in-domain question may be answered
    rare_features: int = 0  # a clear answer shares at least this many rare features (0: off)

    # The names in knowledge/matching.yaml that differ from the fields'.
    YAML_NAMES: ClassVar[Mapping[str, str]] = {
        "answer_threshold": "answer", "suggest_threshold": "suggest", "sure_threshold": "sure",
        "domain_sure_threshold": "domain_sure"}

    @classmethod
    def from_yaml(cls, data: Mapping[str, Any]) -> Thresholds:
        """From a `matching:` mapping (its keys are checked by knowledge/schema/matching.yaml)."""
        return cls(**{cls.YAML_NAMES.get(key, key): value for key, value in data.items()})


@dataclass(frozen=True)
class KnowledgeBase:
    directory: Path
    intents: Mapping[str, Intent]
    synonyms: tuple[Synonym, ...] = ()
    matching: Thresholds = Thresholds()
    # Questions that are not about the guidance: matching one of these means "I don't know".
    off_topic: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Other kinds (contacts, triage, checkup, tests) for their own modules to build from.
    documents: Mapping[str, tuple[YamlDocument, ...]] = field(default_factory=dict)

    def docs(self, kind: str) -> tuple[YamlDocument, ...]:
        return self.documents.get(kind, ())


@cache
def schemas() -> dict[str, Draft202012Validator]:
    """One validator per kind, from the YAML schemas shipped in knowledge/schema.

    The schemas ship with the code; tests/unit/test_knowledge_files.py checks them against the
    JSON Schema metaschema, so start-up does not (that check was ~15% of `secbot ask`).
    jsonschema is imported here: a start from the cache (bot/cache.py) validates nothing."""
    from jsonschema import Draft202012Validator

    found = {}
    for path in sorted(SCHEMA_DIR.glob("*.yaml")):
        schema = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[path.stem] = Draft202012Validator(schema)
    return found


def knowledge_files(directory: Path) -> list[Path]:
    files = []
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory)
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        if rel.parts[0] == "schema" or any(part.startswith(("_", ".")) for part in rel.parts):
            continue
        files.append(path)
    return files


def _kind_of(doc: YamlDocument, kinds: Iterable[str]) -> tuple[str | None, Problem | None]:
    if not isinstance(doc.data, dict):
        return None, doc.problem((), "expected a mapping with `version` and one data key")
    keys = [k for k in doc.data if k != "version"]
    known = sorted(kinds)
    if len(keys) != 1 or keys[0] not in known:
        return None, doc.problem(
            (), f"cannot tell what this file holds (top-level keys {sorted(map(str, keys))}); "
            f"expected `version` and one of {known}")
    return keys[0], None


def _schema_problems(doc: YamlDocument, validator: Draft202012Validator) -> list[Problem]:
    problems = []
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(error.absolute_path)
        where = _dotted(path)
        line_path = path
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            line_path = (*path, extra[0]) if extra else path  # point at the unknown key itself
        problems.append(doc.problem(line_path, f"{where}: {_explain(error)}" if where else _explain(error)))
    return problems


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _explain(error: Any) -> str:
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"unknown key(s) {', '.join(map(repr, extra))} (allowed: {allowed})"
    if error.validator == "required":
        return f"missing {error.message.split(' is a required')[0]}"
    if error.validator == "pattern" and error.schema.get("pattern") == "\\S":
        return "must not be blank"
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {error.validator_value}"
    return error.message


def load_knowledge(directory: Path | str) -> KnowledgeBase:
    """Load a knowledge folder; raise KnowledgeError listing every problem.

    The parsed and schema-checked files are cached (bot/cache.py) under a hash of the files'
    bytes and of this code and the schemas: an unchanged folder is not parsed or checked again."""
    directory = Path(directory)
    if not directory.is_dir():
        raise NotKnowledgeFolder([Problem(str(directory), None, f"knowledge folder not found: {START_HINT}")])
    files = knowledge_files(directory)
    if not files:
        raise NotKnowledgeFolder([Problem(str(directory), None,
                                          f"not a knowledge folder (no knowledge files, *.yaml): {START_HINT}")])
    entry = _cache_entry(directory, files)
    checked = _read_cached(entry, directory) if entry else None
    problems: list[Problem] = []
    if checked is None:
        checked, problems = _check_files(files)
        if entry and not problems:
            _write_cached(entry, directory, checked)
    return _assemble(directory, checked, problems)


def _check_files(files: list[Path]) -> tuple[list[tuple[str, YamlDocument]], list[Problem]]:
    """Parse and schema-check each file: (kind, document) of the good ones, and the problems."""
    validators = schemas()
    checked: list[tuple[str, YamlDocument]] = []
    problems: list[Problem] = []
    for path in files:
        try:
            doc = load_yaml(path)
        except YamlError as exc:
            problems.append(exc.problem)
            continue
        kind, problem = _kind_of(doc, validators)
        if problem or kind is None:
            problems.append(problem or doc.problem((), "unknown file"))
            continue
        found = _schema_problems(doc, validators[kind])
        problems.extend(found)
        if not found:
            checked.append((kind, doc))
    return checked, problems


# -- the cache of checked files -----------------------------------------------------------------
# JSON: the files' data and line maps, as parsed and checked. Read back only under the same hash.
_CODE = (Path(__file__), Path(yaml_source.__file__))


def _cache_entry(directory: Path, files: list[Path]) -> str | None:
    if disk_cache.cache_dir() is None:
        return None
    try:
        digest = disk_cache.Digest("knowledge", [*_CODE, *sorted(SCHEMA_DIR.glob("*.yaml"))])
        for path in files:
            digest.add(path.relative_to(directory).as_posix().encode()).add(path.read_bytes())
    except OSError:
        return None  # an unreadable file: the normal load reports it
    return digest.name(".json")


def _read_cached(entry: str, directory: Path) -> list[tuple[str, YamlDocument]] | None:
    raw = disk_cache.read(entry)
    if raw is None:
        return None
    try:
        return [(item["kind"], YamlDocument(directory / item["path"], item["data"],
                                            {tuple(path): line for path, line in item["lines"]}))
                for item in json.loads(raw)["files"]]
    except (ValueError, KeyError, TypeError) as exc:
        log.debug("knowledge cache entry %s is corrupt (%s); rebuilding it", entry, exc)
        disk_cache.discard(entry)
        return None


def _write_cached(entry: str, directory: Path, checked: list[tuple[str, YamlDocument]]) -> None:
    files = [{"path": doc.path.relative_to(directory).as_posix(), "kind": kind, "data": doc.data,
              "lines": [[list(path), line] for path, line in doc.lines.items()]} for kind, doc in checked]
    try:
        text = json.dumps({"files": files}, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return
    # Only what JSON gives back unchanged (YAML also has integer keys, for one).
    if any(item["data"] != doc.data for item, (_, doc) in zip(json.loads(text)["files"], checked, strict=True)):
        return
    disk_cache.write(entry, text.encode("utf-8"))


def _assemble(directory: Path, checked: list[tuple[str, YamlDocument]], problems: list[Problem]) -> KnowledgeBase:
    """The knowledge base from checked files; raise KnowledgeError with `problems` and any found here."""
    by_kind: dict[str, list[YamlDocument]] = {}
    for kind, doc in checked:
        by_kind.setdefault(kind, []).append(doc)
    intents = _intents(by_kind.get("intents", []), problems)
    if by_kind and not intents and not problems:
        problems.append(Problem(str(directory), None, "no intents defined"))
    matching_docs = by_kind.get("matching", [])
    if len(matching_docs) > 1:
        problems.append(matching_docs[1].problem((), f"`matching` is already set in {matching_docs[0].path}"))
    if problems:
        raise KnowledgeError(problems)
    matching = Thresholds.from_yaml(matching_docs[0].data["matching"]) if matching_docs else Thresholds()
    synonyms = tuple(
        Synonym(str(s["canonical"]), tuple(map(str, s["variants"])))
        for doc in by_kind.get("synonyms", []) for s in doc.data["synonyms"]
    )
    off_topic = {lang: tuple(str(e).strip() for doc in by_kind.get("off_topic", []) for e in doc.data["off_topic"][lang])
                 for lang in LANGS}
    others = {kind: tuple(docs) for kind, docs in by_kind.items() if kind not in ("intents", "synonyms", "matching")}
    return KnowledgeBase(directory=directory, intents=intents, synonyms=synonyms, matching=matching,
                         off_topic=off_topic, documents=others)


def _intents(docs: Iterable[YamlDocument], problems: list[Problem]) -> dict[str, Intent]:
    intents: dict[str, Intent] = {}
    for doc in docs:
        for index, raw in enumerate(doc.data["intents"]):
            intent = _build_intent(raw, doc, index)
            if intent.id in intents:
                first = intents[intent.id]
                problems.append(doc.problem(("intents", index, "id"),
                                            f"duplicate intent id '{intent.id}' (first defined at {first.file}:{first.line})"))
                continue
            intents[intent.id] = intent
    return intents


def _build_intent(raw: Mapping[str, Any], doc: YamlDocument, index: int) -> Intent:
    def source(data: Mapping[str, str]) -> Source:
        return Source(title=str(data["title"]).strip(), url=str(data["url"]).strip())

    return Intent(
        id=raw["id"],
        title=Localized.of(raw["title"]),
        examples={lang: tuple(str(e).strip() for e in raw["examples"][lang]) for lang in LANGS},
        answer=Localized.of(raw["answer"]),
        source=source(raw["source"]),
        references=tuple(source(r) for r in raw.get("references", ())),
        tags=tuple(raw.get("tags", ())),
        related=tuple(raw.get("related", ())),
        offer=raw.get("offer"),
        reviewed=raw.get("reviewed"),
        review_by=raw.get("review_by"),
        file=str(doc.path),
        line=doc.line_of(("intents", index, "id")),
    )
