"""The analyzer on replies written for the purpose, including the untidy forms of spoken text."""

from __future__ import annotations

import pytest

from analysis.language.analyzer import Utterance

CUSTOMER = "Every morning Marcus spends two hours moving drivers around by hand in a spreadsheet."


def _turn(analyzer, text, previous=CUSTOMER, products=("RouteDesk",)):
    """The turn's analysis as `spar analyze` prints it: the contract other tools read."""
    return analyzer.analyze_turn(text, previous, products).to_json()


@pytest.mark.parametrize(
    "text, kind",
    [
        ("How do you plan your routes today?", "open"),
        ("What gets in the way when a driver calls in sick?", "open"),
        ("Why did you start looking at this now?", "open"),
        ("Tell me about the morning planning.", "open"),
        ("Walk me through what happens when a delivery is late", "open"),
        ("Do you use a spreadsheet for that?", "closed"),
        ("Is Marcus the only one who plans", "closed"),
        ("Which depot is the busiest?", "closed"),
        ("Who plans the routes", "closed"),
        # Expert coders count these as open: the answer is a story more often than a number.
        ("How often do the trucks leave late?", "open"),
        ("When did this start to hurt?", "open"),
        ("Could you see yourself switching this year?", "closed"),
        ("Uh-huh so how often does that happen?", "open"),  # the backchannel is skipped like a filler
        ("So you cut it down by three trucks? What made that work?", "open"),
        ("Where in particular?", "open"),  # a question word with its verb left out
    ],
)
def test_questions_open_and_closed(analyzer, text, kind):
    """The MI convention: what the question invites (the sales convention is in test_sales_turns.py)."""
    result = _mi_turn(analyzer, text)
    assert result["is_question"] is True
    assert result["question_type"] == kind


def _mi_turn(analyzer, text, previous=CUSTOMER):
    turns = [Utterance("customer", previous), Utterance("rep", text)]
    return list(analyzer.analyze(turns, product_terms=("RouteDesk",), convention="mi"))[-1].to_json()


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for making the time today.",
        "I see.",
        "That makes sense.",
        "We work with forty fleets in the region.",
        "I know what you mean, it's hard.",
    ],
)
def test_statements_are_not_questions(analyzer, text):
    result = _turn(analyzer, text)
    assert result["is_question"] is False and result["question_type"] is None


def test_spoken_forms_fillers_no_question_mark_and_question_not_last(analyzer):
    result = _turn(analyzer, "um so okay what happens when the trucks leave late")
    assert result["is_question"] and result["question_type"] == "open"

    result = _turn(analyzer, "Okay. How do you handle the overtime? I'm asking because most fleets struggle there.")
    assert result["is_question"] and result["sentences"] == 3
    question = next(e for e in result["evidence"] if e["label"].endswith("question") and "needs" not in e["label"])
    assert question["text"].startswith("How do you handle") and question["sentence"] == 1


def test_tag_question_makes_a_closed_question(analyzer):
    result = _turn(analyzer, "You plan all of it by hand, right?")
    assert result["is_question"] and result["question_type"] == "closed"


def test_last_question_sets_the_turn_type(analyzer):
    result = _turn(analyzer, "Is it just Marcus? What does his morning look like?")
    assert result["question_type"] == "open"
    result = _turn(analyzer, "What does his morning look like? Is it just him?")
    assert result["question_type"] == "closed"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("How many depots do you run at the moment?", "situation"),
        ("What problems does the manual planning cause?", "problem"),
        ("What difficulties do you have with late deliveries?", "problem"),
        ("What impact do the late drops have on your biggest customer?", "implication"),
        ("How much does the overtime cost you each month?", "implication"),
        ("What would it mean for you if the trucks left at seven?", "need_payoff"),
        ("How would it help your team if planning took ten minutes?", "need_payoff"),
    ],
)
def test_spin_kinds(analyzer, text, kind):
    result = _turn(analyzer, text)
    assert result["is_needs_question"] is True
    assert result["spin"] == kind
    cue = next(e for e in result["evidence"] if e["label"].startswith("needs question"))
    assert cue["cue"], "a SPIN decision names the cue that made it"


@pytest.mark.parametrize(
    "text",
    [
        # about the call itself, or small talk
        "How are you doing today?",
        "Hi Dana, how are you doing this morning?",
        "Is now a good time?",
        "Can I ask a quick question?",
        "Can I share some numbers from a similar fleet?",
        "Is there anything else I can help you with?",
        # information put forward as a question
        "Did you know most fleets lose a tenth of their miles to empty runs?",
        # asking for the decision, or confirming it
        "Would you like to sign up for the pilot today?",
        "How much would you like to order for the spring?",
        "Are you sure you don't want to renew for two years?",
        "Will you renew the contract this year?",
        "So would you switch over in March, even for one depot?",
        "Are you going to book the trial, then?",
        "you wanna commit to the bigger plan?",
        "So I have you down for twenty seats, right?",
        "Just to confirm, you're starting with the north depot?",
    ],
)
def test_questions_that_are_not_needs_questions(analyzer, text):
    result = _turn(analyzer, text)
    assert result["is_question"] and not result["is_needs_question"]


@pytest.mark.parametrize(
    "text",
    [
        # courtesy in front of a real question
        "How are you planning the routes at the moment?",
        "How are you handling the overflow when a driver calls in sick?",
        "Can I ask how many depots you run?",
        "Do you have a minute to walk me through the process?",
        # how they buy: a commitment word, but no decision asked for
        "Do you buy your parts from one supplier?",
        "How much do you pay for fuel each month?",
        "When will you decide on the renewal?",
        "Why would you switch suppliers now?",
        "What would you need to see before you sign?",
        "Who would sign off on a purchase like this?",
        "Who else is involved when you pick a supplier?",
        "What budget have you set aside for routing this year?",
        "How did you know it was time to look at other suppliers?",  # not "Did you know ...?"
    ],
)
def test_needs_questions_that_look_like_other_things(analyzer, text):
    assert _turn(analyzer, text)["is_needs_question"] is True


def test_a_close_shows_why_it_is_not_a_needs_question(analyzer):
    result = _turn(analyzer, "Thanks, that helps. Will you renew the contract this year?")
    close = next(e for e in result["evidence"] if e["label"] == "asks for the decision")
    assert close["text"] == "Will you renew the contract this year?"
    assert "renew" in close["cue"] and "Will you" in close["cue"]


@pytest.mark.parametrize(
    "text",
    [
        "Our platform will save you hours every week, you should try it.",
        "RouteDesk plans the routes automatically.",
        "We offer a free trial and our customers love it.",
    ],
)
def test_pitches(analyzer, text):
    result = _turn(analyzer, text)
    assert result["is_pitch"] is True
    pitch = next(e for e in result["evidence"] if e["label"] == "pitch")
    assert pitch["cue"]


def test_needs_question_is_not_a_pitch(analyzer):
    assert _turn(analyzer, "What would make a new planning tool worth it for you?")["is_pitch"] is False


def test_paraphrase_restates_customer_words(analyzer):
    result = _turn(analyzer, "So you're spending two hours every morning moving drivers around by hand.")
    assert result["is_paraphrase"] is True
    assert {"hours", "morning", "drivers"} <= set(result["restates"])
    evidence = next(e for e in result["evidence"] if e["label"] == "paraphrase")
    assert evidence["restates"] and evidence["cue"]


def test_paraphrase_of_a_feeling(analyzer):
    result = _turn(
        analyzer,
        "It sounds like the late deliveries are really frustrating you.",
        previous="Honestly I'm fed up, the deliveries keep arriving late and I'm frustrated.",
    )
    assert result["is_paraphrase"] is True


def test_paraphrase_depends_on_what_the_customer_said(analyzer):
    text = "So you're spending two hours every morning moving drivers around by hand."
    grounded = _turn(analyzer, text)
    assert grounded["paraphrase_grounded"] is True
    # Said after something else entirely, it has the form of a reflection but restates nothing,
    # so the scripted customer will not feel heard.
    ungrounded = _turn(analyzer, text, previous="We mostly ship furniture to retail stores.")
    assert ungrounded["restates"] == [] and ungrounded["paraphrase_grounded"] is False
    assert _turn(analyzer, text, previous=None)["is_paraphrase"] is False


def test_paraphrase_of_an_earlier_point_after_a_short_yes(analyzer):
    utterances = [
        Utterance("customer", "Overtime is eating us alive, finance keeps asking me about it."),
        Utterance("rep", "Mm-hmm."),
        Utterance("customer", "Yeah."),
        Utterance("rep", "So finance is on your back about the overtime."),
    ]
    result = list(analyzer.analyze(utterances))[-1].to_json()
    assert result["is_paraphrase"] and {"overtime", "finance"} <= {w.lower() for w in result["restates"]}


@pytest.mark.parametrize(
    "text",
    [
        "Most fleets our size run about forty trucks from two depots.",
        "Many dispatchers run forty trucks from two depots.",
    ],
)
def test_information_is_not_a_paraphrase_even_with_the_customers_words(analyzer, text):
    assert _turn(analyzer, text, previous="We run forty trucks from two depots.")["is_paraphrase"] is False


def test_pitch_that_reuses_customer_words_is_not_a_paraphrase(analyzer):
    result = _turn(analyzer, "RouteDesk moves drivers around every morning so you save two hours.")
    assert result["is_pitch"] is True and result["is_paraphrase"] is False


@pytest.mark.parametrize(
    "customer, rep, cue",
    [
        (
            "What I need most is reliability, price and support.",
            "Reliability, price, support.",
            "repeats the customer's words (reliability, price, support)",
        ),
        (
            "Mostly it's the morning scramble with the drivers.",
            "I'm hearing that the mornings are where it hurts.",
            "says it is restating 'I'm hearing'",
        ),
        (
            "We tried a tool once and the drivers hated it.",
            "-especially the ones who've been there longest.",
            "finishes the customer's sentence",
        ),
    ],
)
def test_paraphrase_forms_without_the_usual_lead_in(analyzer, customer, rep, cue):
    result = _turn(analyzer, rep, previous=customer)
    assert result["is_paraphrase"] is True
    evidence = next(e for e in result["evidence"] if e["label"] == "paraphrase")
    assert cue in evidence["cue"]


def test_phrases_with_apostrophes_are_matched_as_spoken(analyzer):
    # "i'm hearing" in the data file must match "I'm hearing" in speech (the tokenizer splits both alike).
    doc = analyzer.nlp("I'm hearing that you've had enough.")
    assert ("listening", "I'm hearing") in {(s.label_, s.text) for s in doc.spans["spar_cues"]}


def test_own_statement_is_not_a_paraphrase(analyzer):
    result = _turn(analyzer, "I spent years in dispatch myself.")
    assert result["is_paraphrase"] is False


@pytest.mark.parametrize(
    "customer, rep",
    [
        ("Thanks, that's helpful.", "Thanks."),
        ("That would be great.", "Great."),
        ("Nice to meet you.", "Nice to meet you, too. Thanks for making the time today."),
        ("Thanks so much, you've been a big help.", "Oh, you're welcome."),
    ],
)
def test_a_pleasantry_echoed_back_is_not_a_paraphrase(analyzer, customer, rep):
    assert _turn(analyzer, rep, previous=customer)["is_paraphrase"] is False


def test_conversations_are_kept_apart_and_order_is_kept(analyzer):
    utterances = [
        Utterance("customer", CUSTOMER, "a"),
        Utterance("customer", "We mostly ship furniture.", "b"),
        Utterance("rep", "So you're spending two hours every morning moving drivers by hand.", "b"),
        Utterance("rep", "So you're spending two hours every morning moving drivers by hand.", "a"),
    ]
    results = [r.to_json() for r in analyzer.analyze(utterances)]
    assert len(results) == 4
    assert results[2]["paraphrase_grounded"] is False  # conversation b's customer said something else
    assert results[3]["paraphrase_grounded"] is True


def test_empty_text_is_analysed_as_nothing(analyzer):
    result = _turn(analyzer, "")
    assert result["words"] == 0 and not result["is_question"] and result["evidence"] == []


@pytest.mark.parametrize(
    "text, kind",
    [
        ("On a scale of one to ten, how ready are you to switch?", "closed"),
        ("How confident are you that Marcus can keep up?", "open"),  # invites the reasons, not a number
        ("Any other thoughts on the rollout?", "open"),
        ("Anything else?", "open"),
        ("Do you think the drivers would accept a new tool?", "open"),
        ("Is there anything else that makes mornings hard?", "open"),
    ],
)
def test_ratings_degrees_and_inviting_yes_no_questions(analyzer, text, kind):
    """The MI convention; by the sales convention the last four are closed (test_sales_turns.py)."""
    result = _mi_turn(analyzer, text)
    assert result["is_question"] and result["question_type"] == kind


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Yeah?", False),  # keeps the customer talking
        ("Yeah? So the spreadsheet is the bottleneck.", False),  # a check before the rep's own point
        ("So the spreadsheet is the bottleneck. Yeah?", True),  # asks the customer to confirm
        ("You know, it's hard to change habits, you know what I mean?", False),
        ('Dispatchers often think "how will I ever catch up?" and give up.', False),
        ("Which is why the mornings matter so much.", False),
        ("when the trucks leave late the customers notice", False),
        ("when do the trucks usually leave", True),
        ("Do your planning the night before.", False),
        ("Okay?", True),  # asks the customer to agree
        ("Mm-hmm. Wh-What sort of delays do you get", True),  # a stutter the tokenizer splits
        ("Okay? So the pilot starts on Monday.", False),  # carries on to the rep's own point
        ("Mm-hmm. Yeah?", False),  # no statement before the check
        ("Mm-hmm. So the pilot starts Monday. Okay?", True),
        ("When a driver has a flat tyre, the whole plan changes.", False),  # a clause, not asking
        ('It\'s hard to think, "How will I catch up on Monday?"', False),  # the customer's thought voiced
        ("Is it- is it the mornings that hurt most", True),  # restarted, no question mark
        # A rising statement, then the rep's own point: no pause for an answer, so nothing was asked.
        ("So you cut it down by three trucks? That's a real change for the team.", False),
        ("So you cut it down by three trucks? Mm.", True),
    ],
)
def test_things_that_sound_like_questions(analyzer, text, expected):
    assert _turn(analyzer, text)["is_question"] is expected


def test_benefit_claim_is_a_pitch_only_in_a_statement(analyzer):
    claim = _turn(analyzer, "Automatic planning will help your drivers leave by seven.", previous="Fine.")
    assert claim["is_pitch"] is True
    assert _turn(analyzer, "What would help your drivers leave earlier?")["is_pitch"] is False


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I'm wondering if Marcus knows that.", False),  # a thought shared, not asked
        ("I'm wondering if Marcus knows that?", True),
        ("I'm wondering what else is on that list.", True),  # asks, question mark or not
        ("So I'm wondering how much of that Marcus tells you.", True),
        ("So what's the-", False),  # broken off before asking
        ("It matters to know what works for your team.", False),
        ("Given all that, what would you change?", True),
        ("So with the new depot opening, I'm wondering how ready your planners are.", True),
        ("I'm wondering what the- the routes, 'cause Marcus changed them all.", False),  # never got to a verb
        ("And I'm wondering if you'd be open to a short pilot.", True),  # a modal: asks, tentatively
        ("I wonder if that's part of the trouble.", False),  # a guess said aloud
        ("So what's the- what's the-- Say, if the pilot starts on Monday-", False),  # abandoned
        ("Have those numbers ready for Monday.", False),  # 'have' is the verb itself
        # Without a question mark, a question word after a comma asks only in question form.
        ("After the call last week, what-what were you-- what have you been thinking about since", True),
        ("In addition to the pilot, what sounds like a sensible next step for your team", True),
        ("It was a mess, you know, like, how could anyone plan that by hand", False),  # voiced, not asked
    ],
)
def test_musing_cut_off_and_embedded_question_words(analyzer, text, expected):
    assert _turn(analyzer, text)["is_question"] is expected


def test_end_of_a_quotation_is_reported_speech(analyzer):
    result = _turn(analyzer, 'Dana said, "We can manage. What if it breaks?"')
    assert result["is_question"] is False


def test_restarts_marked_with_a_dash_still_count(analyzer):
    result = _turn(analyzer, "So tell me- tell me how the morning goes")
    assert result["is_question"] and result["question_type"] == "open"


def test_stutters_are_read_as_the_word(analyzer):
    result = _turn(analyzer, "Wh-what gets in the way on a busy morning?")
    assert result["is_question"] and result["question_type"] == "open"


@pytest.mark.parametrize(
    "text",
    [
        "So what would- what would make Monday easier?",  # the tokenizer keeps the dash on "would-"
        "So what-what'd you change first?",
    ],
)
def test_a_restarted_question_still_opens_the_question(analyzer, text):
    result = _turn(analyzer, text)
    assert result["is_question"] and result["question_type"] == "open"


def test_a_long_question_joined_by_and_is_one_sentence(analyzer):
    # The parser alone splits this at "and", leaving the "?" on a tail with no question word.
    text = (
        "Right. I'd love to hear about that. When was the last time you felt stuck about something "
        "and you actually did it and it turned out well?"
    )
    result = _turn(analyzer, text)
    assert result["sentences"] == 3
    assert result["is_question"] and result["question_type"] == "open"


# Advocacy without a cue phrase: the offer as subject and what it does, is or has; a figure
# put forward; a credential; an appeal to picture it.
@pytest.mark.parametrize(
    "text, cue",
    [
        (
            "It plans every route overnight and sends each driver a schedule.",
            "'It ... plans': says what the offer does",
        ),
        ("The dashboard shows every truck on one map.", "'dashboard ... shows': says what the offer does"),
        ("We work with forty freight firms in the north.", "'We ... work': says what your side does"),
        ("I think it would save Marcus most of his morning.", "'it ... save': says what the offer does"),
        (
            "Honestly, it's a scheduling platform built for depots like yours.",
            "'it 's ... platform': says what the offer is or has",
        ),
        ("Across our accounts, late loads fell by 3,000 a month.", "cites a figure ('3,000')"),
        ("It's one of the top rated tools in logistics.", "'top rated'"),
        ("Imagine Marcus home by six every evening.", "'Imagine'"),
        ("You'd never have to rebuild the schedule by hand.", "'never have to'"),
    ],
)
def test_pitches_in_plain_words(analyzer, text, cue):
    result = _turn(analyzer, text, previous="Fine.")
    assert result["is_pitch"] is True
    assert [e["cue"] for e in result["evidence"] if e["label"] == "pitch"] == [cue]


@pytest.mark.parametrize(
    "text",
    [
        "We can work on that together next week.",  # plans the talk, does not advocate
        "I would imagine that's hard on the team.",  # a guess, not "imagine ..." asked of them
        "It's been a rough quarter for you.",  # "it" is the customer's situation
        "That's a good question.",
        "That's a lot of money for a small depot.",  # the customer's worry, not the offer
        "That's the cause of the late starts, then.",
        "Thanks, take care of yourself.",
        "So there are two depots and three planners.",  # small counts are the talk's own detail
        "It's been part of your life for 300 days now.",  # their story given back, with "your"
        "Zero being no interest at all, 100 being totally sold.",  # a scale to rate on, not evidence
        "You're clearly a credible voice on your team.",  # a credential word as praise of the customer
        "Does it help to plan the night before?",  # a question asks; it does not claim
    ],
)
def test_statements_that_do_not_advocate(analyzer, text):
    result = _turn(analyzer, text, previous="Fine.")
    assert result["is_pitch"] is False, [e for e in result["evidence"] if e["label"] == "pitch"]


def test_summing_up_the_customers_view_is_not_a_pitch(analyzer):
    """The customer's own claim given back ("it helps you relax") is listening, not advocating."""
    result = _turn(
        analyzer,
        "So the spreadsheet helps you keep track of who is where.",
        previous="The spreadsheet is a pain, but it helps me keep track of who is where.",
    )
    assert result["is_paraphrase"] is True
    assert result["is_pitch"] is False


def test_summing_up_then_advocating_counts_the_advocacy(analyzer):
    result = _turn(
        analyzer,
        "So the spreadsheet helps you keep track. RouteDesk does that on its own.",
        previous="The spreadsheet is a pain, but it helps me keep track of who is where.",
    )
    assert result["is_pitch"] is True
    assert [e["text"] for e in result["evidence"] if e["label"] == "pitch"] == ["RouteDesk does that on its own."]


def test_naming_the_product_outranks_a_plain_claim(analyzer):
    result = _turn(analyzer, "It plans the routes, and RouteDesk sends them out.", previous="Fine.")
    pitch = [e for e in result["evidence"] if e["label"] == "pitch"]
    assert [p["cue"] for p in pitch] == ["names the product 'RouteDesk'"]


@pytest.mark.parametrize(
    "text",
    [
        "Hi Tom, this is Ana Ruiz from FlowSense. I'll be brief.",
        "Hi Tom, my name is Ana and I'm calling from FlowSense.",
        "I'm Ana with FlowSense.",
        "Hello, it's Ana from FlowSense, we spoke at the trade fair.",
    ],
)
def test_introducing_yourself_is_not_a_pitch(analyzer, text):
    """Saying who you are and where you are from names the company; it does not advocate."""
    assert _turn(analyzer, text, "Lindqvist. Who is this?", ("FlowSense",))["is_pitch"] is False


@pytest.mark.parametrize(
    "text",
    [
        "FlowSense predicts breakdowns before they happen.",
        "I'm from FlowSense and FlowSense cuts downtime by 30 percent.",
        "I work for FlowSense, we help plants like yours avoid downtime.",
    ],
)
def test_an_introduction_that_advocates_is_still_a_pitch(analyzer, text):
    assert _turn(analyzer, text, "Lindqvist. Who is this?", ("FlowSense",))["is_pitch"] is True


def test_cues_by_sentence_match_a_scan_of_every_cue(analyzer):
    """The per-sentence index of phrase cues gives what going through all of them would."""
    from analysis.language.findings import CUES_KEY, cues_in

    doc = analyzer.nlp(
        "It sounds like the late deliveries worry you. So you plan every route by hand? "
        "Nice to meet you. Could we set up a meeting next week? Most fleets cut overtime by a fifth."
    )
    assert len(doc.spans[CUES_KEY]) > 3
    for sent in doc.sents:
        for prefix in ("", "listening", "pitch", "proposal", "pleasantry"):
            scanned = [
                (c.start, c.end, c.label_)
                for c in doc.spans[CUES_KEY]
                if c.label_.startswith(prefix) and c.start >= sent.start and c.end <= sent.end
            ]
            assert [(c.start, c.end, c.label_) for c in cues_in(doc, sent, prefix)] == scanned


@pytest.mark.parametrize(
    "text, expected",
    [
        # Said back to the customer's news, a verb and its subject ask nothing new: "go on".
        ("Do you?", False),
        ("Oh, you did?", False),
        ("Is that right?", False),
        ("Are they really?", False),
        ("Pardon?", False),  # asks to hear it again, not about the customer's world
        ("Sorry, what?", False),
        # After the rep's own statement the same words turn the question round.
        ("We run two depots ourselves. Do you?", True),
        # A question word that opens the subject of "is" names a thing ("what happens is ...").
        ("What happens is the drivers wait for the plan.", False),
        ("What bothers Marcus most is the Monday rush.", False),
        ("What happens when a driver calls in sick?", True),
        # Without a question mark, "which" straight before its verb goes on from the last sentence.
        ("Which is the part that costs the most.", False),
        ("which do you plan first", True),
        # A tag after a comma asks for agreement whatever the punctuation.
        ("You plan the routes by hand, don't you.", True),
        ("The trucks left late again, didn't they", True),
        ("So the new depot is open, is it.", True),
        ("You plan the routes by hand, don't you,", False),  # trails off: not finished
        ("Or do you plan them the night before", True),  # the other half of an either-or question
    ],
)
def test_echoes_repairs_clefts_and_tags(analyzer, text, expected):
    assert _turn(analyzer, text)["is_question"] is expected


def test_an_echo_asks_when_it_goes_on_from_the_speakers_own_statement(analyzer):
    """Transcripts that split a turn into lines: "Do you?" after the rep's own line asks; after the
    customer's line it is a backchannel."""
    own = [
        Utterance("customer", CUSTOMER),
        Utterance("rep", "We plan ours the night before."),
        Utterance("rep", "Do you?"),
    ]
    theirs = [
        Utterance("rep", "We plan ours the night before."),
        Utterance("customer", "We do too."),
        Utterance("rep", "Do you?"),
    ]
    assert list(analyzer.analyze(own))[-1].is_question is True
    assert list(analyzer.analyze(theirs))[-1].is_question is False


def test_a_tag_without_a_question_mark_shows_its_cue(analyzer):
    result = _turn(analyzer, "Marcus still rebuilds the plan every morning, doesn't he.")
    assert result["question_type"] == "closed"
    assert any("tag 'doesn't he' asks for agreement" in (e["cue"] or "") for e in result["evidence"])


def test_mi_coders_count_an_echo_as_a_closed_question(analyzer):
    """Motivational-interviewing coding counts "Oh, did you?" as a closed question; the sales
    convention (the app's default) counts it only after the rep's own statement."""
    result = _mi_turn(analyzer, "Oh, did you?")
    assert (result["is_question"], result["question_type"]) == (True, "closed")
    assert _turn(analyzer, "Oh, did you?")["is_question"] is False
