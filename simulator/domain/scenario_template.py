"""The commented format-2 template `spar scenarios new NAME` writes: a small scenario that validates
and plays as written (a win on the good path, a loss on the bad), for a coach to rewrite."""

from __future__ import annotations

import re

TEMPLATE = """\
# A scenario for Sparring, format 2. Every field is explained on the line above it; the guide is
# docs/scenarios.md. Rewrite the example text, then check it with:
#   spar scenarios validate THIS_FILE     (fields, references, whether the objective can be met)
#   spar scenarios try THIS_FILE          (plays a good and a bad call and shows how each ended)
format: 2
# Lowercase letters, digits and dashes; unique among your scenarios.
id: {id}
title: First call with a warehouse manager about stock counts
# Free text, shown in lists: discovery, cold call, gatekeeper, renewal, complaint, ...
call_type: discovery
industry: wholesale
# 1 (friendly, patient) to 3 (guarded, short on time).
difficulty: 1
description: >
  A short description for the scenario list: what the rep practises.
# Who the rep talks to.
persona:
  name: Sam Porter
  role: Warehouse manager
  company: Porter Wholesale
  mood: busy but willing to talk
# What the rep sells. A sentence naming it counts as a pitch.
product: CountRight
# What the rep knows walking in (shown in the brief).
situation: >
  You sell CountRight, handheld scanners and software for stock counts. Sam runs a warehouse
  of about 8,000 product lines and answered your email.
# The customer's first line.
opening: >
  Sam speaking. You emailed about stock counts? I've got ten minutes.

# Facts the customer tells when asked about their situation. `about` says what the fact covers;
# `asks` are example questions that reach it (matched by meaning, not by exact words).
world:
  - id: warehouse
    about: the size of the warehouse and the team
    asks: ["How big is the warehouse?", "How many people work there?"]
    answer: >
      About eight thousand lines in one building, twelve people across two shifts.
  - id: tools
    about: the systems they use for stock today
    asks: ["What do you use to keep track of stock?", "Which systems do you use?"]
    answer: >
      An old stock system and paper count sheets that someone types in afterwards.
  - id: decision
    about: who decides on a purchase like this
    asks: ["Who else would be involved in a decision like this?", "How do you usually decide on new equipment?"]
    answer: >
      I'd recommend it; the operations director signs anything over five thousand.

# Hidden needs. Each unfolds in SPIN layers, one question at a time:
#   problem      told when the rep asks about it (asks: 3+ example questions, worded differently)
#   implication  what it costs, who else it hurts (asks: 2+ examples)
#   payoff       what solving it would be worth, in the customer's words (asks: 2+ examples)
# A need is explicit once its problem and its implication or payoff are told.
# min_trust: bronze, silver or gold; above bronze, `guarded` is said until the rep earns the trust.
# topic: words that reach the need when the sentence model is not available.
needs:
  - id: slow-counts
    title: Stock counts take the whole weekend
    topic: [stock count, stocktake, counting]
    min_trust: bronze
    problem:
      asks:
        - How do you do your stock counts today?
        - What's the hardest part of keeping the stock figures right?
        - Walk me through a stocktake at your place.
      says: >
        We close on a Saturday four times a year and count everything by hand. It takes the
        whole team all weekend, and the figures are still wrong on Monday.
    implication:
      asks:
        - What does a weekend of counting cost you?
        - What happens when the figures are wrong on Monday?
      says: >
        Overtime for twelve people, and the sales team sells stock we don't have. Customers get
        cancelled orders.
    payoff:
      asks:
        - What would it mean if a count took an afternoon?
        - If the figures were right every morning, what would change?
      says: >
        No lost weekends, and the sales team could trust the screen again.
  - id: mispicks
    title: Pickers send the wrong items
    topic: [wrong item, mispick, returns]
    min_trust: bronze
    problem:
      asks:
        - How often do the wrong items go out?
        - What problems do you see with picking?
        - What do customers complain about most?
      says: >
        Wrong items, mostly. Two products with similar codes next to each other, and a tired picker
        grabs the wrong one. Maybe thirty a week.
    implication:
      asks:
        - What does a wrong delivery cost you?
        - How do customers react when the wrong item arrives?
      says: >
        A return, a second delivery and an apology. Our biggest customer has warned us twice.
  - id: director-pressure
    title: The operations director wants fewer errors before the busy season
    topic: [director, target, busy season]
    min_trust: silver
    problem:
      asks:
        - What is your director expecting from the warehouse this year?
        - What pressure are you under from above?
        - What would your boss like to see change?
      guarded: >
        Same as any boss. Fewer problems.
      says: >
        Between us, she wants the errors halved before the autumn rush, and she's asked me for a plan.
    implication:
      asks:
        - What happens if you go into the autumn without a plan?
        - How would it look for you if the errors stayed the same?
      says: >
        Then I'm the one explaining it in every meeting until Christmas.

# Objections. kind: price, timing, incumbent, authority, trust or need.
# raised_by: early_pitch (a pitch before enough needs questions), early_proposal (proposing the
# objective before the customer is ready), price (the rep names a price).
# handled: said when the rep acknowledges the concern and asks about it. pushed: said when the
# rep pitches through it.
objections:
  - id: not-yet
    kind: need
    raised_by: early_pitch
    says: >
      Hang on, you don't know how we work yet.
    handled: >
      Fair enough. It's the counts, really. They eat our weekends.
    pushed: >
      You're not listening. I don't know that this fits us.
  - id: budget
    kind: price
    raised_by: price
    says: >
      That's more than I can sign off myself.
    handled: >
      If it paid for itself in overtime, the director might look at it.
    pushed: >
      A discount doesn't change who signs.

# What the rep is trying to agree. keywords: words that make a proposal ("could we set up a ...")
# or a yes/no question a proposal of the objective. The customer agrees once `explicit_needs`
# needs are explicit and trust is at `min_trust`; they give the buying signal once, when ready.
objective:
  description: Agree a visit to see a stock count with Sam's shift leader.
  keywords: [visit, demo, meeting, next week]
  explicit_needs: 2
  min_trust: silver
  buying_signal: >
    My shift leader should really hear this. How would we take it further?
  agree: >
    All right, come in on Thursday morning and I'll get Lee, our shift leader, to show you a count.
  not_yet: >
    Maybe. I'm not sure yet what you'd be coming to see.

# Trust points: where the call starts and what silver and gold take (max: gold + 3 by default).
# A problem told is +1, a need made explicit +1, a paraphrase in the customer's words +2, an
# objection handled +1; a pitch too soon or through an objection -1.
trust:
  start: 1
  silver: 3
  gold: 6
# Rep turns before the customer ends the call.
patience: 12
# Needs questions the customer expects before a pitch.
discovery_before_pitch: 2

# Lines the customer says in turn, never the same line twice in a row. Give three or more each.
# closed_question lines answer any yes/no question: keep them neutral, so they never contradict a need.
replies:
  open_question:
    - Good question. We're busy, and the systems haven't kept up.
    - It varies. Some weeks are fine, some aren't.
    - Hard to say in a sentence. We get there, with effort.
  closed_question:
    - More or less.
    - It depends on the week.
    - Hard to give you a yes or no on that.
  paraphrase:
    - Yes, that's it exactly.
    - That's a fair way to put it.
    - Right, you've got it.
  statement:
    - Okay.
    - Right.
    - Mm-hm. Go on.
  pitch:
    - That could help, actually.
    - I can see how that would fit what I described.
    - Interesting. How would that work here?
  # Asked again about something already told, without going deeper.
  repeat:
    - That's the part I mentioned.
    - Like I said, that's where it hurts.
    - Yes, that's the one.
  # A follow-up ("tell me more") on a topic with nothing more to tell.
  nothing_more:
    - That's about all there is to it.
    - I think that covers it.
    - Nothing more to add on that one.

closing:
  customer_ends: >
    Sorry, I need to get back to the floor. Send me an email.
  rep_ends: >
    Okay, thanks for calling.

# What an observer scores the rep on, 1 to 5 each.
rubric:
  - id: discovery
    title: Asked about the warehouse before talking about the product
  - id: depth
    title: Explored what the problems cost and what solving them is worth
  - id: listening
    title: Played back what the customer said in their own words
  - id: next-step
    title: Proposed a clear next step at the right moment
"""


def slug(name: str) -> str:
    """A scenario id from a name: lowercase letters, digits and dashes."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", name.lower())).strip("-")


def template(scenario_id: str) -> str:
    return TEMPLATE.replace("{id}", scenario_id)
