"""A stand-in incident flow with the same contract as intents/incident (a form, errors, a result,
a notification), so the Teams adapter is tested on its own; the real flow is tested end to end
in test_teams_incident_e2e.py when it is registered."""

from __future__ import annotations

from collections.abc import Mapping

from bot.models import Choice, Form, FormField, Notification, Reply, ReplyKind, Response
from bot.skills import Turn

FORM = Form(
    id="incident_form",
    title="Report an incident",
    submit_label="Send report",
    intro="Tell us what happened. Only the security team sees this.",
    fields=(
        FormField("incident_type", "What happened?", "choice", choices=(
            Choice("ransomware", "Ransomware"), Choice("phishing", "Phishing e-mail"),
            Choice("lost_device", "Lost device"), Choice("other", "Something else"))),
        FormField("ransom_note", "Is there a ransom note?", "choice", required=True,
                  choices=(Choice("yes", "Yes"), Choice("no", "No")), show_if={"incident_type": ("ransomware",)}),
        FormField("noticed_at", "When did you notice it?", "datetime", required=False),
        FormField("summary", "Describe what you saw", "multiline", placeholder="What, where, since when",
                  help="Do not paste passwords.", max_length=2000),
    ),
)


class FakeIncidentFlow:
    __test__ = False
    name = "incident"
    commands = ("/incident", "incident")
    form_ids = ("incident_form",)

    def __init__(self) -> None:
        self.submissions: list[dict[str, str]] = []

    async def start(self, turn: Turn, args: str) -> Response:
        return Response((Reply(text="Fill in the form.", kind=ReplyKind.FORM, lang=turn.lang, form=FORM,
                               private=True),))

    async def on_text(self, turn: Turn, text: str) -> Response:
        return Response()

    async def on_action(self, turn: Turn, action: str) -> Response:
        return await self.start(turn, "")

    async def on_submit(self, turn: Turn, form_id: str, values: Mapping[str, str]) -> Response:
        errors = {f.id: "This field is required." for f in FORM.fields
                  if f.required and not f.show_if and not values.get(f.id)}
        if values.get("incident_type") == "ransomware" and not values.get("ransom_note"):
            errors["ransom_note"] = "This field is required."
        if errors:
            return Response((Reply(text="Please check the form.", kind=ReplyKind.ERROR, lang=turn.lang,
                                   private=True, data={"errors": errors}),))
        self.submissions.append(dict(values))
        result = Reply(text="Recorded as incident INC-0001.\n\nContacts, in priority order:\n- IPA: cs-support@ipa.go.jp",
                       kind=ReplyKind.RESULT, lang=turn.lang, title="Incident INC-0001", private=True)
        notice = Notification(kind="incident_created", lang=turn.lang,
                              text=f"INC-0001 {values['incident_type']} reported by {turn.message.user_name}: "
                                   f"{values['summary']}", data={"title": "New incident INC-0001"})
        return Response((result,), (notice,))
