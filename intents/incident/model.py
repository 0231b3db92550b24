"""Build the triage model (form, rules, checklists, contacts) from the knowledge YAML.

Everything an admin can get wrong in `contacts.yaml` / `triage.yaml` that the JSON schema
cannot see is checked here, with file and line, so broken triage data never serves:
unknown contacts, rules that can never fire, bad field values, missing checklists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.knowledge_base import KnowledgeBase, KnowledgeError, Localized
from bot.models import Form, FormField, Source
from bot.yaml_source import Problem, YamlDocument
from intents.forms import Choice

FORM_ID = "incident_form"
TYPE_FIELD = "incident_type"  # the field whose value picks the first-response checklist
SECTOR_FIELD = "sector"  # its value picks the row of a contact's `sectors` table
COMMON_CHECKLIST = "common"
DEFAULT_MAX_LENGTH = {"choice": 64, "text": 500, "multiline": 2000, "datetime": 64}

Condition = tuple[tuple[str, frozenset[str]], ...]


@dataclass(frozen=True)
class ContactMethod:
    kind: str  # url | form | phone | email | text
    value: Localized  # the same in both languages for an address or a number
    label: Localized
    confidence: str = "H"
    note: Localized | None = None  # required for confidence L: where the claim comes from


@dataclass(frozen=True)
class Sector:
    """One row of a contact's sector table (which ministry is competent for a sector)."""

    id: str
    name: Localized
    ministry: Localized | None = None  # None: the reference does not say; `unknown` explains where to ask
    source: Source | None = None


@dataclass(frozen=True)
class Contact:
    id: str
    name: Localized
    helps_with: Localized
    does_not: Localized
    how: tuple[ContactMethod, ...]
    source: Source
    confidence: str = "H"
    sectors: tuple[Sector, ...] = ()
    sector_unknown: Localized | None = None  # shown for a sector whose ministry the reference does not give

    def sector(self, sector_id: str | None) -> Sector | None:
        return next((s for s in self.sectors if s.id == sector_id), None)


@dataclass(frozen=True)
class Field:
    id: str
    kind: str  # choice | text | multiline | datetime
    label: Localized
    required: bool = True
    choices: tuple[Choice, ...] = ()
    help: Localized | None = None
    placeholder: Localized | None = None
    show_if: Condition = ()
    max_length: int = 500
    implied: tuple[tuple[Condition, str], ...] = ()  # (when, value): an earlier answer already gives this one

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    def shown(self, answers: Mapping[str, str]) -> bool:
        """Asked only when every show_if field has one of its listed values."""
        return all(answers.get(name) in values for name, values in self.show_if)

    def implied_value(self, answers: Mapping[str, str]) -> str | None:
        """The answer earlier answers already give (then the field is not asked), or None."""
        return next((value for when, value in self.implied
                     if all(answers.get(name) in values for name, values in when)), None)


@dataclass(frozen=True)
class Addition:
    contact: str
    why: Localized
    priority: str  # a tier id from `priorities`: contacts are ordered by tier, then by rule order
    deadline: Localized | None = None
    # shown in brackets beside the contact instead of the tier's label, where the tier's wording
    # does not fit this contact (the PPC when a report is probably not mandatory is not technical help)
    label: Localized | None = None


@dataclass(frozen=True)
class Priority:
    id: str
    label: Localized


@dataclass(frozen=True)
class Rule:
    id: str
    when: Condition
    add: tuple[Addition, ...] = ()
    steps: tuple[Localized, ...] = ()
    urgent_steps: tuple[Localized, ...] = ()
    stop: bool = False
    file: str = ""
    line: int | None = None
    unless: Condition = ()  # the rule does not apply when every field listed here has one of its values

    def matches(self, answers: Mapping[str, str]) -> bool:
        if self.unless and all(answers.get(name) in values for name, values in self.unless):
            return False
        return all(answers.get(name) in values for name, values in self.when)


@dataclass(frozen=True)
class Guidance:
    title: Localized
    url: str
    text: Localized


@dataclass(frozen=True)
class TriageModel:
    form_id: str
    title: Localized
    submit_label: Localized
    intro: Localized | None
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...]
    checklists: Mapping[str, tuple[Localized, ...]]
    contacts: Mapping[str, Contact]
    guidance: Guidance
    priorities: tuple[Priority, ...] = ()  # most urgent first
    principle: Localized | None = None  # the ordering principle, said in words above the contacts
    file: str = ""

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def shown_fields(self, answers: Mapping[str, str]) -> list[Field]:
        """The fields asked, given these answers (show_if only looks at earlier fields)."""
        return [f for f in self.fields if f.shown(answers)]

    def with_implied(self, answers: Mapping[str, str]) -> dict[str, str]:
        """The answers plus those earlier answers imply (a field with `implied` is then not asked)."""
        full = dict(answers)
        for item in self.fields:
            value = item.implied_value(full) if item.shown(full) else None
            if value is not None:
                full[item.id] = value
        return full

    def form(self, lang: str) -> Form:
        """The form as the adapters render it (for a front end that renders forms)."""
        return Form(
            id=self.form_id,
            title=self.title.get(lang),
            submit_label=self.submit_label.get(lang),
            intro=self.intro.get(lang) if self.intro else None,
            fields=tuple(
                FormField(
                    id=f.id, label=f.label.get(lang), kind=f.kind, required=f.required,
                    choices=tuple(c.option(lang) for c in f.choices),
                    placeholder=f.placeholder.get(lang) if f.placeholder else None,
                    help=f.help.get(lang) if f.help else None,
                    show_if={name: tuple(sorted(values)) for name, values in f.show_if},
                    max_length=f.max_length,
                )
                for f in self.fields
            ),
        )


def _loc(data: Mapping[str, Any] | None) -> Localized | None:
    return Localized.of(data) if data else None


def _source(data: Mapping[str, Any]) -> Source:
    return Source(str(data["title"]).strip(), str(data["url"]).strip())


# -- contacts ---------------------------------------------------------------------------------
def build_contacts(docs: Iterable[YamlDocument], problems: list[Problem]) -> dict[str, Contact]:
    contacts: dict[str, Contact] = {}
    where: dict[str, str] = {}
    for doc in docs:
        for index, raw in enumerate(doc.data["contacts"]):
            path = ("contacts", index)
            if raw["id"] in contacts:
                problems.append(doc.problem((*path, "id"), f"duplicate contact id '{raw['id']}' (first defined at {where[raw['id']]})"))
                continue
            methods = []
            for m_index, method in enumerate(raw["how"]):
                confidence = method.get("confidence", "H")
                if confidence == "L" and not method.get("note"):
                    problems.append(doc.problem(
                        (*path, "how", m_index), f"contact '{raw['id']}': a confidence L entry needs a `note` saying where it "
                        "comes from (for example \"as listed in the METI document\"): L facts are not stated as fact"))
                value = method["value"]
                methods.append(ContactMethod(kind=method["kind"],
                                             value=Localized.of(value) if isinstance(value, dict) else Localized(str(value).strip(), str(value).strip()),
                                             label=Localized.of(method["label"]), confidence=confidence,
                                             note=_loc(method.get("note"))))
            sectors = []
            for s_index, row in enumerate(raw.get("sectors", ())):
                if row.get("ministry") and not row.get("source"):
                    problems.append(doc.problem((*path, "sectors", s_index), f"contact '{raw['id']}': sector "
                                                f"'{row['id']}' names a ministry without a `source`"))
                sectors.append(Sector(row["id"], Localized.of(row["name"]), _loc(row.get("ministry")),
                                      _source(row["source"]) if row.get("source") else None))
            if sectors and not raw.get("sector_unknown") and any(s.ministry is None for s in sectors):
                problems.append(doc.problem((*path, "sectors"), f"contact '{raw['id']}': sectors without a ministry "
                                            "need `sector_unknown` saying where to ask"))
            contacts[raw["id"]] = Contact(
                id=raw["id"], name=Localized.of(raw["name"]), helps_with=Localized.of(raw["helps_with"]),
                does_not=Localized.of(raw["does_not"]), how=tuple(methods), source=_source(raw["source"]),
                confidence=raw.get("confidence", "H"), sectors=tuple(sectors),
                sector_unknown=_loc(raw.get("sector_unknown")))
            where[raw["id"]] = f"{doc.path}:{doc.line_of((*path, 'id'))}"
    return contacts


# -- form ---------------------------------------------------------------------------------------
def _condition(raw: Mapping[str, list[str]]) -> Condition:
    return tuple((name, frozenset(values)) for name, values in raw.items())


def build_fields(doc: YamlDocument, problems: list[Problem]) -> tuple[Field, ...]:
    fields: dict[str, Field] = {}
    for index, raw in enumerate(doc.data["triage"]["form"]["fields"]):
        path = ("triage", "form", "fields", index)
        fid, kind = raw["id"], raw["kind"]
        if fid in fields:
            problems.append(doc.problem((*path, "id"), f"duplicate field id '{fid}'"))
            continue
        choices = _field_choices(doc, path, raw, problems)
        show_if = _condition(raw.get("show_if", {}))
        _check_show_if(doc, path, fid, show_if, fields, problems)
        fields[fid] = Field(
            id=fid, kind=kind, label=Localized.of(raw["label"]), required=bool(raw.get("required", True)),
            choices=choices, help=_loc(raw.get("help")), placeholder=_loc(raw.get("placeholder")), show_if=show_if,
            max_length=int(raw.get("max_length", DEFAULT_MAX_LENGTH[kind])),
            implied=tuple((_condition(i["when"]), str(i["value"])) for i in raw.get("implied", ())))
        _check_implied(doc, path, raw, fields, problems)
    type_field = fields.get(TYPE_FIELD)
    if type_field is None or type_field.kind != "choice":
        problems.append(doc.problem(("triage", "form", "fields"), f"the form needs a choice field '{TYPE_FIELD}' (it picks the checklist)"))
    elif type_field.show_if:
        problems.append(doc.problem(("triage", "form", "fields"), f"'{TYPE_FIELD}' must always be asked (no show_if)"))
    return tuple(fields.values())


def _field_choices(doc: YamlDocument, path: tuple[Any, ...], raw: Mapping[str, Any],
                   problems: list[Problem]) -> tuple[Choice, ...]:
    """A field's choices: only a choice field has them, each value once."""
    fid, kind = raw["id"], raw["kind"]
    choices = tuple(Choice(str(c["value"]), Localized.of(c["label"]), tuple(map(str, c.get("keywords", ()))))
                    for c in raw.get("choices", ()))
    if kind == "choice" and not choices:
        problems.append(doc.problem(path, f"field '{fid}' is a choice but has no `choices`"))
    if kind != "choice" and choices:
        problems.append(doc.problem((*path, "choices"), f"field '{fid}' is {kind}: only choice fields have `choices`"))
    seen: set[str] = set()
    for c_index, choice in enumerate(choices):
        if choice.value in seen:
            problems.append(doc.problem((*path, "choices", c_index), f"field '{fid}': duplicate value '{choice.value}'"))
        seen.add(choice.value)
    return choices


def _check_show_if(doc: YamlDocument, path: tuple[Any, ...], fid: str, show_if: Condition,
                   fields: Mapping[str, Field], problems: list[Problem]) -> None:
    """show_if may only name earlier choice fields, and their values."""
    for name, values in show_if:
        where = (*path, "show_if", name)
        other = fields.get(name)
        if other is None:
            later = any(f.get("id") == name for f in doc.data["triage"]["form"]["fields"])
            problems.append(doc.problem(where, f"field '{fid}': show_if refers to "
                                        + (f"field '{name}', which comes later (only earlier answers can be used)"
                                           if later else f"unknown field '{name}'")))
        elif other.kind != "choice":
            problems.append(doc.problem(where, f"field '{fid}': show_if needs a choice field, '{name}' is {other.kind}"))
        else:
            for value in sorted(values - set(other.values)):
                problems.append(doc.problem(where, f"field '{fid}': show_if value '{value}' is not a value of '{name}' "
                                            f"(values: {', '.join(other.values)})"))


def _check_implied(doc: YamlDocument, path: tuple[Any, ...], raw: Mapping[str, Any], fields: Mapping[str, Field],
                   problems: list[Problem]) -> None:
    """An implied value is one of the field's own, implied by earlier fields."""
    fid = raw["id"]
    for i_index, entry in enumerate(raw.get("implied", ())):
        if str(entry["value"]) not in fields[fid].values:
            problems.append(doc.problem((*path, "implied", i_index), f"field '{fid}': implied value "
                                        f"'{entry['value']}' is not one of its values"))
        for name in entry["when"]:
            if name not in fields:
                problems.append(doc.problem((*path, "implied", i_index), f"field '{fid}': implied refers to "
                                            f"'{name}', which is not an earlier field"))


# -- rules --------------------------------------------------------------------------------------
def reachable_domain(when: Condition, fields: Mapping[str, Field]) -> tuple[dict[str, set[str]], str | None]:
    """The values each field can have when the rule fires, with show_if taken into account.

    A condition on a conditional field also requires that field's show_if to hold; if the
    rule's own condition excludes it, the rule can never fire. Returns (domain, reason)."""
    domain: dict[str, set[str]] = {name: set(values) & set(fields[name].values) for name, values in when}
    for name, values in domain.items():
        if not values:
            return domain, f"no value of '{name}' can match"
    changed = True
    while changed:
        changed = False
        for name in list(domain):
            for other, allowed in fields[name].show_if:
                current = domain.get(other, set(fields[other].values))
                narrowed = current & set(allowed)
                if not narrowed:
                    return domain, (f"'{name}' is only asked when '{other}' is one of {sorted(allowed)}, "
                                    f"but this rule needs '{other}' in {sorted(current)}")
                if domain.get(other) != narrowed:
                    domain[other] = narrowed
                    changed = True
    return domain, None


def build_priorities(doc: YamlDocument, problems: list[Problem]) -> tuple[Priority, ...]:
    priorities: list[Priority] = []
    for index, raw in enumerate(doc.data["triage"]["priorities"]):
        if any(p.id == raw["id"] for p in priorities):
            problems.append(doc.problem(("triage", "priorities", index, "id"), f"duplicate priority '{raw['id']}'"))
        priorities.append(Priority(raw["id"], Localized.of(raw["label"])))
    return tuple(priorities)


def build_rules(doc: YamlDocument, fields: Mapping[str, Field], contacts: Mapping[str, Contact],
                problems: list[Problem], priorities: tuple[Priority, ...] = ()) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    stoppers: list[tuple[Rule, Condition]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(doc.data["triage"]["rules"]):
        path = ("triage", "rules", index)
        rid = raw["id"]
        before = len(problems)
        if rid in seen:
            problems.append(doc.problem((*path, "id"), f"duplicate rule id '{rid}' (rule #{seen[rid] + 1} has it)"))
        seen.setdefault(rid, index)
        when = _condition(raw["when"])
        _check_when(doc, path, rid, when, fields, problems)
        additions = _additions(doc, path, raw, contacts, priorities, problems)
        rule = Rule(id=rid, when=when, add=additions, steps=tuple(Localized.of(s) for s in raw.get("steps", ())),
                    urgent_steps=tuple(Localized.of(s) for s in raw.get("urgent_steps", ())),
                    stop=bool(raw.get("stop", False)), file=str(doc.path), line=doc.line_of((*path, "id")),
                    unless=_condition(raw.get("unless", {})))
        if len(problems) == before:  # the condition names known fields and values
            _check_reachable(doc, path, rule, fields, stoppers, problems)
        if rule.stop:
            stoppers.append((rule, when))
        rules.append(rule)
    return tuple(rules)


def _check_when(doc: YamlDocument, path: tuple[Any, ...], rid: str, when: Condition, fields: Mapping[str, Field],
                problems: list[Problem]) -> None:
    """A rule's condition names choice fields and their values."""
    for name, values in when:
        where = (*path, "when", name)
        target = fields.get(name)
        if target is None:
            problems.append(doc.problem(where, f"rule '{rid}' can never fire: unknown field '{name}' "
                                        f"(fields: {', '.join(fields)})"))
        elif target.kind != "choice":
            problems.append(doc.problem(where, f"rule '{rid}' can never fire: '{name}' is a {target.kind} field; "
                                        "conditions need a choice field"))
        else:
            for value in sorted(values - set(target.values)):
                problems.append(doc.problem(where, f"rule '{rid}' can never fire: '{value}' is not a value of "
                                            f"'{name}' (values: {', '.join(target.values)})"))


def _additions(doc: YamlDocument, path: tuple[Any, ...], raw: Mapping[str, Any], contacts: Mapping[str, Contact],
               priorities: tuple[Priority, ...], problems: list[Problem]) -> tuple[Addition, ...]:
    """The contacts a rule adds: known contacts, each once, with a known priority."""
    rid = raw["id"]
    additions = []
    listed: set[str] = set()
    for a_index, item in enumerate(raw.get("add", ())):
        if item["contact"] not in contacts:
            problems.append(doc.problem((*path, "add", a_index, "contact"),
                                        f"rule '{rid}': unknown contact '{item['contact']}' "
                                        f"(contacts: {', '.join(contacts) or 'none defined'})"))
        elif item["contact"] in listed:
            problems.append(doc.problem((*path, "add", a_index, "contact"),
                                        f"rule '{rid}' adds contact '{item['contact']}' twice"))
        listed.add(item["contact"])
        if item["priority"] not in {p.id for p in priorities}:
            problems.append(doc.problem((*path, "add", a_index, "priority"),
                                        f"rule '{rid}': unknown priority '{item['priority']}' "
                                        f"(priorities: {', '.join(p.id for p in priorities)})"))
        additions.append(Addition(item["contact"], Localized.of(item["why"]), item["priority"],
                                  _loc(item.get("deadline")), _loc(item.get("label"))))
    return tuple(additions)


def _check_reachable(doc: YamlDocument, path: tuple[Any, ...], rule: Rule, fields: Mapping[str, Field],
                     stoppers: list[tuple[Rule, Condition]], problems: list[Problem]) -> None:
    """A rule can fire: its show_if chain holds, and no earlier `stop: true` rule always wins."""
    domain, reason = reachable_domain(rule.when, fields)
    if reason:
        problems.append(doc.problem((*path, "when"), f"rule '{rule.id}' can never fire: {reason}"))
        return
    for earlier, condition in stoppers:
        if all(name in domain and domain[name] <= values for name, values in condition):
            problems.append(doc.problem(
                (*path, "when"), f"rule '{rule.id}' can never fire: rule '{earlier.id}' (line {earlier.line}) "
                "matches whenever it does and has `stop: true`"))
            return


def build_checklists(doc: YamlDocument, fields: Mapping[str, Field], problems: list[Problem]) -> dict[str, tuple[Localized, ...]]:
    raw = doc.data["triage"]["checklists"]
    checklists = {key: tuple(Localized.of(s) for s in steps) for key, steps in raw.items()}
    type_field = fields.get(TYPE_FIELD)
    if type_field is None:
        return checklists
    for key in checklists:
        if key != COMMON_CHECKLIST and key not in type_field.values:
            problems.append(doc.problem(("triage", "checklists", key),
                                        f"checklist for unknown incident type '{key}' (types: {', '.join(type_field.values)})"))
    for value in type_field.values:
        if value not in checklists:
            problems.append(doc.problem(("triage", "checklists"), f"no first-response checklist for incident type '{value}'"))
    return checklists


def check_sectors(doc: YamlDocument, fields: Mapping[str, Field], contacts: Mapping[str, Contact],
                  problems: list[Problem]) -> None:
    """Every value of the `sector` field needs a row in each contact's sector table."""
    field = fields.get(SECTOR_FIELD)
    if field is None:
        return
    for contact in contacts.values():
        if not contact.sectors:
            continue
        known = {s.id for s in contact.sectors}
        for value in field.values:
            if value not in known:
                problems.append(doc.problem(("triage", "form", "fields"), f"sector '{value}' has no row in the sector "
                                            f"table of contact '{contact.id}' (rows: {', '.join(sorted(known))})"))


# -- the builder (registered in bot/snapshot.py as "triage") -------------------------------------
def build_triage(kb: KnowledgeBase) -> TriageModel | None:
    """The triage model, None if the knowledge has no triage; KnowledgeError on bad data."""
    problems: list[Problem] = []
    contacts = build_contacts(kb.docs("contacts"), problems)
    docs = kb.docs("triage")
    if not docs:
        if problems:
            raise KnowledgeError(problems)
        return None
    doc = docs[0]
    for extra in docs[1:]:
        problems.append(extra.problem(("triage",), f"the triage is already defined in {doc.path}: keep one triage file"))
    data = doc.data["triage"]
    if data["form"]["id"] != FORM_ID:
        problems.append(doc.problem(("triage", "form", "id"), f"the form id must be '{FORM_ID}' (the adapters and the flow use it)"))
    fields = build_fields(doc, problems)
    by_id = {f.id: f for f in fields}
    priorities = build_priorities(doc, problems)
    rules = build_rules(doc, by_id, contacts, problems, priorities)
    checklists = build_checklists(doc, by_id, problems)
    check_sectors(doc, by_id, contacts, problems)
    if problems:
        raise KnowledgeError(problems)
    guidance = data["sharing_guidance"]
    return TriageModel(
        form_id=data["form"]["id"], title=Localized.of(data["form"]["title"]),
        submit_label=Localized.of(data["form"]["submit_label"]), intro=_loc(data["form"].get("intro")),
        fields=fields, rules=rules, checklists=checklists, contacts=contacts,
        guidance=Guidance(Localized.of(guidance["title"]), str(guidance["url"]), Localized.of(guidance["text"])),
        priorities=priorities, principle=_loc(data.get("principle")), file=str(doc.path))


__all__ = ["build_triage", "TriageModel", "Field", "Rule", "Contact", "ContactMethod", "FORM_ID", "TYPE_FIELD"]
