"""A person playing the customer through the database: the live call, the join, the lines, and
`LiveCustomer` turning marked reactions into the customer's lines, over a real SQLite file that a
second connection (the customer's terminal) writes to at the same time."""

from __future__ import annotations

import threading

import pytest

from simulator.domain.customer import CustomerEvent, EndReason
from simulator.domain.live import (
    CustomerLeft,
    LiveCustomer,
    LiveReply,
    LiveStatus,
    Reaction,
    WaitCancelled,
    gone_reason,
)
from simulator.domain.session import PracticeCall, play_script
from simulator.storage import NotInStore, Store


def _customer_terminal(db_path, live_id: int, replies: list[LiveReply], name: str = "Kim") -> threading.Thread:
    """The customer's side in a thread of its own, with its own connection: joins, then sends each
    line once the rep's turn before it is in the database."""

    def play() -> None:
        store = Store(db_path)
        try:
            store.join_live_call(live_id, name)
            for reply in replies:
                while reply.index > 0:
                    call = store.live_call(live_id)
                    if call.session_id is not None and len(store.turns(call.session_id)) >= reply.index:
                        break
                    threading.Event().wait(0.02)
                store.add_live_reply(live_id, reply)
        finally:
            store.close()

    thread = threading.Thread(target=play, daemon=True)
    thread.start()
    return thread


def test_open_join_and_send_lines(store, db_path, freight):
    first = store.open_live_call(freight, "  Ana  ")
    second = store.open_live_call(freight, "Ben")
    assert first.status is LiveStatus.WAITING and first.rep_name == "Ana"
    assert len(first.code) == 4 and first.code.isdigit() and first.code != second.code
    assert [c.id for c in store.live_calls(code=first.code)] == [first.id]

    other = Store(db_path)  # the customer's terminal: another connection on the same file
    joined = other.join_live_call(first.id, "Kim")
    assert joined.status is LiveStatus.JOINED and joined.customer_name == "Kim" and joined.seen_at
    with pytest.raises(NotInStore, match="Kim has already joined"):
        other.join_live_call(first.id, "Lee")
    assert other.add_live_reply(first.id, LiveReply(0, "Hi, Dana here."))
    assert not other.add_live_reply(first.id, LiveReply(0, "Something else")), "one line a turn"
    assert store.live_reply(first.id, 0) == LiveReply(0, "Hi, Dana here.", Reaction.ANSWER, None, None, "")
    assert store.live_reply(first.id, 2) is None
    other.close_live_call(first.id, LiveStatus.LEFT)
    assert store.live_call(first.id).status is LiveStatus.LEFT
    other.close()


def test_a_whole_call_with_a_person_as_the_customer(store, db_path, freight, analyzer):
    live = store.open_live_call(freight, "Ana")
    replies = [
        LiveReply(0, "Dana here. You have five minutes."),
        LiveReply(2, "Marcus plans it all by hand.", Reaction.TELL_NEED, need_id="manual-planning", level="silver"),
        LiveReply(4, "We pay overtime every week.", Reaction.TELL_NEED, need_id="manual-planning"),
        LiveReply(6, "Drops are late and customers complain.", Reaction.TELL_NEED, need_id="late-deliveries"),
        LiveReply(8, "It costs us a contract.", Reaction.TELL_NEED, need_id="late-deliveries"),
        LiveReply(10, "Fine, next week with Marcus.", Reaction.AGREE, level="gold"),
    ]
    terminal = _customer_terminal(db_path, live.id, replies)
    customer = LiveCustomer(freight, live, db_path, poll_seconds=0.02)
    opening = customer.wait_for_reply(0)
    assert opening.text == "Dana here. You have five minutes." and customer.played_by == "Kim"
    call = PracticeCall(store, freight, "Ana", customer=customer, customer_played_by=customer.played_by,
                        live_call_id=live.id)  # fmt: skip
    result = play_script(
        call,
        [
            "How do you plan the routes today?",
            "What does that cost you?",
            "How are the deliveries going?",
            "What does that mean for your customers?",
            "Could we meet next week with Marcus?",
        ],
        analyzer.analyze_turn,
    )
    terminal.join(5)
    assert result.unused_replies == 0 and call.ended
    events = [t.customer.event for t in call.turns if t.customer]
    assert events == [
        CustomerEvent.OPENING,
        CustomerEvent.NEED_REVEALED,
        CustomerEvent.NEED_DEVELOPED,
        CustomerEvent.NEED_REVEALED,
        CustomerEvent.NEED_DEVELOPED,
        CustomerEvent.OBJECTIVE_AGREED,
    ]
    snap = customer.snapshot()
    assert snap.objective_met and snap.end_reason is EndReason.OBJECTIVE_MET and snap.level == "gold"
    assert [n.id for n in snap.needs_explicit] == ["manual-planning", "late-deliveries"]
    assert [n.turn for n in snap.needs_uncovered] == [1, 5]
    # Ready once two needs were explicit at silver trust: the debrief's "objective asked for when ready".
    assert [t.index for t in call.turns if t.customer and t.customer.ready] == [8]

    saved = store.session(call.session_id)
    assert saved.status == "ended" and saved.objective_met == 1
    row = store.db.table("sessions").get(call.session_id)
    assert row["customer_played_by"] == "Kim"
    assert store.live_call(live.id).session_id == call.session_id
    turns = store.turns(call.session_id)
    assert [t.text for t in turns if t.speaker == "customer"] == [r.text for r in replies]
    assert turns[2].customer is not None and "marked by Kim" in turns[2].customer.why
    figures = {str(k): f.value for k, f in call.figures().items()}
    assert figures["needs_uncovered"] == 2 and figures["needs_questions"] >= 3


def test_objections_hold_back_and_the_customer_ending_the_call(store, db_path, freight, analyzer):
    live = store.open_live_call(freight, "Ana")
    other = Store(db_path)
    other.join_live_call(live.id, "Kim")
    for reply in [
        LiveReply(0, "Hello."),
        LiveReply(2, "Stop selling.", Reaction.RAISE_OBJECTION, objection_id="not-yet"),
        LiveReply(4, "Well, the mornings are slow.", Reaction.OBJECTION_HANDLED),
        LiveReply(6, "I'd rather not say.", Reaction.HOLD_BACK, need_id="driver-overtime", level="bronze"),
        LiveReply(8, "Not yet.", Reaction.NOT_YET),
        LiveReply(10, "I have to go.", Reaction.END_CALL),
    ]:
        other.add_live_reply(live.id, reply)
    customer = LiveCustomer(freight, live, db_path, poll_seconds=0.01)
    call = PracticeCall(store, freight, "Ana", customer=customer, live_call_id=live.id)
    lines = ["Our platform is the best.", "Sorry, how do your mornings go?", "What about overtime?",
             "Shall we meet?", "Really?", "unused"]  # fmt: skip
    result = play_script(call, lines, analyzer.analyze_turn)
    assert result.unused_replies == 1
    events = [t.customer.event for t in call.turns if t.customer]
    assert events[1:] == [CustomerEvent.OBJECTION, CustomerEvent.OBJECTION_HANDLED, CustomerEvent.GUARDED,
                          CustomerEvent.OBJECTIVE_NOT_YET, CustomerEvent.STATEMENT]  # fmt: skip
    last = call.turns[-1].customer
    assert last is not None and last.ended and last.end_reason is EndReason.CUSTOMER_ENDED
    snap = customer.snapshot()
    assert snap.objections_raised == ("not-yet",) and snap.open_objection is None and not snap.objective_met
    assert call.turns[6].customer is not None and call.turns[6].customer.need_id == "driver-overtime"
    other.close()


def test_a_closed_customer_terminal_is_noticed_and_the_call_still_ends(store, db_path, freight, analyzer):
    live = store.open_live_call(freight, "Ana")
    other = Store(db_path)
    other.join_live_call(live.id, "Kim")
    other.add_live_reply(live.id, LiveReply(0, "Hello."))
    customer = LiveCustomer(freight, live, db_path, poll_seconds=0.01)
    call = PracticeCall(store, freight, "Ana", customer=customer, live_call_id=live.id)
    call.start()
    call.save_reply("How do you plan the routes?", analyzer.analyze_turn("How do you plan the routes?"))
    other.close_live_call(live.id, LiveStatus.LEFT)
    with pytest.raises(CustomerLeft, match="Kim left the call"):
        customer.wait_for_reply(2)
    line = call.end_by_rep()
    assert line.text == "(The customer had left the call.)" and "Kim left" in line.why
    assert store.session(call.session_id).status == "ended"
    assert [t.speaker for t in store.turns(call.session_id)] == ["customer", "rep", "customer"]
    other.close()


def test_a_silent_terminal_counts_as_gone_and_waiting_can_be_cancelled(store, db_path, freight):
    live = store.open_live_call(freight, "Ana")
    customer = LiveCustomer(freight, live, db_path, poll_seconds=0.01, gone_after=0.05)
    with pytest.raises(WaitCancelled):
        customer.wait_for_reply(0, cancelled=lambda: True)  # no one joined: waiting is not "gone"
    assert gone_reason(store.live_call(live.id)) is None
    other = Store(db_path)
    other.join_live_call(live.id, "Kim")
    threading.Event().wait(0.1)  # no heartbeat since joining
    with pytest.raises(CustomerLeft, match="Kim stopped answering"):
        customer.wait_for_reply(0)
    other.live_heartbeat(live.id)
    assert gone_reason(store.live_call(live.id), gone_after=5) is None
    other.close()
