"""A stand-in incident flow with the core's contract, so the Slack side is tested on its own.

It speaks exactly what intents/incident's flow speaks to an adapter: a private FORM reply for
`/incident`, an ERROR reply with data["errors"] for a bad submission, a private RESULT and an
"incident_created" Notification for a good one, responders-only `/incident list`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.models import Choice, Form, FormField, Notification, Reply, ReplyKind, Response
from bot.skills import Turn

__test__ = False

FORM = Form(
    id="incident_form", title="Report an incident", submit_label="Submit", intro="Answer a few questions.",
    fields=(
        FormField("incident_type", "What happened?", "choice",
                  choices=(Choice("ransomware", "Ransomware"), Choice("phishing_bec", "Phishing or BEC"),
                           Choice("other", "Something else"))),
        FormField("phishing_detail", "What was done?", "choice", show_if={"incident_type": ("phishing_bec",)},
                  choices=(Choice("credentials", "Credentials were entered"), Choice("none", "Nothing yet"))),
        FormField("detected_at", "When was it detected?", "datetime", placeholder="2026-11-27 09:30"),
        FormField("description", "Briefly describe what happened", "multiline", max_length=2000),
        FormField("reporter_contact", "How can we reach you?", "text", required=False),
    ),
)


class StubIncidentFlow:
    name = "incident"
    commands = ("/incident", "incident")
    form_ids = ("incident_form",)

    def __init__(self) -> None:
        self.incidents: list[dict[str, str]] = []

    async def start(self, turn: Turn, args: str) -> Response:
        if args == "list":
            if not turn.access.is_responder(turn.message):
                return Response((Reply("Only responders can list incidents.", ReplyKind.ERROR, turn.lang,
                                       private=True),))
            lines = [f"INC-{n} {i['incident_type']}" for n, i in enumerate(self.incidents, 1)] or ["No incidents."]
            return Response((Reply("\n".join(lines), ReplyKind.RESULT, turn.lang, private=True),))
        return Response((Reply(FORM.intro or "", ReplyKind.FORM, turn.lang, form=FORM, private=True),))

    async def on_text(self, turn: Turn, text: str) -> Response:
        return Response()

    async def on_action(self, turn: Turn, action: str) -> Response:
        return await self.start(turn, "")

    async def on_submit(self, turn: Turn, form_id: str, values: Mapping[str, str]) -> Response:
        shown = [f for f in FORM.fields if all(values.get(k) in v for k, v in f.show_if.items())]
        errors = {f.id: "This is required." for f in shown if f.required and not values.get(f.id)}
        if values.get("detected_at") and values["detected_at"] not in ("now", "2026-11-27 09:30"):
            errors["detected_at"] = "Not a date and time I understand."
        if errors:
            return Response((Reply("Please check the form.", ReplyKind.ERROR, turn.lang, data={"errors": errors}),))
        self.incidents.append(dict(values))
        number = f"INC-{len(self.incidents):04d}"
        result = Reply(f"Incident {number} recorded.\nContacts: 1. IPA (why: ransomware; how: 03-5978-7509)\n"
                       f"First steps: disconnect the affected PCs from the network.", ReplyKind.RESULT, turn.lang,
                       private=True, data={"incident_id": number})
        note = Notification("incident_created", f"New incident {number}: {values['incident_type']} "
                                                f"reported by {turn.message.user_id}", turn.lang,
                            data={"incident_id": number})
        return Response((result,), (note,))
