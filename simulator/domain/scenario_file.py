"""Scenario files: read YAML with line numbers, check every field, and build a `Scenario`.

Loading validates everything at once and reports each problem as `file:line: what is wrong`, so an
author fixes a broken file in one pass instead of one error at a time. The format is documented in
README.md, "Scenario format".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from simulator.domain.scenario import (
    CLOSING_KINDS,
    FORMAT_VERSION,
    REPLY_KINDS,
    TRUST_LEVELS,
    Need,
    Objection,
    Objective,
    Persona,
    Problem,
    Scenario,
    ScenarioError,
    TrustRules,
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# --- YAML with line numbers -------------------------------------------------------------


def _plain(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> Any:
    """Turn a composed YAML node into plain Python, recording each value's line by path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = _plain(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, path + (i,), lines) for i, item in enumerate(node.value)]
    return yaml.SafeLoader(" ").construct_object(node, deep=True)


class _Checker:
    """Collects problems while reading values out of the plain data."""

    def __init__(self, file: Path, lines: dict[tuple, int]):
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, path: tuple) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def fail(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, self.line(path), message))

    @staticmethod
    def name(path: tuple) -> str:
        out = ""
        for part in path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out or "file"

    def mapping(self, data: Any, path: tuple, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(data, dict):
            self.fail(path, f"{self.name(path)} must be a mapping of keys to values")
            return {}
        for key in required:
            if key not in data:
                self.fail(path, f"{self.name(path)} is missing '{key}'")
        for key in data:
            if key not in required and key not in optional:
                known = ", ".join(required + optional)
                self.fail(path + (key,), f"unknown key '{key}' in {self.name(path)} (known: {known})")
        return data

    def text(self, data: dict, key: str, path: tuple) -> str:
        value = data.get(key)
        if key in data and (not isinstance(value, str) or not value.strip()):
            self.fail(path + (key,), f"{self.name(path + (key,))} must be non-empty text")
            return ""
        return value.strip() if isinstance(value, str) else ""

    def integer(self, data: dict, key: str, path: tuple, low: int, high: int | None = None) -> int:
        value = data.get(key)
        if key not in data:
            return low
        if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
            self.fail(path + (key,), f"{self.name(path + (key,))} must be a whole number {bound}, not {value!r}")
            return low
        return value

    def level(self, data: dict, key: str, path: tuple, default: str = "bronze") -> str:
        value = data.get(key, default)
        if value not in TRUST_LEVELS:
            self.fail(
                path + (key,), f"{self.name(path + (key,))} must be one of {', '.join(TRUST_LEVELS)}, not {value!r}"
            )
            return default
        return value

    def texts(self, data: dict, key: str, path: tuple) -> tuple[str, ...]:
        value = data.get(key)
        if key not in data:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(path + (key,), f"{self.name(path + (key,))} must be a non-empty list of text")
            return ()
        return tuple(v.strip() for v in value)

    def slug(self, data: dict, key: str, path: tuple) -> str:
        value = self.text(data, key, path)
        if value and not _SLUG.match(value):
            self.fail(
                path + (key,), f"{self.name(path + (key,))} must be lowercase letters, digits and dashes, not {value!r}"
            )
        return value


def parse_scenario(source: str, file: Path) -> Scenario:
    """Validate scenario text; raise ScenarioError listing every problem with its line."""
    import hashlib

    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ScenarioError([Problem(file, line, f"not valid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(file, 1, f"not valid YAML: {exc}")]) from None
    if node is None:
        raise ScenarioError(
            [Problem(file, 1, "the file is empty; start from a built-in scenario (spar scenarios list)")]
        )

    lines: dict[tuple, int] = {}
    data = _plain(node, (), lines)
    c = _Checker(file, lines)
    if isinstance(data, dict) and data.get("format") == 2:
        from simulator.domain.scenario_format2 import parse_format2

        return parse_format2(data, c, hashlib.sha256(source.encode()).hexdigest()[:16])
    top = c.mapping(
        data,
        (),
        required=(
            "format",
            "id",
            "title",
            "call_type",
            "difficulty",
            "persona",
            "situation",
            "opening",
            "objective",
            "needs",
            "objections",
            "replies",
            "closing",
        ),
        optional=("trust", "patience", "discovery_before_pitch", "product", "description", "author", "tags"),
    )
    if not top:
        raise ScenarioError(c.problems)
    if top.get("format") != FORMAT_VERSION:
        c.fail(
            ("format",),
            f"format must be 1 or 2 (the versions this Sparring reads), not {top.get('format')!r}",
        )

    persona_data = c.mapping(top.get("persona", {}), ("persona",), ("name", "role", "company", "mood"))
    persona = Persona(*(c.text(persona_data, k, ("persona",)) for k in ("name", "role", "company", "mood")))

    trust_data = c.mapping(
        top.get("trust", {"start": 1, "silver": 3, "gold": 6}), ("trust",), ("start", "silver", "gold"), ("max",)
    )
    start = c.integer(trust_data, "start", ("trust",), 0)
    silver = c.integer(trust_data, "silver", ("trust",), 1)
    gold = c.integer(trust_data, "gold", ("trust",), 2)
    maximum = c.integer(trust_data, "max", ("trust",), 0) if "max" in trust_data else gold + 3
    if not start < silver < gold <= maximum:
        c.fail(("trust",), "trust thresholds must rise: start < silver < gold <= max")
    trust = TrustRules(start, silver, gold, maximum)

    needs: list[Need] = []
    needs_data = top.get("needs", [])
    if not isinstance(needs_data, list) or not needs_data:
        c.fail(("needs",), "needs must be a non-empty list (what the customer reveals when asked)")
        needs_data = []
    for i, item in enumerate(needs_data):
        p = ("needs", i)
        d = c.mapping(item, p, ("id", "title", "topic", "reveal"), ("min_trust", "guarded"))
        level = c.level(d, "min_trust", p)
        need = Need(
            c.slug(d, "id", p),
            c.text(d, "title", p),
            tuple(t.lower() for t in c.texts(d, "topic", p)),
            level,
            c.text(d, "reveal", p),
            c.text(d, "guarded", p),
        )
        if d and level != "bronze" and not need.guarded:
            c.fail(p, f"needs[{i}] needs 'guarded' (what the customer says before trusting enough to share it)")
        needs.append(need)
    ids = [n.id for n in needs]
    for i, need_id in enumerate(ids):
        if need_id and ids.index(need_id) != i:
            c.fail(("needs", i, "id"), f"need id '{need_id}' is used twice")

    objections: list[Objection] = []
    objections_data = top.get("objections", [])
    if not isinstance(objections_data, list) or not objections_data:
        c.fail(("objections",), "objections must be a non-empty list (raised when the rep pitches too early)")
        objections_data = []
    for i, item in enumerate(objections_data):
        d = c.mapping(item, ("objections", i), ("id", "line"))
        objections.append(Objection(c.slug(d, "id", ("objections", i)), c.text(d, "line", ("objections", i))))

    obj = c.mapping(
        top.get("objective", {}),
        ("objective",),
        ("description", "keywords", "agree", "not_yet"),
        ("needs_required", "min_trust"),
    )
    objective = Objective(
        c.text(obj, "description", ("objective",)),
        tuple(k.lower() for k in c.texts(obj, "keywords", ("objective",))),
        c.integer(obj, "needs_required", ("objective",), 0, len(needs)),
        c.level(obj, "min_trust", ("objective",)),
        c.text(obj, "agree", ("objective",)),
        c.text(obj, "not_yet", ("objective",)),
    )

    replies_data = c.mapping(top.get("replies", {}), ("replies",), REPLY_KINDS)
    replies = {kind: c.texts(replies_data, kind, ("replies",)) for kind in REPLY_KINDS}
    closing_data = c.mapping(top.get("closing", {}), ("closing",), CLOSING_KINDS)
    closing = {kind: c.text(closing_data, kind, ("closing",)) for kind in CLOSING_KINDS}

    scenario = Scenario(
        id=c.slug(top, "id", ()),
        title=c.text(top, "title", ()),
        call_type=c.text(top, "call_type", ()),
        difficulty=c.integer(top, "difficulty", (), 1, 3),
        persona=persona,
        situation=c.text(top, "situation", ()),
        opening=c.text(top, "opening", ()),
        objective=objective,
        trust=trust,
        patience=c.integer(top, "patience", (), 3) if "patience" in top else 12,
        discovery_before_pitch=c.integer(top, "discovery_before_pitch", (), 0)
        if "discovery_before_pitch" in top
        else 2,
        needs=tuple(needs),
        objections=tuple(objections),
        replies=replies,
        closing=closing,
        product=c.text(top, "product", ()),
        path=file,
        content_hash=hashlib.sha256(source.encode()).hexdigest()[:16],
        extra={k: top[k] for k in ("description", "author", "tags") if k in top},
    )
    if c.problems:
        raise ScenarioError(c.problems)
    return scenario


def load_scenario(path: Path | str) -> Scenario:
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(path, 0, "no such file; check the path or run `spar scenarios list`")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            [Problem(path, 0, f"cannot read the file ({exc}); check its permissions and that it is UTF-8 text")]
        ) from None
    return parse_scenario(source, path)
