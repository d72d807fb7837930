"""Sales turns written for the purpose (issue #17): open or closed by the sales convention, proposals
and needs questions, and plain statements that are not paraphrases."""

from __future__ import annotations

import pytest

from analysis.language.analyzer import Analyzer, Utterance
from analysis.types import EvidenceKind

CUSTOMER = "Honestly the mornings are chaos: Marcus rebuilds the plan by hand and the trucks leave late."


def one(analyzer, text: str, convention: str | None = None):
    return next(analyzer.analyze([Utterance("rep", text)], convention=convention))


def question_cues(result) -> list[str]:
    return [e.cue for e in result.evidence if e.kind == EvidenceKind.QUESTION]


# Open under sales, closed under the MI rules: a question word asks for more than yes/no or a pick.
SALES_OPEN = [
    "What impact have those late deliveries had on your customers?",
    "Which supplier handles the chilled loads?",
    "Who else sits in on the budget meeting?",
    "How old are the vans on the northern run?",
    "What year did you last renegotiate the contract?",
    "Whose sign-off does a change like this need?",
    "Can I ask what the missed windows cost you last quarter?",
    "Do you know where the hold-ups usually start?",
    "Could you tell me how the dispatch team splits the work?",
    "May I ask why you moved away from the old carrier?",
    "What?",
]

# Closed under sales, open under the MI rules: a yes, a no or a pick answers them.
SALES_CLOSED = [
    "Do you think the drivers would take to a new app?",
    "Do you feel the current setup is holding you back?",
    "Any other thoughts on the rollout?",
    "Anything else on your list?",
    "Is there anything else that slows the mornings down?",
    "Have you thought about moving the planning to the evening?",
    "Are there other sites with the same trouble?",
    "How about Tuesday at ten?",
    "How about we start with one depot?",
    "Which works better for you, mornings or afternoons?",
    "What would you rather do first, the pilot or the full rollout?",
]


@pytest.mark.parametrize("text", SALES_OPEN)
def test_sales_convention_open(analyzer, text):
    result = one(analyzer, text)
    assert result.is_question and result.question_type == "open", question_cues(result)
    assert any("(sales convention)" in cue for cue in question_cues(result))


@pytest.mark.parametrize("text", SALES_CLOSED)
def test_sales_convention_closed(analyzer, text):
    result = one(analyzer, text)
    assert result.is_question and result.question_type == "closed", question_cues(result)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("How do you plan the routes today?", "open"),
        ("Tell me about the morning planning.", "open"),
        ("What about the warehouse side?", "open"),  # turns the topic over, offers nothing to accept
        ("When does the current contract run out?", "open"),
        ("Do you use a spreadsheet for that?", "closed"),
        ("So you run nine trucks, right?", "closed"),
        ("Is it the cost or the delay that hurts more?", "closed"),
        ("Do you know if the trucks are tracked?", "closed"),  # the question behind the wrapper is yes/no
        ("I'm wondering if you'd be open to a short pilot.", "closed"),
        ("On a scale of one to ten, how ready are you to switch?", "closed"),
        ("How many loads go out a day, forty or so?", "open"),  # "or so" offers nothing to pick
    ],
)
def test_sales_convention_agrees_where_the_form_is_plain(analyzer, text, kind):
    assert one(analyzer, text).question_type == kind


def test_mi_convention_keeps_what_the_question_invites(analyzer):
    invites = one(analyzer, "Do you think the drivers would take to a new app?", convention="mi")
    assert invites.question_type == "open"
    assert any("(MI convention)" in cue for cue in question_cues(invites))
    assert one(analyzer, "Who else sits in on the budget meeting?", convention="mi").question_type == "closed"
    # The finding itself does not depend on the convention.
    assert one(analyzer, "What impact have those late deliveries had?", convention="mi").question_type == "open"


def test_an_analyzer_can_default_to_mi(analyzer):
    mi = Analyzer(nlp=analyzer.nlp, convention="mi")
    assert one(mi, "Any other thoughts on the rollout?").question_type == "open"
    with pytest.raises(ValueError, match="convention"):
        Analyzer(nlp=analyzer.nlp, convention="spin")


@pytest.mark.parametrize(
    "text",
    [
        "Would it make sense to set up a meeting next week?",
        "Can we book a demo for Thursday?",
        "Shall we pencil in thirty minutes on Friday?",
        "Would it be worth getting your ops lead on a call with us?",
        "Could we schedule a call with your finance team?",
        "Should we agree the next steps now?",
    ],
)
def test_a_proposal_of_the_next_step_is_not_a_needs_question(analyzer, text):
    result = analyzer.analyze_turn(text, "We run about forty trucks out of two depots.")
    assert result.is_question and not result.is_needs_question


def test_a_proposal_shows_why_it_did_not_count(analyzer):
    result = analyzer.analyze_turn("Would it make sense to set up a meeting next week?", "We run forty trucks.")
    close = next(e for e in result.evidence if e.kind == EvidenceKind.CLOSE)
    assert "proposes the next step" in close.cue


# Asking the customer to do something is a request, not a needs question, whatever the deed.
REQUESTS = [
    "Could we meet next Tuesday with Marcus?",
    "Would you be willing to run it past your team?",
    "Would you like to see a quick demo?",
    "Would you like a copy of the case study?",
    "Would you take it?",
    "Could you send me last month's figures?",
    "Would you mind sending over the contract?",
    "Why don't we try it on one depot first?",
    "How about we start with the northern depot?",
    "Is there any chance you could get Marcus on the call?",
    "Could you consider a smaller start?",
    "Would you be interested in a pilot?",
    "Can you spare an hour on Thursday?",
    "How much would you like to order?",
    "So, would you like to go ahead with the northern depot first?",
    "How about $20 a month per truck?",
    "What about just the one depot to start?",
    "It's a small step, how about it?",
]


@pytest.mark.parametrize("text", REQUESTS)
def test_a_request_for_a_deed_is_not_a_needs_question(analyzer, text):
    result = analyzer.analyze_turn(text, "We run about forty trucks out of two depots.")
    assert result.is_question and not result.is_needs_question, [e.cue for e in result.evidence]


def test_a_request_shows_its_cue(analyzer):
    result = analyzer.analyze_turn("Would you be willing to run it past your team?", "We run forty trucks.")
    close = next(e for e in result.evidence if e.kind == EvidenceKind.CLOSE)
    assert "would you be willing to" in close.cue.lower() and "run" in close.cue
    assert "do something" in close.cue


# Asking them to tell us about their world, or what they want for it, stays a needs question.
STILL_NEEDS = [
    "What's the hardest part of planning that way?",
    "Could you walk me through a typical morning?",
    "Can you give me a sense of the volumes?",
    "Could you help me understand how the routes are planned?",
    "Would you know who signs off on this?",
    "Would you say the delays are getting worse?",
    "Why don't you tell me how the mornings go?",
    "Would you like your drivers to get their routes the night before?",
    "Would you be willing to walk me through the handover?",
    "Would you mind telling me how you plan routes now?",
    "Can you see where each truck is right now?",
    "Will you need more vans next year?",
    "How many vans do you run?",
    "When would you like the new routes to start?",
    "If you could change one thing about the mornings, what would it be?",
    "What about your drivers, how do they find the new app?",
]


@pytest.mark.parametrize("text", STILL_NEEDS)
def test_asking_about_their_world_stays_a_needs_question(analyzer, text):
    result = analyzer.analyze_turn(text, "We run about forty trucks out of two depots.")
    assert result.is_needs_question, [e.cue for e in result.evidence]


def test_handing_the_turn_back_is_small_talk(analyzer):
    result = analyzer.analyze_turn("I grew up near Leeds. How about you?", "I'm calling from York.")
    assert result.is_question and not result.is_needs_question
    deeper = analyzer.analyze_turn("How about you, what slows your mornings down most?", "We run forty trucks.")
    assert deeper.is_needs_question


def test_an_option_put_forward_shows_the_figure(analyzer):
    result = analyzer.analyze_turn("How about $20 a month per truck?", "We run forty trucks.")
    close = next(e for e in result.evidence if e.kind == EvidenceKind.CLOSE)
    assert "How about $20" in close.cue and "option" in close.cue


@pytest.mark.parametrize(
    ("text", "spin"),
    [
        ("What's the hardest part of planning that way?", "problem"),
        ("What's the toughest week you've had this year?", "problem"),
        ("What gets in the way when a driver calls in sick?", "problem"),
        ("Where does it get tricky with the chilled loads?", "problem"),
        ("What impact have those late deliveries had on your customers?", "implication"),
    ],
)
def test_needs_questions_in_sales_words(analyzer, text, spin):
    result = analyzer.analyze_turn(text, "We run about forty trucks out of two depots.")
    assert result.is_needs_question and result.spin == spin


# Said right after the customer's complaint, none of these gives anything of theirs back.
NOT_PARAPHRASES = [
    "I spent six years running dispatch for a dairy before this job.",
    "We have offices in Leeds and Bristol.",
    "I drove a delivery van myself one summer, and it was hard work.",
    "My team built the routing engine from scratch.",
    "Our platform plans every route overnight.",
    "Most of our customers run between twenty and sixty trucks.",
    "Last spring one of our clients cut their late loads by half.",
    "I used to think spreadsheets were fine, but then I saw what they cost.",
    "We launched the dashboard in March.",
    "I'll send over the pricing sheet after the call.",
    "The app sends each driver their route at five.",
]


@pytest.mark.parametrize("text", NOT_PARAPHRASES)
def test_the_reps_own_world_stories_and_claims_are_not_paraphrases(analyzer, text):
    assert not analyzer.analyze_turn(text, CUSTOMER).is_paraphrase


def test_finishing_the_customers_sentence_only_right_after_them(analyzer):
    customer = Utterance("customer", "The drivers hate the new shift pattern, most of them anyway")
    right_after = list(analyzer.analyze([customer, Utterance("rep", "Especially the older drivers.")]))[-1]
    assert right_after.is_paraphrase
    # After the rep's own piece, "and ..." goes on with the rep's story: it finishes nothing of theirs.
    own = [
        customer,
        Utterance("rep", "I remember my first week in dispatch."),
        Utterance("rep", "And then the boss handed me a clipboard and left for lunch."),
    ]
    assert not list(analyzer.analyze(own))[-1].is_paraphrase


def test_the_scripted_customer_feels_heard_only_when_something_comes_back(analyzer):
    heard = analyzer.analyze_turn("So the trucks leave late because Marcus rebuilds the plan by hand.", CUSTOMER)
    assert heard.is_paraphrase and heard.paraphrase_grounded and heard.restates


def test_an_echo_of_the_customers_news_is_a_backchannel_not_a_needs_question(analyzer):
    for echo in ("Do you?", "Is that right?", "Oh, they did?"):
        result = analyzer.analyze_turn(echo, "We ship from two depots now.")
        assert (result.is_question, result.is_needs_question) == (False, False), echo


def test_what_we_do_is_a_statement_and_a_tag_with_a_full_stop_still_asks(analyzer):
    statement = analyzer.analyze_turn("What we do is plan routes by hand.", CUSTOMER)
    assert statement.is_question is False
    tagged = analyzer.analyze_turn("You ship from two depots, don't you.", CUSTOMER)
    assert (tagged.is_question, tagged.question_type and tagged.question_type.value) == (True, "closed")
    assert any("tag 'don't you'" in cue for cue in question_cues(tagged))
