"""What `spar scenarios validate` checks beyond each field: what an author can get wrong across fields.

Loading (`scenario_file.py`, `scenario_format2.py`) already refuses a file whose fields are wrong.
This review looks at a scenario that loads and asks whether it can be played as meant:
- errors: an objective that can never be met and a layer of a need that can never be reached
  (both found by searching the customer's rules: which turns earn trust, which make a need
  explicit, within the customer's patience), an example question that would be taken for a proposal or reaches two places, a
  placeholder other than `{rep}`;
- warnings: things that work but play badly (too few example questions, an objection that cannot
  be handled, one line for a reply kind, no buying signal).
Each finding names the file and the line of the field it is about.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from simulator.domain.matching import action_matches, proposes_next_step, topic_matches
from simulator.domain.scenario import LAYERS, REPLY_KINDS, Problem, Scenario, trust_rank

# The trust each reaction earns, as the scripted customer counts it (scripted.py's rules).
TRUST_FOR_A_PROBLEM = 1
TRUST_FOR_AN_EXPLICIT_NEED = 1
TRUST_FOR_A_PARAPHRASE = 2
MIN_PROBLEM_ASKS = 3
MIN_DEEPER_ASKS = 2
_PLACEHOLDER = re.compile(r"\{([^}]*)\}")


@dataclass(frozen=True)
class Finding:
    problem: Problem
    error: bool

    def __str__(self) -> str:
        if self.error:
            return str(self.problem)
        where = f"{self.problem.path}:{self.problem.line}" if self.problem.line else str(self.problem.path)
        return f"{where}: warning: {self.problem.message}"


def _lines(path: Path) -> dict[tuple, int]:
    from simulator.domain.scenario_file import value_lines

    try:
        return value_lines(path.read_text(encoding="utf-8"), path)
    except OSError:
        return {}


class _Review:
    def __init__(self, scenario: Scenario):
        self.s = scenario
        self.path = scenario.path or Path(scenario.id)
        self.lines = _lines(self.path) if scenario.path else {}
        self.findings: list[Finding] = []

    def line(self, where: tuple) -> int:
        while where and where not in self.lines:
            where = where[:-1]
        return self.lines.get(where, 0)

    def add(self, where: tuple, message: str, *, error: bool) -> None:
        self.findings.append(Finding(Problem(self.path, self.line(where), message), error))


def _search(scenario: Scenario, goal: Callable[[int, tuple[int, ...]], bool], turns_left: int) -> int | None:
    """The fewest rep turns after which `goal(trust, layers told per need)` holds, or None if not within turns_left.

    A breadth-first search over what the customer's rules reward: ask about a need's problem (told
    once trust reaches the need's level), ask one layer deeper, or paraphrase (trust +2).
    """
    needs = scenario.needs
    rules = scenario.trust
    start = (rules.start, tuple(0 for _ in needs))
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        (trust, told), turns = queue.popleft()
        if goal(trust, told):
            return turns
        if turns >= turns_left:
            continue
        nexts = [(min(rules.maximum, trust + TRUST_FOR_A_PARAPHRASE), told)]
        for i, need in enumerate(needs):
            n = told[i]
            if n >= len(need.layers):
                continue
            if n == 0:
                if trust_rank(rules.level(trust)) < trust_rank(need.min_trust):
                    continue
                gain = TRUST_FOR_A_PROBLEM
            else:
                gain = TRUST_FOR_AN_EXPLICIT_NEED if n == 1 else 0
            nexts.append((min(rules.maximum, trust + gain), told[:i] + (n + 1,) + told[i + 1 :]))
        for state in nexts:
            if state not in seen:
                seen.add(state)
                queue.append((state, turns + 1))
    return None


def _told(index: int, depth: int) -> Callable[[int, tuple[int, ...]], bool]:
    """A search goal: need `index` has at least `depth` layers told."""
    return lambda _trust, told: told[index] >= depth


def fastest_win(scenario: Scenario) -> int | None:
    """The fewest rep turns in which the customer can agree to the objective (the proposal included),
    or None if no order of questions, paraphrases and a proposal gets there within their patience."""
    objective = scenario.objective
    level = trust_rank(objective.min_trust)

    def ready(trust: int, told: tuple[int, ...]) -> bool:
        uncovered = sum(1 for n in told if n >= (2 if objective.explicit else 1))
        return uncovered >= objective.needs_required and trust_rank(scenario.trust.level(trust)) >= level

    found = _search(scenario, ready, scenario.patience - 1)
    return None if found is None else found + 1


def review_scenario(scenario: Scenario) -> list[Finding]:
    """Errors and warnings for a scenario that loads; format 1 scenarios get the checks that apply."""
    r = _Review(scenario)
    s = scenario
    objective = s.objective

    # Layers that can never be reached before the customer runs out of patience.
    for i, need in enumerate(s.needs):
        for depth, name in enumerate(need.layers, start=1):
            if _search(s, _told(i, depth), s.patience) is None:
                r.add(("needs", i, name), f"needs[{i}].{name} ('{need.id}') can never be reached within the "
                      f"customer's patience ({s.patience} turns) with min_trust {need.min_trust}", error=True)  # fmt: skip
                break
    if fastest_win(s) is None:
        r.add(("objective",), "the objective can never be met within the customer's patience "
              f"({s.patience} turns): no order of questions, paraphrases and a proposal reaches "
              f"{objective.needs_required} explicit needs and {objective.min_trust} trust; lower "
              "explicit_needs or min_trust, or raise patience", error=True)  # fmt: skip
    if objective.explicit and objective.needs_required == 0:
        r.add(("objective", "explicit_needs"), "objective.explicit_needs is 0: the customer agrees as soon as "
              "trust allows, without any need explored", error=False)  # fmt: skip

    # Example questions: where they lead.
    seen: dict[str, str] = {}
    for i, need in enumerate(s.needs):
        for name in LAYERS:
            layer = need.layer(name)
            if layer is None:
                continue
            where = ("needs", i, name, "asks")
            for ask in layer.asks:
                _check_ask(r, s, ask, f"needs[{i}].{name}", where, seen)
            least = MIN_PROBLEM_ASKS if name == "problem" else MIN_DEEPER_ASKS
            if len(layer.asks) < least:
                r.add(where, f"needs[{i}].{name} has {len(layer.asks)} example questions; give at least {least}, "
                      "worded the way different reps would ask", error=False)  # fmt: skip
        if need.layers == ("problem",):
            r.add(("needs", i), f"needs[{i}] ('{need.id}') has no implication or payoff: it can never become "
                  "explicit", error=False)  # fmt: skip
    for i, fact in enumerate(s.world):
        for ask in fact.asks:
            _check_ask(r, s, ask, f"world[{i}]", ("world", i, "asks"), seen)

    # Objections.
    for i, objection in enumerate(s.objections):
        if not objection.handled:
            r.add(("objections", i), f"objections[{i}] ('{objection.id}') has no 'handled' line: the customer "
                  "answers a rep who handles it with a generic line", error=False)  # fmt: skip
        if not objection.pushed:
            r.add(("objections", i), f"objections[{i}] ('{objection.id}') has no 'pushed' line: the customer "
                  "repeats the objection when pushed", error=False)  # fmt: skip
    if s.version >= 2 and not objective.buying_signal:
        r.add(("objective",), "objective has no buying_signal: the rep gets no cue that the customer is ready",
              error=False)  # fmt: skip

    # Lines.
    for kind in REPLY_KINDS:
        if len(s.replies.get(kind, ())) < 2:
            r.add(("replies", kind), f"replies.{kind} has one line: the customer will say it twice in a row",
                  error=False)  # fmt: skip
    _check_placeholders(r, s)
    return r.findings


def _check_ask(r: _Review, s: Scenario, ask: str, name: str, where: tuple, seen: dict[str, str]) -> None:
    key = " ".join(ask.lower().split())
    if key in seen and seen[key] != name:
        r.add(where, f"{name}: the example question {ask!r} is also given for {seen[key]}; one question "
              "should reach one place", error=True)  # fmt: skip
    seen.setdefault(key, name)
    keywords = topic_matches(s.objective.keywords, ask)
    if proposes_next_step(ask) and (keywords or action_matches(s.objective.keywords, ask)):
        keywords = keywords or action_matches(s.objective.keywords, ask)
        r.add(where, f"{name}: the example question {ask!r} reads as a proposal of the objective "
              f"(keyword {keywords[0]!r}); reword it", error=True)  # fmt: skip
    elif keywords:
        r.add(where, f"{name}: the example question {ask!r} uses the objective keyword {keywords[0]!r}; asked as a "
              "yes/no question it is taken for a proposal", error=False)  # fmt: skip
    if s.product and s.product.lower() in ask.lower():
        r.add(where, f"{name}: the example question {ask!r} names the product; a question about the customer "
              "should not", error=False)  # fmt: skip


def _texts(s: Scenario) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = [(("opening",), s.opening), (("situation",), s.situation)]
    o = s.objective
    out += [(("objective", k), v) for k, v in (("agree", o.agree), ("not_yet", o.not_yet),
                                                ("buying_signal", o.buying_signal))]  # fmt: skip
    for i, need in enumerate(s.needs):
        out += [(("needs", i), need.reveal), (("needs", i), need.guarded)]
        out += [(("needs", i, name), layer.says) for name in ("implication", "payoff") if (layer := need.layer(name))]
    for i, objection in enumerate(s.objections):
        out += [(("objections", i), t) for t in (objection.line, objection.handled, objection.pushed)]
    for kind, lines in s.replies.items():
        out += [(("replies", kind), t) for t in lines]
    out += [(("closing", k), v) for k, v in s.closing.items()]
    out += [(("world", i), f.answer) for i, f in enumerate(s.world)]
    return out


def _check_placeholders(r: _Review, s: Scenario) -> None:
    for where, text in _texts(s):
        for name in _PLACEHOLDER.findall(text or ""):
            if name != "rep":
                r.add(where, f"'{{{name}}}' is not filled in; the only placeholder is {{rep}} (the rep's first name)",
                      error=True)  # fmt: skip
