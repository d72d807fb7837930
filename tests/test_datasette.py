"""The database opens as it is in Datasette, and every query the README documents runs there.

The queries live in docs/queries.sql; the README shows each one verbatim (checked here), so the
documentation and the tested text cannot drift apart.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from simulator.domain.customer import CustomerEvent, CustomerLine
from simulator.domain.session import PracticeCall, play_script
from simulator.storage import Store
from tests.conftest import GOOD_FREIGHT_CALL
from tests.test_progress import WEAK_FREIGHT_CALL

ROOT = Path(__file__).resolve().parents[1]
QUERIES_FILE = ROOT / "docs" / "queries.sql"


def documented_queries() -> dict[str, str]:
    """name -> the SQL (comment lines after the name included, as the README shows them)."""
    text = QUERIES_FILE.read_text(encoding="utf-8")
    found = {}
    for block in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, _, body = block.partition("\n")
        found[name.strip()] = body.strip()
    return found


def test_the_readme_shows_every_query_verbatim():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    queries = documented_queries()
    assert set(queries) >= {"needs_questions_per_rep_per_week", "objective_met_by_scenario", "focus_skills_chosen"}
    for name, sql in queries.items():
        assert f"-- name: {name}\n{sql}" in readme, f"README is missing or has changed query {name}"


@pytest.fixture
def team_db(db_path, freight, analyzer) -> Path:
    store = Store(db_path)
    for rep, replies, mode, group in (
        ("Sam Lee", WEAK_FREIGHT_CALL, "solo", None),
        ("Sam Lee", GOOD_FREIGHT_CALL, "solo", None),
        ("Ana Ruiz", GOOD_FREIGHT_CALL, "team", "monday"),
        ("Sam Lee", WEAK_FREIGHT_CALL, "team", "monday"),
    ):
        call = PracticeCall(store, freight, rep, mode=mode, group_id=group)
        play_script(call, replies, analyzer.analyze_turn)
        call.save_debrief({"next_step": "Ask first."})
    # Sam tries his second turn of the first call again in review, on his own, with a needs question.
    first = store.session_ids()[0]
    store.add_retry(
        first, 1, "How do you plan the routes today?", analyzer.analyze_turn("How do you plan the routes today?"),
        CustomerLine("Marcus does it by hand.", CustomerEvent.NEED_REVEALED, 1, 2, "bronze"), assisted=False,
    )  # fmt: skip
    store.close()
    return db_path


async def test_datasette_opens_the_database_as_it_is_and_runs_each_documented_query(team_db):
    from datasette.app import Datasette

    before = hashlib.sha256(team_db.read_bytes()).hexdigest()
    ds = Datasette(files=[str(team_db)])
    await ds.invoke_startup()
    name = team_db.stem
    tables = (await ds.client.get(f"/{name}.json")).json()["tables"]
    assert {"reps", "scenarios", "sessions", "turns", "debriefs", "goals"} <= {t["name"] for t in tables}
    sessions = (await ds.client.get(f"/{name}/sessions.json", params={"_shape": "array"})).json()
    assert len(sessions) == 4

    results = {}
    for query, sql in documented_queries().items():
        response = await ds.client.get(f"/{name}.json", params={"sql": sql, "_shape": "array"})
        assert response.status_code == 200, (query, response.text[:300])
        results[query] = response.json()
        assert results[query], f"{query} returned no rows"

    weekly = {row["rep"]: row for row in results["needs_questions_per_rep_per_week"]}
    assert weekly["Sam Lee"]["calls"] == 3 and weekly["Ana Ruiz"]["calls"] == 1
    assert re.fullmatch(r"\d{4}-W\d{2}", weekly["Sam Lee"]["week"])
    assert weekly["Ana Ruiz"]["needs_questions"] == 4
    (by_scenario,) = results["objective_met_by_scenario"]
    assert by_scenario["scenario"] == "freight-discovery" and by_scenario["calls"] == 4
    assert sum(row["times"] for row in results["focus_skills_chosen"]) == 4
    assert {row["rep"] for row in results["team_group_side_by_side"]} == {"Ana Ruiz", "Sam Lee"}
    assert results["goals_met_per_rep"][0]["rep"] == "Sam Lee"
    tries = {row["rep"]: row for row in results["retries_per_rep"]}
    assert (tries["Ana Ruiz"]["tries"], tries["Sam Lee"]["tries"]) == (0, 1)
    assert (tries["Sam Lee"]["on_own_needs_questions"], tries["Sam Lee"]["with_help"]) == (1, 0)
    # Through the Python API too, and the file is left as it was.
    rows = (await ds.execute(name, documented_queries()["focus_skills_chosen"])).rows
    assert rows
    assert hashlib.sha256(team_db.read_bytes()).hexdigest() == before
