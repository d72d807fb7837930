-- Ready queries for a Sparring database, for Datasette (`datasette sparring.db`) or the sqlite3 shell.
-- The README shows each one; tests/test_datasette.py runs every query in this file through Datasette.
-- Each query starts with a `-- name:` line and ends with a semicolon.

-- name: needs_questions_per_rep_per_week
-- Needs questions per rep per week (week of the year, weeks start on Monday, UTC), over ended calls.
select
  r.name as rep,
  strftime('%Y-W%W', s.started_at) as week,
  count(*) as calls,
  sum(json_extract(s.metrics_json, '$.needs_questions.value')) as needs_questions,
  round(avg(json_extract(s.metrics_json, '$.needs_questions.value')), 1) as per_call
from sessions s
join reps r on r.id = s.rep_id
where s.metrics_json is not null
group by r.name, week
order by r.name, week;

-- name: objective_met_by_scenario
-- How often calls on each scenario met the objective.
select
  s.scenario_id as scenario,
  sc.title,
  count(*) as calls,
  sum(s.objective_met) as met,
  round(100.0 * avg(s.objective_met)) as met_percent
from sessions s
left join scenarios sc on sc.id = s.scenario_id
where s.status != 'in_progress'
group by s.scenario_id
order by met_percent desc, calls desc;

-- name: focus_skills_chosen
-- The skills debriefs chose as the one to work on next, and by how many reps.
select
  d.focus_skill,
  count(*) as times,
  count(distinct s.rep_id) as reps
from debriefs d
join sessions s on s.id = d.session_id
where d.focus_skill is not null
group by d.focus_skill
order by times desc, d.focus_skill;

-- name: goals_met_per_rep
-- Goals agreed at a debrief and checked at the rep's next session: how many that session met.
select
  r.name as rep,
  g.focus_skill,
  count(*) as checked,
  -- By the goal's own number when one was agreed, otherwise by the skill's bar.
  sum(coalesce(json_extract(d.debrief_json, '$.goal_check.met'),
               json_extract(d.debrief_json, '$.previous_focus.shown'))) as met
from goals g
join reps r on r.id = g.rep_id
join debriefs d on d.session_id = g.reviewed_session_id
where g.reviewed_session_id is not null
group by r.name, g.focus_skill
order by r.name, checked desc;

-- name: team_group_side_by_side
-- A team hot seat's calls side by side (change 'monday' to the group's name: `spar team list`).
select
  s.group_id,
  r.name as rep,
  json_extract(s.metrics_json, '$.needs_questions.value') as needs_questions,
  json_extract(s.metrics_json, '$.paraphrases.value') as paraphrases,
  json_extract(s.metrics_json, '$.needs_uncovered.value') as needs_uncovered,
  json_extract(s.metrics_json, '$.talk_share.value') as talk_share,
  s.objective_met
from sessions s
join reps r on r.id = s.rep_id
where s.mode = 'team' and s.group_id = 'monday'
order by s.started_at, s.id;

-- name: retries_per_rep
-- Moments tried again in review, per rep: on their own (unassisted) apart from with a coach's help,
-- and how many of each were needs questions.
select
  r.name as rep,
  count(t.id) as tries,
  coalesce(sum(t.assisted = 0), 0) as on_own,
  coalesce(sum(t.assisted = 0 and t.is_needs_question = 1), 0) as on_own_needs_questions,
  coalesce(sum(t.assisted = 1), 0) as with_help,
  coalesce(sum(t.assisted = 1 and t.is_needs_question = 1), 0) as with_help_needs_questions
from reps r
left join sessions s on s.rep_id = r.id
left join retries t on t.session_id = s.id
group by r.name
order by r.name;
