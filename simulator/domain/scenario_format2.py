"""Scenario format 2: needs in SPIN layers, a world of facts, objections that can be handled, a rubric.

Read with the same checker as format 1 (`scenario_file._Checker`), so every problem is reported at
once as `file:line: what is wrong`. Beyond each field's type, the checks look at what an author can
get wrong across fields: a need whose deeper layer has no way in, an objection raised by something
that cannot happen, an objective that asks for more explicit needs than the scenario has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.domain.scenario import (
    CLOSING_KINDS,
    LAYERS,
    OBJECTION_KINDS,
    OBJECTION_TRIGGERS,
    OPTIONAL_REPLY_KINDS,
    REPLY_KINDS,
    Need,
    NeedLayer,
    Objection,
    Objective,
    Persona,
    RubricItem,
    Scenario,
    ScenarioError,
    TrustRules,
    WorldFact,
)
from simulator.domain.scenario_file import common_fields, quoted

if TYPE_CHECKING:
    from simulator.domain.scenario_file import _Checker

TOP_REQUIRED = (
    "format", "id", "title", "call_type", "difficulty", "persona", "situation", "opening",
    "objective", "needs", "objections", "replies", "closing",
)  # fmt: skip
TOP_OPTIONAL = (
    "industry", "trust", "patience", "discovery_before_pitch", "pushes_before_hang_up", "product", "description",
    "author", "tags", "world", "rubric",
)  # fmt: skip
DEFAULT_TRUST = {"start": 1, "silver": 3, "gold": 6}


def parse_format2(data: Any, c: _Checker, content_hash: str) -> Scenario:
    top = c.mapping(data, (), TOP_REQUIRED, TOP_OPTIONAL)
    if not top:
        raise ScenarioError(c.problems)

    persona_data = c.mapping(top.get("persona", {}), ("persona",), ("name", "role", "company", "mood"), ("voice",))
    name, role, company, mood = (c.text(persona_data, k, ("persona",)) for k in ("name", "role", "company", "mood"))
    persona = Persona(name, role, company, mood, voice=c.text(persona_data, "voice", ("persona",)))

    trust_data = c.mapping(top.get("trust", DEFAULT_TRUST), ("trust",), ("start", "silver", "gold"), ("max",))
    start = c.integer(trust_data, "start", ("trust",), 0)
    silver = c.integer(trust_data, "silver", ("trust",), 1)
    gold = c.integer(trust_data, "gold", ("trust",), 2)
    maximum = c.integer(trust_data, "max", ("trust",), 0) if "max" in trust_data else gold + 3
    if not start < silver < gold <= maximum:
        c.fail(("trust",), "trust thresholds must rise: start < silver < gold <= max")

    world = _world(top, c)
    needs = _needs(top, c)
    objections = _objections(top, c)
    objective = _objective(top, c, needs)

    replies_data = c.mapping(top.get("replies", {}), ("replies",), REPLY_KINDS, OPTIONAL_REPLY_KINDS)
    replies = {kind: c.texts(replies_data, kind, ("replies",)) for kind in REPLY_KINDS + OPTIONAL_REPLY_KINDS}
    if not replies["nothing_more"]:
        replies["nothing_more"] = replies["repeat"]
    closing_data = c.mapping(top.get("closing", {}), ("closing",), CLOSING_KINDS)
    closing = {kind: c.text(closing_data, kind, ("closing",)) for kind in CLOSING_KINDS}

    rubric = []
    rubric_data = top.get("rubric", [])
    if not isinstance(rubric_data, list):
        c.fail(("rubric",), "rubric must be a list of {id, title}")
        rubric_data = []
    for i, item in enumerate(rubric_data):
        d = c.mapping(item, ("rubric", i), ("id", "title"))
        rubric.append(RubricItem(c.slug(d, "id", ("rubric", i)), c.text(d, "title", ("rubric", i))))

    scenario = Scenario(
        **common_fields(top, c),
        persona=persona,
        objective=objective,
        trust=TrustRules(start, silver, gold, maximum),
        needs=tuple(needs),
        objections=tuple(objections),
        replies=replies,
        closing=closing,
        version=2,
        content_hash=content_hash,
        industry=c.text(top, "industry", ()),
        world=tuple(world),
        rubric=tuple(rubric),
        pushes_before_hang_up=c.integer(top, "pushes_before_hang_up", (), 1) if "pushes_before_hang_up" in top else 2,
    )
    if c.problems:
        raise ScenarioError(c.problems)
    return scenario


def _unique(c: _Checker, ids: list[str], path: tuple, what: str) -> None:
    for i, item_id in enumerate(ids):
        if item_id and ids.index(item_id) != i:
            c.fail(path + (i, "id"), f"{what} id '{item_id}' is used twice")


def _world(top: dict, c: _Checker) -> list[WorldFact]:
    facts: list[WorldFact] = []
    data = top.get("world", [])
    if not isinstance(data, list):
        c.fail(("world",), "world must be a list of facts: {id, about, answer, asks}")
        return facts
    for i, item in enumerate(data):
        p = ("world", i)
        d = c.mapping(item, p, ("id", "about", "answer"), ("asks",))
        facts.append(
            WorldFact(c.slug(d, "id", p), c.text(d, "about", p), c.text(d, "answer", p), c.texts(d, "asks", p))
        )
    _unique(c, [f.id for f in facts], ("world",), "fact")
    return facts


def _layer(d: dict, key: str, c: _Checker, path: tuple) -> NeedLayer | None:
    if key not in d:
        return None
    layer = c.mapping(d[key], path + (key,), ("says",), ("asks",))
    return NeedLayer(c.texts(layer, "asks", path + (key,)), c.text(layer, "says", path + (key,)))


def _needs(top: dict, c: _Checker) -> list[Need]:
    needs: list[Need] = []
    data = top.get("needs", [])
    if not isinstance(data, list) or not data:
        c.fail(("needs",), "needs must be a non-empty list (what the customer reveals when asked)")
        return needs
    for i, item in enumerate(data):
        p = ("needs", i)
        d = c.mapping(item, p, ("id", "title", "problem"), ("topic", "min_trust", "implication", "payoff"))
        problem = c.mapping(d.get("problem", {}), p + ("problem",), ("says",), ("asks", "guarded"))
        level = c.level(d, "min_trust", p)
        need = Need(
            id=c.slug(d, "id", p),
            title=c.text(d, "title", p),
            topic=tuple(t.lower() for t in c.texts(d, "topic", p)),
            min_trust=level,
            reveal=c.text(problem, "says", p + ("problem",)),
            guarded=c.text(problem, "guarded", p + ("problem",)),
            asks=c.texts(problem, "asks", p + ("problem",)),
            implication=_layer(d, "implication", c, p),
            payoff=_layer(d, "payoff", c, p),
        )
        if d and level != "bronze" and not need.guarded:
            c.fail(
                p + ("problem",), f"needs[{i}].problem needs 'guarded' (what the customer says before trusting enough)"
            )
        for name in LAYERS:
            layer = need.layer(name)
            if layer is not None and d and not layer.asks and not need.topic:
                # Without example questions or topic words nothing can reach this layer.
                c.fail(p + (name,), f"needs[{i}].{name} can never be reached: give it 'asks' (example questions)")
        needs.append(need)
    _unique(c, [n.id for n in needs], ("needs",), "need")
    return needs


def _objections(top: dict, c: _Checker) -> list[Objection]:
    objections: list[Objection] = []
    data = top.get("objections", [])
    if not isinstance(data, list) or not data:
        c.fail(("objections",), "objections must be a non-empty list (raised when the rep pitches too early)")
        return objections
    for i, item in enumerate(data):
        p = ("objections", i)
        d = c.mapping(item, p, ("id", "says"), ("kind", "raised_by", "handled", "pushed"))
        kind = d.get("kind", "timing")
        if kind not in OBJECTION_KINDS:
            c.fail(
                p + ("kind",), f"objections[{i}].kind must be one of {', '.join(OBJECTION_KINDS)}, not {quoted(kind)}"
            )
        trigger = d.get("raised_by", "early_pitch")
        if trigger not in OBJECTION_TRIGGERS:
            c.fail(
                p + ("raised_by",),
                f"objections[{i}].raised_by must be one of {', '.join(OBJECTION_TRIGGERS)}, not {quoted(trigger)}",
            )
        objections.append(
            Objection(
                id=c.slug(d, "id", p),
                line=c.text(d, "says", p),
                kind=str(kind),
                raised_by=str(trigger),
                handled=c.text(d, "handled", p),
                pushed=c.text(d, "pushed", p),
            )
        )
    _unique(c, [o.id for o in objections], ("objections",), "objection")
    if objections and not any(o.raised_by == "early_pitch" for o in objections):
        c.fail(
            ("objections",),
            "at least one objection must be raised_by: early_pitch (the customer's answer to a pitch too soon)",
        )
    return objections


def _objective(top: dict, c: _Checker, needs: list[Need]) -> Objective:
    p = ("objective",)
    obj = c.mapping(
        top.get("objective", {}),
        p,
        ("description", "keywords", "agree", "not_yet"),
        ("explicit_needs", "min_trust", "buying_signal"),
    )
    deep = [n for n in needs if n.implication is not None or n.payoff is not None]
    required = c.integer(obj, "explicit_needs", p, 0, len(needs))
    if required > len(deep):
        # Search of the rules: only needs with an implication or payoff layer can become explicit.
        c.fail(
            p + ("explicit_needs",),
            f"objective.explicit_needs is {required}, but only {len(deep)} needs have an implication or payoff "
            "layer: the objective can never be met",
        )
    return Objective(
        description=c.text(obj, "description", p),
        keywords=tuple(k.lower() for k in c.texts(obj, "keywords", p)),
        needs_required=required,
        min_trust=c.level(obj, "min_trust", p),
        agree=c.text(obj, "agree", p),
        not_yet=c.text(obj, "not_yet", p),
        explicit=True,
        buying_signal=c.text(obj, "buying_signal", p),
    )
