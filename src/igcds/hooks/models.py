"""CDS Hooks 2.0 wire format as pydantic models, mirroring the FHIR Tooling IG logical models
(CDSHooksRequest, CDSHooksResponse, CDSHooksFeedback). The response invariants cds-resp-1..7 and the
feedback invariants cds-fb-1..3 are validators, so a card igcds builds wrongly fails before it is
sent, and a client's malformed feedback is a 400."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Indicator = Literal["info", "warning", "critical"]


class Wire(BaseModel):
    """Optional keys left out when unset (CDS Hooks 2.0 "Use of JSON"), never sent as null."""

    model_config = ConfigDict(extra="allow")

    def wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


# --- request -----------------------------------------------------------------------------------------


class FhirAuthorization(Wire):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str
    subject: str
    patient: str | None = None


class HookRequest(Wire):
    hook: str
    hookInstance: str = Field(min_length=1)
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def server_with_authorization(self) -> HookRequest:
        """cds-r-1: fhirServer is required when fhirAuthorization is given."""
        if self.fhirAuthorization is not None and not self.fhirServer:
            raise ValueError("fhirServer is required when fhirAuthorization is present")
        if not isinstance(self.context.get("patientId"), str) or not self.context["patientId"]:
            raise ValueError("context.patientId is required")
        return self


# --- response ----------------------------------------------------------------------------------------


class Coding(Wire):
    system: str | None = None
    code: str
    display: str | None = None


class Source(Wire):
    label: str
    url: str | None = None
    topic: Coding | None = None


class Action(Wire):
    type: Literal["create", "update", "delete"]
    description: str = Field(min_length=1)  # cds-resp-5
    resource: dict[str, Any] | None = None
    resourceId: str | None = None

    @model_validator(mode="after")
    def delete_uses_resource_id(self) -> Action:
        """cds-resp-2: a delete names the resource by `resourceId`; create and update carry it whole."""
        if self.type == "delete" and (self.resourceId is None or self.resource is not None):
            raise ValueError("a delete action uses resourceId, not resource")
        if self.type != "delete" and self.resource is None:
            raise ValueError(f"a {self.type} action carries the whole resource")
        return self


class Suggestion(Wire):
    label: str
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] = []


class Link(Wire):
    label: str
    url: str
    type: Literal["absolute", "smart"]
    appContext: str | None = None

    @model_validator(mode="after")
    def app_context_only_on_smart(self) -> Link:
        if self.appContext is not None and self.type != "smart":
            raise ValueError("appContext is only for smart links (cds-resp-3)")
        return self


class OverrideReason(Coding):
    display: str = Field(min_length=1)  # cds-resp-4


SUMMARY_MAX = 140


class Card(Wire):
    uuid: str
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX - 1)
    detail: str | None = None
    indicator: Indicator
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[OverrideReason] | None = None
    links: list[Link] | None = None

    @model_validator(mode="after")
    def selection(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("suggestions need selectionBehavior (cds-resp-6)")
        if self.selectionBehavior == "at-most-one" and sum(bool(s.isRecommended) for s in self.suggestions or []) > 1:
            raise ValueError("at-most-one allows one recommended suggestion (cds-resp-1)")
        return self


class HookResponse(Wire):
    cards: list[Card]
    systemActions: list[Action] | None = None


# --- feedback ----------------------------------------------------------------------------------------


class AcceptedSuggestion(Wire):
    id: str


class OverrideFeedback(Wire):
    reason: Coding | None = None
    userComment: str | None = None

    @model_validator(mode="after")
    def reason_or_comment(self) -> OverrideFeedback:
        if self.reason is None and self.userComment is None:
            raise ValueError("overrideReason needs a reason, a userComment or both (cds-fb-3)")
        return self


class FeedbackEntry(Wire):
    card: str = Field(min_length=1)
    outcome: Literal["accepted", "overridden"]  # cds-fb-1
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideFeedback | None = None
    outcomeTimestamp: str = Field(min_length=1)

    @model_validator(mode="after")
    def accepted_has_suggestions(self) -> FeedbackEntry:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("an accepted outcome lists acceptedSuggestions (cds-fb-2)")
        return self


class Feedback(Wire):
    feedback: list[FeedbackEntry] = Field(min_length=1)
