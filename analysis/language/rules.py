"""The analyzer's cue lists, read from the YAML files in `analysis/patterns/`.

The files are data a coach can read and extend; this module only loads them and turns each
phrase into a spaCy token pattern (whole words, case-insensitive, `word*` for any ending).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from analysis import PATTERNS_DIR

SPIN_KINDS = ("situation", "problem", "implication", "need_payoff")


@dataclass(frozen=True)
class QuestionRules:
    fillers: tuple[tuple[str, ...], ...]
    open_wh: frozenset[str]
    closed_wh: frozenset[str]
    closed_phrases: tuple[tuple[str, ...], ...]
    auxiliaries: frozenset[str]
    open_requests: tuple[tuple[str, ...], ...]
    tag_endings: tuple[tuple[str, ...], ...]
    backchannels: frozenset[tuple[str, ...]]
    agreement_checks: frozenset[tuple[str, ...]]
    short_replies: frozenset[tuple[str, ...]]  # backchannels and agreement checks together
    open_yes_no: tuple[tuple[str, ...], ...]
    invitations: tuple[tuple[str, ...], ...]
    musing: tuple[tuple[str, ...], ...]
    rating_words: tuple[tuple[str, ...], ...]
    discourse_tags: tuple[tuple[str, ...], ...]
    # The sales convention (see questions.yaml).
    wrappers: tuple[tuple[str, ...], ...] = ()
    proposal_openers: frozenset[str] = frozenset()
    vague_or: tuple[tuple[str, ...], ...] = ()
    # Replies that ask nothing new (see questions.yaml).
    echo_extras: frozenset[str] = frozenset()
    echo_checks: frozenset[tuple[str, ...]] = frozenset()
    repair_requests: frozenset[tuple[str, ...]] = frozenset()


def _read(name: str, folder: Path | None = None) -> dict[str, Any]:
    path = (folder or PATTERNS_DIR) / name
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of lists of phrases")
    for key, phrases in data.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            # YAML reads bare yes/no/true as booleans: quote them.
            raise ValueError(f'{path}: \'{key}\' must be a list of phrases (quote words like "yes" and "no")')
    return data


@lru_cache(maxsize=8)
def read_patterns(name: str) -> dict[str, Any]:
    """One patterns file from `analysis/patterns/`, validated as lists of phrases."""
    return _read(name)


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


def _words(phrase: str) -> tuple[str, ...]:
    """Split a phrase exactly as spaCy's English tokenizer splits text ("can't" -> ca, n't)."""
    star = phrase.endswith("*")
    words = tuple(t.lower_ for t in _tokenizer()(phrase.lower().rstrip("*")) if not t.is_space)
    if star and words:
        words = words[:-1] + (words[-1] + "*",)
    return words


def _spoken(phrase: str) -> tuple[str, ...]:
    return tuple(w for w in _words(phrase) if any(c.isalnum() for c in w))


@lru_cache(maxsize=4)
def question_rules(folder: Path | None = None) -> QuestionRules:
    data = _read("questions.yaml", folder)
    by_length = lambda phrases: tuple(sorted((_words(p) for p in phrases), key=len, reverse=True))  # noqa: E731
    return QuestionRules(
        fillers=by_length(data["fillers"]),
        open_wh=frozenset(data["open_wh"]),
        closed_wh=frozenset(data["closed_wh"]),
        closed_phrases=by_length(data["closed_phrases"]),
        auxiliaries=frozenset(w for a in data["auxiliaries"] for w in _words(a)[:1]),
        open_requests=by_length(data["open_requests"]),
        tag_endings=by_length(data["tag_endings"]),
        # Compared with a sentence's words without punctuation: "mm-hmm" is ("mm", "hmm").
        backchannels=frozenset(_spoken(p) for p in data["backchannels"]),
        agreement_checks=frozenset(_spoken(p) for p in data["agreement_checks"]),
        short_replies=frozenset(_spoken(p) for p in data["backchannels"] + data["agreement_checks"]),
        open_yes_no=by_length(data["open_yes_no"]),
        invitations=by_length(data["invitations"]),
        musing=by_length(data["musing"]),
        rating_words=by_length(data["rating_words"]),
        discourse_tags=by_length(data["discourse_tags"]),
        wrappers=by_length(data.get("wrappers", [])),
        proposal_openers=frozenset(w.lower() for w in data.get("proposal_openers", [])),
        vague_or=by_length(data.get("vague_or", [])),
        echo_extras=frozenset(w.lower() for w in data.get("echo_extras", [])),
        echo_checks=frozenset(_spoken(p) for p in data.get("echo_checks", [])),
        repair_requests=frozenset(_spoken(p) for p in data.get("repair_requests", [])),
    )


def phrase_pattern(phrase: str) -> str | list[dict[str, Any]]:
    """A SpanRuler pattern for one phrase from the data files: plain phrases stay strings (matched
    on lowercase by the fast PhraseMatcher); `word*` needs a token pattern with a regex."""
    if "*" not in phrase:
        # The phrase as written: the tokenizer then splits it as it splits speech ("i'm" -> i, 'm);
        # re-joined words would not survive ("i 'm" -> i, ', m).
        return " ".join(phrase.lower().split())
    pattern: list[dict[str, Any]] = []
    for word in _words(phrase):
        if word.endswith("*"):
            pattern.append({"LOWER": {"REGEX": f"^{word[:-1]}"}})
        else:
            pattern.append({"LOWER": word})
    return pattern


@lru_cache(maxsize=4)
def cue_patterns(folder: Path | None = None) -> tuple[dict[str, Any], ...]:
    """Every cue as a SpanRuler pattern; the label says what it is a cue for (e.g. spin:problem)."""
    patterns: list[dict[str, Any]] = []

    def add(label: str, phrases: list[str]) -> None:
        for phrase in phrases:
            patterns.append({"label": label, "pattern": phrase_pattern(phrase), "id": phrase})

    spin = _read("spin.yaml", folder)
    for kind in SPIN_KINDS:
        add(f"spin:{kind}", spin[kind])
    add("not_needs", spin["not_needs"])
    add("small_talk", spin.get("small_talk", []))
    add("asking_leave", spin.get("asking_leave", []))
    add("commitment_ask", spin.get("commitment_asks", []))
    add("informs", spin.get("informing_openers", []))
    add("proposal", spin.get("proposals", []))
    add("request", spin.get("requests", []))
    add("asks_amount", spin.get("amount_questions", []))
    add("option_opening", spin.get("option_openings", []))
    pitch = _read("pitch.yaml", folder)
    add("pitch", pitch["phrases"])
    add("pitch_benefit", pitch.get("benefit_claims", []))
    add("pitch_credential", pitch.get("credentials", []))
    add("pitch_appeal", pitch.get("appeals", []))
    add("introduction", pitch.get("introductions", []))
    paraphrase = _read("paraphrase.yaml", folder)
    add("listening", paraphrase["listening_phrases"])
    add("lead_in", paraphrase["lead_ins"])
    add("advice", paraphrase["advice"])
    add("feeling", paraphrase["feelings"])
    add("pleasantry", paraphrase.get("pleasantries", []))
    return tuple(patterns)


@dataclass(frozen=True)
class PitchRules:
    offer_nouns: frozenset[str]
    offer_verbs: frozenset[str]


@lru_cache(maxsize=4)
def pitch_rules(folder: Path | None = None) -> PitchRules:
    data = _read("pitch.yaml", folder)
    return PitchRules(
        offer_nouns=frozenset(w.lower() for w in data.get("offer_nouns", [])),
        offer_verbs=frozenset(w.lower() for w in data.get("offer_verbs", [])),
    )


@lru_cache(maxsize=4)
def commitment_words(folder: Path | None = None) -> frozenset[str]:
    """Lemmas that name the decision a close asks for (`commitment_words` in spin.yaml)."""
    return frozenset(w.lower() for w in _read("spin.yaml", folder).get("commitment_words", []))


@dataclass(frozen=True)
class RequestVerbs:
    """Which deeds a question may ask for and stay a needs question (spin.yaml)."""

    talk: frozenset[str]  # telling us about their world: "Could you walk me through it?"
    world: frozenset[str]  # asking their view or knowledge: "Would you know who signs off?"
    options: frozenset[str] = frozenset()  # after "how about": an option to accept ("just the one")


@lru_cache(maxsize=4)
def request_verbs(folder: Path | None = None) -> RequestVerbs:
    data = _read("spin.yaml", folder)
    return RequestVerbs(
        talk=frozenset(w.lower() for w in data.get("talk_verbs", [])),
        world=frozenset(w.lower() for w in data.get("world_verbs", [])),
        options=frozenset(w.lower() for w in data.get("option_words", [])),
    )
