"""Build the /checkup sets (knowledge/checkup/*.yaml) into typed models.

What the JSON schema cannot see is checked here with file and line, so a broken set never
serves: duplicate set, area, question or choice ids, a choice without a score, a question
nobody can score on, an area without questions, an unknown knowledge intent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.knowledge_base import KnowledgeBase, KnowledgeError, Localized
from bot.models import OPTION_LABEL_LIMIT, Form, FormField, Source
from bot.yaml_source import Problem, YamlDocument
from intents.forms import Choice

DEFAULT_SET = "default"
FORM_PREFIX = "checkup"
FORM_SUFFIX = "_form"
ORG_FIELD = "organization"  # the first field: the organisation's name as entered
ORG_MAX_LENGTH = 200
RESERVED_SETS = {"history", "report", "help"}  # subcommands of /checkup

ORG_LABEL = Localized("組織名（会社名・部署名）", "Organisation name (company or department)")


def form_id_for(set_id: str) -> str:
    """"default" -> "checkup_form", "supplier" -> "checkup_supplier_form"."""
    return f"{FORM_PREFIX}{FORM_SUFFIX}" if set_id == DEFAULT_SET else f"{FORM_PREFIX}_{set_id}{FORM_SUFFIX}"


def set_id_for(form_id: str) -> str | None:
    if form_id == f"{FORM_PREFIX}{FORM_SUFFIX}":
        return DEFAULT_SET
    if form_id.startswith(f"{FORM_PREFIX}_") and form_id.endswith(FORM_SUFFIX):
        return form_id.removeprefix(f"{FORM_PREFIX}_").removesuffix(FORM_SUFFIX) or None
    return None


@dataclass(frozen=True)
class Gap:
    risk: Localized
    next_step: Localized
    intents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question; also a step of the terminal walk (intents/forms.py WalkField)."""

    id: str
    area: str
    text: Localized
    choices: tuple[Choice, ...]
    gap: Gap
    label: Localized  # the text with its area, as asked
    help: Localized | None = None
    weight: float = 1.0
    source: Source | None = None  # the document the question rests on, shown with its gap
    kind: str = "choice"
    required: bool = True
    max_length: int = 64

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    @property
    def best(self) -> int:
        return max(c.score or 0 for c in self.choices)

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    def shown(self, answers: Mapping[str, str]) -> bool:
        return True


@dataclass(frozen=True)
class OrgField:
    """The organisation's name, asked first; not numbered: "20 questions" counts the questions."""

    id: str = ORG_FIELD
    numbered: bool = False
    label: Localized = ORG_LABEL
    kind: str = "text"
    required: bool = True
    choices: tuple[Choice, ...] = ()
    help: Localized | None = None
    max_length: int = ORG_MAX_LENGTH

    def shown(self, answers: Mapping[str, str]) -> bool:
        return True


@dataclass(frozen=True)
class Area:
    id: str
    title: Localized
    questions: tuple[Question, ...]
    basis: Localized | None = None


@dataclass(frozen=True)
class CheckupSet:
    id: str
    title: Localized
    areas: tuple[Area, ...]
    intro: Localized | None = None
    submit_label: Localized = Localized("診断する", "Get my score")
    file: str = ""

    @property
    def form_id(self) -> str:
        return form_id_for(self.id)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for area in self.areas for q in area.questions)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def walk_fields(self) -> tuple[OrgField | Question, ...]:
        return (OrgField(), *self.questions)

    def form(self, lang: str) -> Form:
        """The whole set as one form (for a front end that renders forms)."""
        org = OrgField()
        fields = [FormField(id=org.id, label=org.label.get(lang), kind="text", max_length=org.max_length)]
        fields += [FormField(id=q.id, label=q.label.get(lang), kind="choice", help=q.help.get(lang) if q.help else None,
                             choices=tuple(c.option(lang) for c in q.choices))
                   for q in self.questions]
        return Form(id=self.form_id, title=self.title.get(lang), submit_label=self.submit_label.get(lang),
                    fields=tuple(fields), intro=self.intro.get(lang) if self.intro else None)


@dataclass(frozen=True)
class CheckupModel:
    sets: Mapping[str, CheckupSet]

    @property
    def default(self) -> CheckupSet:
        return self.sets.get(DEFAULT_SET) or next(iter(self.sets.values()))

    def get(self, set_id: str | None) -> CheckupSet | None:
        return self.default if not set_id else self.sets.get(set_id)


def _loc(data: Mapping[str, Any] | None) -> Localized | None:
    return Localized.of(data) if data else None


def _question(doc: YamlDocument, path: tuple[Any, ...], raw: Mapping[str, Any], area: str, area_title: Localized,
              intents: Mapping[str, Any], problems: list[Problem]) -> Question:
    qid = raw["id"]
    choices: list[Choice] = []
    seen: set[str] = set()
    for c_index, c in enumerate(raw["choices"]):
        where = (*path, "choices", c_index)
        value, na = str(c["value"]), bool(c.get("not_applicable", False))
        if value in seen:
            problems.append(doc.problem((*where, "value"), f"question '{qid}': duplicate choice value '{value}'"))
        seen.add(value)
        if c.get("score") is None and not na:
            problems.append(doc.problem(where, f"question '{qid}': choice '{value}' has no score "
                                        "(give `score: N`, or `not_applicable: true` to leave it out of the score)"))
        if c.get("score") is not None and na:
            problems.append(doc.problem((*where, "score"), f"question '{qid}': choice '{value}' is not_applicable "
                                        "and cannot have a score"))
        label = Localized.of(c["label"])
        for lang in ("ja", "en"):
            if len(label.get(lang)) > OPTION_LABEL_LIMIT:
                problems.append(doc.problem((*where, "label", lang), f"question '{qid}': the {lang} label of '{value}' "
                                            f"is longer than {OPTION_LABEL_LIMIT} characters (some chat front ends cut it)"))
        choices.append(Choice(value, label, score=c.get("score"), not_applicable=na))
    scored = [c.score for c in choices if not c.not_applicable and c.score is not None]
    if scored and max(scored) == 0:
        problems.append(doc.problem((*path, "choices"), f"question '{qid}': no choice scores above 0, so it cannot be scored"))
    gap = raw["gap"]
    for i_index, intent in enumerate(gap.get("intents", ())):
        if intent not in intents:
            problems.append(doc.problem((*path, "gap", "intents", i_index),
                                        f"question '{qid}': unknown knowledge intent '{intent}' (it must be an intent id "
                                        "in knowledge/intents, e.g. otasuketai, asm, appendix_c)"))
    text = Localized.of(raw["text"])
    label = Localized(f"［{area_title.ja}］{text.ja}", f"[{area_title.en}] {text.en}")
    return Question(id=qid, area=area, text=text, label=label, choices=tuple(choices), help=_loc(raw.get("help")),
                    weight=float(raw.get("weight", 1.0)),
                    source=Source(raw["source"]["title"], raw["source"]["url"],
                                  unofficial=bool(raw["source"].get("unofficial"))) if raw.get("source") else None,
                    gap=Gap(Localized.of(gap["risk"]), Localized.of(gap["next_step"]), tuple(gap.get("intents", ()))))


def build_set(doc: YamlDocument, intents: Mapping[str, Any], problems: list[Problem]) -> CheckupSet:
    data = doc.data["checkup"]
    set_id = data["id"]
    if set_id in RESERVED_SETS:
        problems.append(doc.problem(("checkup", "id"), f"set id '{set_id}' is reserved (/checkup {set_id} is a command)"))
    areas: list[Area] = []
    area_ids: set[str] = set()
    question_lines: dict[str, int | None] = {}
    for a_index, raw_area in enumerate(data["areas"]):
        path = ("checkup", "areas", a_index)
        aid = raw_area["id"]
        if aid in area_ids:
            problems.append(doc.problem((*path, "id"), f"set '{set_id}': duplicate area id '{aid}'"))
        area_ids.add(aid)
        if not raw_area["questions"]:
            problems.append(doc.problem((*path, "questions"), f"set '{set_id}': area '{aid}' has no questions"))
        title = Localized.of(raw_area["title"])
        questions = []
        for q_index, raw_q in enumerate(raw_area["questions"]):
            q_path = (*path, "questions", q_index)
            qid = raw_q["id"]
            if qid == ORG_FIELD:
                problems.append(doc.problem((*q_path, "id"), f"question id '{ORG_FIELD}' is reserved for the organisation name"))
            elif qid in question_lines:
                problems.append(doc.problem((*q_path, "id"), f"set '{set_id}': duplicate question id '{qid}' "
                                            f"(first at line {question_lines[qid]}); ids are unique across areas"))
            question_lines.setdefault(qid, doc.line_of((*q_path, "id")))
            questions.append(_question(doc, q_path, raw_q, aid, title, intents, problems))
        areas.append(Area(id=aid, title=title, questions=tuple(questions), basis=_loc(raw_area.get("basis"))))
    return CheckupSet(id=set_id, title=Localized.of(data["title"]), areas=tuple(areas), intro=_loc(data.get("intro")),
                      submit_label=_loc(data.get("submit_label")) or CheckupSet.submit_label, file=str(doc.path))


# -- the builder (registered in bot/snapshot.py as "checkup") --------------------------------------
def build_checkup(kb: KnowledgeBase) -> CheckupModel | None:
    """Every checkup set, None if the knowledge has none; KnowledgeError on bad data."""
    problems: list[Problem] = []
    sets: dict[str, CheckupSet] = {}
    where: dict[str, str] = {}
    for doc in kb.docs("checkup"):
        built = build_set(doc, kb.intents, problems)
        if built.id in sets:
            problems.append(doc.problem(("checkup", "id"), f"duplicate checkup set id '{built.id}' (first defined at {where[built.id]})"))
            continue
        sets[built.id] = built
        where[built.id] = f"{doc.path}:{doc.line_of(('checkup', 'id'))}"
    if problems:
        raise KnowledgeError(problems)
    return CheckupModel(sets=sets) if sets else None


__all__ = ["build_checkup", "CheckupModel", "CheckupSet", "Area", "Question", "Choice", "Gap", "OrgField",
           "form_id_for", "set_id_for", "DEFAULT_SET", "ORG_FIELD"]
