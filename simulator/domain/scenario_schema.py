"""A JSON Schema (draft 2020-12) of scenario format 2, for editor completion (`spar scenarios schema`).

Built from the same field lists and enumerations the parser uses (`scenario_format2.py`,
`scenario.py`), so the two stay in step; a test checks every shipped scenario against it. The
schema describes shapes only: the cross-field checks (a need id used twice, an objective that can
never be met) are `spar scenarios validate`'s job.
"""

from __future__ import annotations

from typing import Any

from simulator.domain.scenario import (
    CLOSING_KINDS,
    OBJECTION_KINDS,
    OBJECTION_TRIGGERS,
    OPTIONAL_REPLY_KINDS,
    REPLY_KINDS,
    TRUST_LEVELS,
)
from simulator.domain.scenario_format2 import TOP_OPTIONAL, TOP_REQUIRED

SCHEMA_ID = "https://sparring.local/schemas/scenario-format-2.json"

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": r"\S"}
_SLUG: dict[str, Any] = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}
_LEVEL: dict[str, Any] = {"enum": list(TRUST_LEVELS)}


def _texts(description: str) -> dict[str, Any]:
    """A non-empty list of text; a single text is accepted too, as the parser does."""
    return {
        "description": description,
        "oneOf": [_TEXT, {"type": "array", "items": _TEXT, "minItems": 1}],
    }


def _text(description: str) -> dict[str, Any]:
    return {**_TEXT, "description": description}


def _obj(properties: dict[str, Any], required: tuple[str, ...], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }
    if description:
        out["description"] = description
    return out


def _int(minimum: int, description: str, maximum: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "integer", "minimum": minimum, "description": description}
    if maximum is not None:
        out["maximum"] = maximum
    return out


def format2_schema() -> dict[str, Any]:
    layer = _obj(
        {
            "asks": _texts("Example questions that reach this layer, worded the way different reps would ask."),
            "says": _text("What the customer says when the layer is reached."),
        },
        ("says",),
    )
    problem = _obj(
        {
            "asks": _texts("Example questions about the problem (three or more, worded differently)."),
            "says": _text("What the customer says about the problem."),
            "guarded": _text("Said instead while trust is below the need's min_trust (required above bronze)."),
        },
        ("says",),
        "The problem layer: told when the rep asks about it.",
    )
    need = _obj(
        {
            "id": {**_SLUG, "description": "Unique need id (lowercase letters, digits, dashes)."},
            "title": _text("The need in a few words, as the debrief shows it."),
            "topic": _texts("Words that reach the need when meaning cannot be judged (the fallback)."),
            "min_trust": {**_LEVEL, "description": "Trust the rep needs before the customer tells the problem."},
            "problem": problem,
            "implication": {**layer, "description": "What the problem costs, who else it hurts."},
            "payoff": {**layer, "description": "What solving it would be worth, in the customer's words."},
        },
        ("id", "title", "problem"),
    )
    fact = _obj(
        {
            "id": _SLUG,
            "about": _text("What the fact is about (a situation question on this reaches it)."),
            "answer": _text("What the customer says."),
            "asks": _texts("Example situation questions."),
        },
        ("id", "about", "answer"),
    )
    objection = _obj(
        {
            "id": _SLUG,
            "says": _text("The objection as the customer raises it."),
            "kind": {"enum": list(OBJECTION_KINDS), "description": "What the concern is about."},
            "raised_by": {"enum": list(OBJECTION_TRIGGERS), "description": "What makes the customer raise it."},
            "handled": _text("Said when the rep acknowledges the concern and asks about it."),
            "pushed": _text("Said when the rep pitches through it."),
        },
        ("id", "says"),
    )
    objective = _obj(
        {
            "description": _text("What the rep is trying to agree, as the brief shows it."),
            "keywords": _texts("Words that make a proposal or a yes/no question a proposal of the objective."),
            "explicit_needs": _int(0, "Needs that must be explicit (problem plus implication or payoff)."),
            "min_trust": {**_LEVEL, "description": "Trust the customer needs before agreeing."},
            "buying_signal": _text("Said once, when the customer is ready to agree."),
            "agree": _text("Said when the customer agrees (ends the call)."),
            "not_yet": _text("Said when the rep proposes too early."),
        },
        ("description", "keywords", "agree", "not_yet"),
    )
    replies = _obj(
        {kind: _texts(f"Lines for '{kind}', said in turn, never twice in a row.") for kind in REPLY_KINDS}
        | {kind: _texts(f"Lines for '{kind}' (optional).") for kind in OPTIONAL_REPLY_KINDS},
        REPLY_KINDS,
    )
    properties: dict[str, Any] = {
        "format": {"const": 2, "description": "Scenario format version."},
        "id": {**_SLUG, "description": "Unique scenario id (lowercase letters, digits, dashes)."},
        "title": _text("Shown in lists."),
        "call_type": _text("discovery, cold call, renewal, gatekeeper, ..."),
        "industry": _text("The customer's industry."),
        "difficulty": _int(1, "1 (friendly) to 3 (hard).", 3),
        "description": _text("One or two sentences shown in lists."),
        "author": {"description": "Who wrote the scenario."},
        "tags": {"description": "Free tags."},
        "persona": _obj(
            {k: _text(k) for k in ("name", "role", "company", "mood")}
            | {"voice": _text("A voice for the customer's lines.")},
            ("name", "role", "company", "mood"),
        ),
        "product": _text("What the rep sells; naming it marks a sentence as a pitch."),
        "situation": _text("What the rep knows walking in."),
        "opening": _text("The customer's first line."),
        "world": {"type": "array", "items": fact, "description": "Facts told when asked about (situation)."},
        "needs": {"type": "array", "items": need, "minItems": 1},
        "objections": {"type": "array", "items": objection, "minItems": 1},
        "objective": objective,
        "trust": _obj(
            {
                "start": _int(0, "Trust points at the start."),
                "silver": _int(1, "Points for silver."),
                "gold": _int(2, "Points for gold."),
                "max": _int(0, "The most trust can rise to (default gold + 3)."),
            },
            ("start", "silver", "gold"),
        ),
        "patience": _int(3, "Rep turns before the customer ends the call."),
        "discovery_before_pitch": _int(0, "Needs questions expected before a pitch."),
        "pushes_before_hang_up": _int(1, "Pushes (with trust below zero) before the customer ends the call."),
        "replies": replies,
        "closing": _obj({kind: _text(kind) for kind in CLOSING_KINDS}, CLOSING_KINDS),
        "rubric": {
            "type": "array",
            "items": _obj({"id": _SLUG, "title": _TEXT}, ("id", "title")),
            "description": "What an observer scores, 1 to 5 each.",
        },
    }
    assert set(properties) == set(TOP_REQUIRED + TOP_OPTIONAL), "schema out of step with the parser"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Sparring scenario, format 2",
        **_obj(properties, TOP_REQUIRED),
    }
