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
TOP_KEYS = (
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
)
TOP_OPTIONAL_KEYS = ("trust", "patience", "discovery_before_pitch", "product", "description", "author", "tags")


# --- YAML with line numbers, and limits ---------------------------------------------------
#
# Scenario files come from the user's folder and from paths typed on the command line, so the
# reader refuses what a scenario never needs and an attacker would use: YAML tags (which can
# build Python objects or fail inside the constructor), aliases beyond a small budget (a few
# hundred bytes of nested aliases expand to billions of values), an alias inside its own anchor
# (a loop), keys that are lists or mappings, the same key twice (the second silently wins),
# nesting deeper than any scenario and files larger than any scenario.

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 50
MAX_ALIASES = 100
# Values after aliases are expanded; the built-in scenarios have a few hundred.
MAX_VALUES = 100_000
# A key or value is quoted in a problem only when it is this short and one word-like line: an
# error must never reprint the file (someone may point Sparring at /etc/shadow).
MAX_QUOTED_CHARS = 30
_KEY_LIKE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Refused(Exception):
    """The file uses something a scenario file may not; stops reading at LINE."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, composing nodes only: no tags, a budget of aliases, no alias inside
    its own anchor, bounded depth. Construction of values is left to `_Plain`."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._open_anchors: list[str] = []

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(line, f"more than {MAX_ALIASES} aliases (*name); write the values out instead")
            if event.anchor in self._open_anchors:
                raise _Refused(line, "an alias refers to itself (it is inside the anchor it names); remove the loop")
            return super().compose_node(parent, index)
        if getattr(event, "tag", None) is not None:
            raise _Refused(
                line, "YAML tags (words starting with '!') are not allowed in a scenario file; write plain values"
            )
        if self._depth >= MAX_DEPTH:
            raise _Refused(line, f"nested too deep (more than {MAX_DEPTH} levels); a scenario needs only a few")
        anchor = getattr(event, "anchor", None)
        self._depth += 1
        if anchor is not None:
            self._open_anchors.append(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open_anchors.pop()


def _compose(source: str, file: Path) -> yaml.Node | None:
    """The document's node tree, or ScenarioError with the line of the first thing refused."""
    loader: _LimitedLoader | None = None
    try:
        loader = _LimitedLoader(source)  # the reader checks every character here
        return loader.get_single_node()
    except _Refused as refused:
        raise ScenarioError([Problem(file, refused.line, refused.message)]) from None
    except yaml.MarkedYAMLError as exc:
        # Only the problem's wording: str(exc) would quote the file's line.
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ScenarioError(
            [Problem(file, line, f"not valid YAML: {exc.problem or exc.context or 'its structure is broken'}")]
        ) from None
    except yaml.reader.ReaderError as exc:
        line = source.count("\n", 0, exc.position) + 1
        raise ScenarioError(
            [Problem(file, line, "not valid YAML: a character YAML does not allow (such as a NUL byte)")]
        ) from None
    except yaml.YAMLError:
        raise ScenarioError([Problem(file, 1, "not valid YAML")]) from None
    finally:
        if loader is not None:
            loader.dispose()


def quoted(value: Any) -> str:
    """A value from the file as a problem may show it: short word-like text and small numbers as
    written, anything else by its kind."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        shown = repr(value)
        return shown if len(shown) <= MAX_QUOTED_CHARS else "a very long number"
    if isinstance(value, str):
        if len(value) <= MAX_QUOTED_CHARS and value.isprintable() and ":" not in value and "$" not in value:
            return repr(value)
        return f"text of {len(value)} characters"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another kind"


def quoted_key(key: Any) -> str:
    """A key from the file as a problem may show it: short and word-like, else not at all."""
    return f"'{key}'" if isinstance(key, str) and _KEY_LIKE.match(key) else "(not shown: not a word)"


class _Plain:
    """A composed YAML node as plain Python, recording each value's line by path; problems with
    keys (a list as a key, a key twice) are collected, not raised, so all are reported at once."""

    def __init__(self, file: Path):
        self.file = file
        self.lines: dict[tuple, int] = {}
        self.problems: list[Problem] = []
        self._values = 0
        self._scalars = yaml.constructor.SafeConstructor()

    def value(self, node: yaml.Node, path: tuple = (), depth: int = 0) -> Any:
        line = node.start_mark.line + 1
        self._values += 1
        if self._values > MAX_VALUES:
            raise _Refused(line, f"aliases expand this file to more than {MAX_VALUES} values; write the values out")
        if depth > MAX_DEPTH:
            raise _Refused(line, f"nested too deep once aliases are expanded (more than {MAX_DEPTH} levels)")
        self.lines[path] = line
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            first_seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(
                        Problem(self.file, key_line, "a key must be plain text, not a list or mapping")
                    )
                    continue
                key = key_node.value
                if key in first_seen:
                    self.problems.append(
                        Problem(
                            self.file,
                            key_line,
                            f"key {quoted_key(key)} appears twice in one mapping (first on line {first_seen[key]}); "
                            "keep one",
                        )
                    )
                    continue
                first_seen[key] = key_line
                result[key] = self.value(value_node, path + (key,), depth + 1)
                self.lines[path + (key,)] = key_line
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, line)

    def scalar(self, node: yaml.Node, line: int) -> Any:
        if node.tag == _TIMESTAMP_TAG:
            return node.value  # a date is kept as the text written: scenarios have no dates
        try:
            return self._scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            reason = "a number too long to read" if isinstance(exc, ValueError) else "a value YAML cannot read"
            self.problems.append(Problem(self.file, line, f"cannot read this value ({reason}); write it as text"))
            return None


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
                self.fail(path + (key,), f"unknown key {quoted_key(key)} in {self.name(path)} (known: {known})")
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
            self.fail(path + (key,), f"{self.name(path + (key,))} must be a whole number {bound}, not {quoted(value)}")
            return low
        return value

    def level(self, data: dict, key: str, path: tuple, default: str = "bronze") -> str:
        value = data.get(key, default)
        if value not in TRUST_LEVELS:
            self.fail(
                path + (key,),
                f"{self.name(path + (key,))} must be one of {', '.join(TRUST_LEVELS)}, not {quoted(value)}",
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
                path + (key,),
                f"{self.name(path + (key,))} must be lowercase letters, digits and dashes, not {quoted(value)}",
            )
        return value


DEFAULT_PATIENCE = 12
DEFAULT_DISCOVERY = 2


def common_fields(top: dict, c: _Checker) -> dict[str, Any]:
    """The fields every format has, read and checked the same way."""
    return {
        "id": c.slug(top, "id", ()),
        "title": c.text(top, "title", ()),
        "call_type": c.text(top, "call_type", ()),
        "difficulty": c.integer(top, "difficulty", (), 1, 3),
        "situation": c.text(top, "situation", ()),
        "opening": c.text(top, "opening", ()),
        "patience": c.integer(top, "patience", (), 3) if "patience" in top else DEFAULT_PATIENCE,
        "discovery_before_pitch": (
            c.integer(top, "discovery_before_pitch", (), 0) if "discovery_before_pitch" in top else DEFAULT_DISCOVERY
        ),
        "product": c.text(top, "product", ()),
        "path": c.file,
        "extra": {k: top[k] for k in ("description", "author", "tags") if k in top},
    }


def value_lines(source: str, file: Path) -> dict[tuple, int]:
    """The line of each value of a scenario file, by its path of keys and indexes (through the same
    limited reader as loading); empty when the file cannot be read as a scenario."""
    try:
        node = _compose(source, file)
        if node is None:
            return {}
        plain = _Plain(file)
        plain.value(node)
    except (ScenarioError, _Refused):
        return {}
    return plain.lines


def parse_scenario(source: str, file: Path) -> Scenario:
    """Validate scenario text; raise ScenarioError listing every problem with its line."""
    import hashlib

    if len(source) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(file, 0, _too_large(len(source)))])
    node = _compose(source, file)
    if node is None:
        raise ScenarioError(
            [Problem(file, 1, "the file is empty; start from a built-in scenario (spar scenarios list)")]
        )

    plain = _Plain(file)
    try:
        data = plain.value(node)
    except _Refused as refused:
        raise ScenarioError([Problem(file, refused.line, refused.message)]) from None
    if plain.problems:
        raise ScenarioError(plain.problems)
    lines = plain.lines
    c = _Checker(file, lines)
    if isinstance(data, dict) and data and not any(key in data for key in TOP_KEYS):
        # Some other file (a config, /etc/passwd): one line, not a line for each of its entries.
        raise ScenarioError(
            [
                Problem(
                    file,
                    1,
                    "not a scenario file: none of its keys is a scenario key (format, id, title, ...); "
                    "start from a built-in scenario (spar scenarios list)",
                )
            ]
        )
    if isinstance(data, dict) and data.get("format") == 2:
        from simulator.domain.scenario_format2 import parse_format2

        return parse_format2(data, c, hashlib.sha256(source.encode()).hexdigest()[:16])
    top = c.mapping(data, (), required=TOP_KEYS, optional=TOP_OPTIONAL_KEYS)
    if not top:
        raise ScenarioError(c.problems)
    if top.get("format") != FORMAT_VERSION:
        c.fail(
            ("format",),
            f"format must be 1 or 2 (the versions this Sparring reads), not {quoted(top.get('format'))}",
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
            c.fail(("needs", i, "id"), f"need id {quoted(need_id)} is used twice")

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
        **common_fields(top, c),
        persona=persona,
        objective=objective,
        trust=trust,
        needs=tuple(needs),
        objections=tuple(objections),
        replies=replies,
        closing=closing,
        content_hash=hashlib.sha256(source.encode()).hexdigest()[:16],
    )
    if c.problems:
        raise ScenarioError(c.problems)
    return scenario


def _too_large(size: int) -> str:
    return (
        f"the file is too large for a scenario ({size:,} bytes; the limit is {MAX_FILE_BYTES:,}); is it the right file?"
    )


def load_scenario(path: Path | str) -> Scenario:
    path = Path(path)
    try:
        if not path.exists():
            raise ScenarioError([Problem(path, 0, "no such file; check the path or run `spar scenarios list`")])
        if not path.is_file():
            raise ScenarioError([Problem(path, 0, "not a regular file; a scenario is a YAML file")])
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(
            [
                Problem(
                    path,
                    0,
                    f"cannot read the file ({exc.strerror or type(exc).__name__}); check the path and its permissions",
                )
            ]
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(path, 0, _too_large(path.stat().st_size))])
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScenarioError([Problem(path, line, "not UTF-8 text; save the scenario as UTF-8")]) from None
    return parse_scenario(source, path)
