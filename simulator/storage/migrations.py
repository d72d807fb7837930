"""Append-only schema migrations. Never edit an applied migration: add a new one.

Design notes for what comes later (so today's tables need no rework):
- sessions.mode / group_id / customer_played_by leave room for team roleplay (several reps on one
  scenario, someone playing the customer live);
- turns have an id that coach notes and label corrections will reference, and audio_path for voice;
- goals carry the agreed next step and are checked at the rep's next session (reviewed_*).
"""

from sqlite_utils import Migrations

migrations = Migrations("sparring")


@migrations()
def m001_initial(db):
    db["reps"].create({"id": int, "name": str, "created_at": str}, pk="id", not_null={"name", "created_at"})
    db["reps"].create_index(["name"], unique=True)
    db["scenarios"].create(
        {
            "id": str,
            "title": str,
            "call_type": str,
            "difficulty": int,
            "format": int,
            "content_hash": str,
            "path": str,
            "first_played_at": str,
            "last_played_at": str,
        },
        pk="id",
    )
    db["sessions"].create(
        {
            "id": int,
            "rep_id": int,
            "scenario_id": str,
            "scenario_hash": str,
            "mode": str,
            "input_mode": str,
            "status": str,
            "group_id": str,
            "customer_played_by": str,
            "started_at": str,
            "ended_at": str,
            "end_reason": str,
            "objective_met": int,
            "final_trust": int,
            "final_level": str,
            "needs_uncovered_json": str,
            "metrics_json": str,
        },
        pk="id",
        foreign_keys=[("rep_id", "reps", "id"), ("scenario_id", "scenarios", "id")],
        defaults={"mode": "solo", "status": "in_progress"},
    )
    db["sessions"].create_index(["rep_id", "started_at"])
    db["turns"].create(
        {
            "id": int,
            "session_id": int,
            "idx": int,
            "speaker": str,
            "text": str,
            "started_at": str,
            "ended_at": str,
            "input_mode": str,
            "audio_path": str,
            "is_question": int,
            "question_type": str,
            "is_needs_question": int,
            "spin": str,
            "is_paraphrase": int,
            "is_pitch": int,
            "analysis_json": str,
            "customer_event": str,
            "customer_json": str,
            "trust_after": int,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "idx", "speaker", "text"},
    )
    db["turns"].create_index(["session_id", "idx"], unique=True)
    db["debriefs"].create(
        {
            "session_id": int,
            "what_happened": str,
            "went_well": str,
            "do_differently": str,
            "next_step": str,
            "focus_skill": str,
            "strengths_json": str,
            "debrief_json": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="session_id",
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["goals"].create(
        {
            "id": int,
            "rep_id": int,
            "session_id": int,
            "focus_skill": str,
            "next_step": str,
            "created_at": str,
            "reviewed_session_id": int,
            "reviewed_outcome": str,
        },
        pk="id",
        foreign_keys=[("rep_id", "reps", "id"), ("session_id", "sessions", "id")],
    )
    db["goals"].create_index(["rep_id", "created_at"])


@migrations()
def m002_review(db):
    """Coach review: notes and label corrections on turns, a measurable goal with a date, and a
    stable uid per session so exports merge across machines without duplicates."""
    db["notes"].create(
        {
            "id": int,
            "session_id": int,
            "turn_idx": int,
            "kind": str,
            "text": str,
            "author": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "turn_idx", "kind", "text", "created_at"},
    )
    db["notes"].create_index(["session_id", "turn_idx"])
    db["corrections"].create(
        {
            "id": int,
            "session_id": int,
            "turn_idx": int,
            "label": str,
            "value_json": str,
            "author": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "turn_idx", "label", "value_json", "created_at"},
    )
    db["corrections"].create_index(["session_id", "turn_idx", "label"])
    db["goals"].add_column("measure", str)
    db["goals"].add_column("due_date", str)
    db["goals"].add_column("agreed_by", str)
    db["sessions"].add_column("uid", str)
    db.execute("update sessions set uid = lower(hex(randomblob(16))) where uid is null")
    db["sessions"].create_index(["uid"], unique=True)
    # Every new session gets its uid as it is inserted; an imported one keeps the uid it brings.
    db.execute(
        "create trigger sessions_uid_on_insert after insert on sessions when new.uid is null "
        "begin update sessions set uid = lower(hex(randomblob(16))) where id = new.id; end"
    )


@migrations()
def m003_real_calls(db):
    """Real calls imported for review (`spar import-call`): where each turn sits in the recording
    or transcript (seconds from its start), the customer's name, and the file the call came from."""
    db["turns"].add_column("start_seconds", float)
    db["turns"].add_column("end_seconds", float)
    db["sessions"].add_column("customer_name", str)
    db["sessions"].add_column("source", str)


@migrations()
def m004_retries(db):
    """Retries from review: a rep answers a customer's line again, kept beside the original turn,
    with the analyzer's labels, the replayed customer's reaction, and whether a coach helped."""
    db["retries"].create(
        {
            "id": int,
            "session_id": int,
            "turn_idx": int,
            "text": str,
            "input_mode": str,
            "is_question": int,
            "question_type": str,
            "is_needs_question": int,
            "spin": str,
            "is_paraphrase": int,
            "is_pitch": int,
            "analysis_json": str,
            "customer_event": str,
            "customer_json": str,
            "assisted": int,
            "how": str,
            "author": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "turn_idx", "text", "analysis_json", "customer_json", "assisted", "created_at"},
    )
    db["retries"].create_index(["session_id", "turn_idx"])


@migrations()
def m005_pair_debrief(db):
    """The pair's debrief (issue #18): a goal's measure as a figure, a comparison and a number the
    next call can check, and the rep's and the coach's answers to What? So what? Now what?, with
    the gaps as they stood when the pair talked."""
    db["goals"].add_column("measure_key", str)
    db["goals"].add_column("measure_comparison", str)
    db["goals"].add_column("measure_target", float)
    db["pair_debriefs"].create(
        {
            "session_id": int,
            "coach": str,
            "answers_json": str,
            "gaps_json": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="session_id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "created_at"},
    )


@migrations()
def m006_observer_scores(db):
    """Team roleplay: observers score a rep's call on the scenario's rubric, 1 to 5 a line. One row
    per rubric line; an observer's scoring of a call is all their rows for that session (re-scoring
    replaces them). The line's title is kept as the observer saw it, so the score still reads
    right in an export or on a machine without the scenario."""
    db["observer_scores"].create(
        {
            "id": int,
            "session_id": int,
            "observer": str,
            "criterion": str,
            "title": str,
            "score": int,
            "note": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "observer", "criterion", "score", "created_at"},
    )
    db["observer_scores"].create_index(["session_id", "observer"])


@migrations()
def m007_live_customer(db):
    """A person plays the customer from a second terminal (`spar team customer`): the call they
    join by a short code, and the lines they send, which the rep's terminal records as turns.

    live_calls: one a call the rep opened for a person; `status` is waiting (no one has joined yet),
    joined, left (the customer's terminal closed) or cancelled (the rep gave up before anyone
    joined); `seen_at` and `rep_seen_at` are the two terminals' heartbeats.
    live_replies: each line the customer sent, keyed by the turn it becomes, with the reaction they
    marked (a need told, an objection raised, agreement...) and their trust in the rep."""
    db["live_calls"].create(
        {
            "id": int,
            "code": str,
            "scenario_id": str,
            "rep_name": str,
            "status": str,
            "customer_name": str,
            "session_id": int,
            "created_at": str,
            "joined_at": str,
            "seen_at": str,
            "rep_seen_at": str,
            "ended_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"code", "scenario_id", "rep_name", "status", "created_at"},
    )
    db["live_calls"].create_index(["code"])
    db["live_replies"].create(
        {
            "live_call_id": int,
            "idx": int,
            "text": str,
            "reaction": str,
            "need_id": str,
            "objection_id": str,
            "level": str,
            "created_at": str,
        },
        pk=("live_call_id", "idx"),
        foreign_keys=[("live_call_id", "live_calls", "id")],
        not_null={"text", "reaction", "created_at"},
    )


@migrations()
def m008_retry_audio(db):
    """A retry spoken in review keeps its recording, as a spoken reply in a call does: the path of
    its WAV file beside the database (empty for a typed retry)."""
    db["retries"].add_column("audio_path", str)
