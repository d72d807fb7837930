"""The pair's debrief: a rep and a coach go through What? So what? Now what? after a review.

At each step the rep answers first; only then does the coach's prompt show, so the coach's view
comes after the rep's own. The So what? step shows the gaps: where the rep stood on each skill at
their first call, where they stand on this one (with the coach's corrections), and the aim. The
pair leave with one focus skill, a goal the next call can check (a figure, a comparison, a number),
a next step and a date, all stored in one write.
"""

from __future__ import annotations

from datetime import date, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from analysis.coaching.goals import (
    PAIR_PROMPTS,
    GoalMeasure,
    MeasureError,
    PairDebrief,
    RepFirst,
    measure_keys,
    pair_answers,
    parse_measure,
    suggested_measure,
)
from analysis.coaching.progress import Gap
from analysis.coaching.skills import skills
from simulator.domain.review import CallReview, gap_analysis
from simulator.storage import StoreError
from simulator.ui.app_status import sparring_app
from simulator.ui.text import literal

# The next step is due a week from the talk unless the pair say otherwise.
DEFAULT_DUE_DAYS = 7


class PairDebriefScreen(Screen):
    DEFAULT_CSS = """
    #pair { padding: 0 2; }
    #pair Vertical { height: auto; }
    /* Full width, so a long prompt wraps at 80 columns instead of being cut off. */
    #pair Label { width: 1fr; }
    #pair .stage { margin-top: 1; text-style: bold; }
    #pair .coach-prompt { color: $warning; margin-top: 1; }
    #pair-gaps { margin: 1 0; padding: 0 1; background: $boost; height: auto; }
    #pair-skill { height: auto; max-height: 8; }
    #pair-measure-reads { color: $text-muted; margin-bottom: 1; }
    #pair-goal { height: auto; margin-top: 1; }
    #pair-saved { margin: 1 0; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to the review"),
        Binding("ctrl+s", "save", "Save the goal", priority=True),
    ]

    def __init__(self, review: CallReview, coach: str):
        super().__init__()
        self.review = review
        self.coach = coach
        self.gaps: list[Gap] = []
        self.skill_ids = [s.id for s in skills()]

    @property
    def rep(self) -> str:
        return self.review.session.rep_name

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="pair"):
            yield Static(
                f"[b]The pair's debrief[/b] of {literal(self.rep)}'s call. At each step {literal(self.rep)} "
                "answers first; the coach's prompt shows after.",
                id="pair-intro",
            )
            yield Label("Coach's name")
            yield Input(value=self.coach, placeholder="Coach's name", id="pair-coach")
            for prompt in PAIR_PROMPTS:
                with Vertical(id=f"step-{prompt.key}", classes="step"):
                    if prompt.key == "so_what":
                        yield Static("", id="pair-gaps")
                    yield Label(f"{prompt.stage} {prompt.rep}", classes="stage")
                    yield Input(placeholder=f"{self.rep} answers first", id=f"rep-{prompt.key}", select_on_focus=False)
                    with Vertical(id=f"coach-box-{prompt.key}", classes="coach-box"):
                        yield Label(prompt.coach, classes="coach-prompt")
                        yield Input(
                            placeholder="The coach's view (Enter to go on)",
                            id=f"coach-{prompt.key}",
                            select_on_focus=False,
                        )
            with Vertical(id="pair-goal"):
                yield Label("One focus skill (pick one)", classes="stage")
                yield OptionList(id="pair-skill")
                yield Static(f"A number the next call checks: KEY>=NUMBER (keys: {', '.join(measure_keys())})")
                yield Input(id="pair-measure", placeholder="for example questions_before_pitch>=4")
                yield Static("", id="pair-measure-reads")
                yield Label("The goal in your own words (optional; the number above is what gets checked)")
                yield Input(id="pair-measure-words")
                yield Label("The next step")
                yield Input(id="pair-next-step", placeholder="What the rep will try on the next call")
                yield Label("Due by (YYYY-MM-DD)")
                yield Input(id="pair-due", value=(date.today() + timedelta(days=DEFAULT_DUE_DAYS)).isoformat())
                yield Static("Ctrl+S saves the talk and the goal together.", id="pair-saved")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"The pair's debrief of session {self.review.session.id}"
        try:
            self.gaps = gap_analysis(sparring_app(self).store, self.review)
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
        self.query_one("#pair-gaps", Static).update(self._gap_text())
        options = self.query_one("#pair-skill", OptionList)
        for s in skills():
            options.add_option(Option(s.title, id=s.id))
        for prompt in PAIR_PROMPTS:
            self.query_one(f"#coach-box-{prompt.key}").display = False
            if prompt.key != PAIR_PROMPTS[0].key:
                self.query_one(f"#step-{prompt.key}").display = False
        self.query_one("#pair-goal").display = False
        self._fill_from_store()
        self.query_one(f"#rep-{PAIR_PROMPTS[0].key}", Input).focus()

    def _gap_text(self) -> str:
        lines = ["[b]The gaps[/b]: your first call, this call, and the aim"]
        for gap in self.gaps:
            line = literal(gap.line())
            lines.append(f"[yellow]• {line}[/yellow]" if gap.met is False else f"• {line}")
        focus = (self.review.debrief or {}).get("focus") or {}
        if focus.get("title"):
            lines.append(f"The debrief chose: [b]{literal(focus['title'])}[/b]. {literal(focus.get('gap', ''))}")
        return "\n".join(lines)

    def _fill_from_store(self) -> None:
        """What was agreed before (a goal, a pair's debrief held earlier): shown to go on from."""
        review = self.review
        goal = review.goal
        focus = (goal.focus_skill if goal else None) or (review.debrief or {}).get("focus", {}).get("skill")
        options = self.query_one("#pair-skill", OptionList)
        options.highlighted = self.skill_ids.index(focus) if focus in self.skill_ids else 0
        if goal is not None:
            self.query_one("#pair-next-step", Input).value = goal.next_step
            if goal.checkable is not None:
                self.query_one("#pair-measure", Input).value = goal.checkable.spec()
                if goal.measure and goal.measure != goal.checkable.text():
                    self.query_one("#pair-measure-words", Input).value = goal.measure
            elif goal.measure:
                self.query_one("#pair-measure-words", Input).value = goal.measure
            if goal.due_date:
                self.query_one("#pair-due", Input).value = goal.due_date
        if not self.query_one("#pair-measure", Input).value:
            self._suggest(self._skill())
        self._read_measure(self.query_one("#pair-measure", Input).value)
        pair = review.pair
        if pair is None:
            return
        if pair.coach:
            self.query_one("#pair-coach", Input).value = pair.coach
        for answer in pair.answers:
            self.query_one(f"#rep-{answer.key}", Input).value = answer.rep
            self.query_one(f"#coach-{answer.key}", Input).value = answer.coach
        if pair.answers:
            for prompt in PAIR_PROMPTS:
                self.query_one(f"#step-{prompt.key}").display = True
                self.query_one(f"#coach-box-{prompt.key}").display = True
            self.query_one("#pair-goal").display = True

    def _skill(self) -> str | None:
        highlighted = self.query_one("#pair-skill", OptionList).highlighted
        return self.skill_ids[highlighted] if highlighted is not None else None

    def _suggest(self, skill_id: str | None) -> None:
        gap = next((g for g in self.gaps if g.skill == skill_id), None)
        suggestion = suggested_measure(skill_id, gap.now if gap else None, gap.aim if gap else None)
        self.query_one("#pair-measure", Input).value = suggestion.spec() if suggestion else ""

    # --- the steps: the rep first, then the coach ------------------------------------------
    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        field = event.input.id or ""
        keys = [p.key for p in PAIR_PROMPTS]
        if field.startswith("rep-"):
            key = field.removeprefix("rep-")
            if not event.value.strip():
                self.notify(f"{self.rep} answers first: the coach's prompt shows after.", severity="warning")
                return
            self.query_one(f"#coach-box-{key}").display = True
            coach = self.query_one(f"#coach-{key}", Input)
            coach.focus()
            self.call_after_refresh(coach.scroll_visible, animate=False)
        elif field.startswith("coach-"):
            key = field.removeprefix("coach-")
            position = keys.index(key)
            if position + 1 < len(keys):
                step = self.query_one(f"#step-{keys[position + 1]}")
                step.display = True
                self.query_one(f"#rep-{keys[position + 1]}", Input).focus()
                self.call_after_refresh(step.scroll_visible, animate=False)
            else:
                self.query_one("#pair-goal").display = True
                self.query_one("#pair-skill", OptionList).focus()
                self.call_after_refresh(self.query_one("#pair-goal").scroll_visible, animate=False)
        elif field == "pair-coach":
            self.query_one(f"#rep-{keys[0]}", Input).focus()
        elif field in ("pair-measure", "pair-measure-words", "pair-next-step"):
            self.screen.focus_next()
        elif field == "pair-due":
            self.action_save()

    @on(OptionList.OptionHighlighted, "#pair-skill")
    def _skill_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.query_one("#pair-goal").display and self.query_one("#pair-skill", OptionList).has_focus:
            self._suggest(event.option.id)

    @on(OptionList.OptionSelected, "#pair-skill")
    def _skill_chosen(self) -> None:
        self.query_one("#pair-measure", Input).focus()

    @on(Input.Changed, "#pair-measure")
    def _measure_changed(self, event: Input.Changed) -> None:
        self._read_measure(event.value)

    def _read_measure(self, value: str) -> None:
        """The measure read back in words as it is typed, or what is wrong with it."""
        reads = self.query_one("#pair-measure-reads", Static)
        if not value.strip():
            reads.update("No number: the goal is checked by the skill's own bar.")
            return
        try:
            measure = parse_measure(value)
        except MeasureError as exc:
            reads.update(f"[red]{literal(exc)}[/red]")
            return
        reads.update(f"Reads: {literal(measure.text())}. The next call checks it.")

    # --- saving ----------------------------------------------------------------------------
    def _fields(self) -> dict[str, str]:
        return {
            i.id or "": i.value.strip() for i in self.query(Input) if i.id and not i.id.startswith(("rep-", "coach-"))
        }

    def action_save(self) -> None:
        """The talk and the goal in one write; a field that is wrong is named and nothing is lost."""
        fields = self._fields()
        keys = [p.key for p in PAIR_PROMPTS]
        rep = {k: self.query_one(f"#rep-{k}", Input).value for k in keys}
        coach = {k: self.query_one(f"#coach-{k}", Input).value for k in keys}
        try:
            answers = pair_answers(rep, coach)
        except RepFirst as exc:
            self.notify(literal(exc), severity="error")
            return
        problem, checkable = self._goal_problem(fields)
        if problem:
            self.notify(literal(problem), severity="error", timeout=15)
            return
        focus = self._skill() or ""
        coach_name = " ".join(fields["pair-coach"].split())
        try:
            goal = sparring_app(self).store.save_pair_debrief(
                self.review.session.id,
                PairDebrief(answers, tuple(self.gaps), coach_name),
                focus_skill=focus,
                next_step=fields["pair-next-step"],
                measure=fields["pair-measure-words"],
                due_date=fields["pair-due"],
                checkable=checkable,
            )
        except (StoreError, ValueError) as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return
        self.coach = coach_name or self.coach
        self.query_one("#pair-saved", Static).update(
            f"[green]Saved.[/green] {literal(self.rep)}'s next call shows the goal before it starts and checks it: "
            f"{literal(goal.measure_text)}, by {literal(goal.due_date)}. Escape: back to the review."
        )
        self.notify("The pair's debrief and the goal are saved.")

    def _goal_problem(self, fields: dict[str, str]) -> tuple[str, GoalMeasure | None]:
        """What is missing or wrong in the goal, in one sentence (empty when it can be saved)."""
        if not all(self.query_one(f"#rep-{p.key}", Input).value.strip() for p in PAIR_PROMPTS):
            return f"{self.rep} answers each step first (What? So what? Now what?).", None
        if self._skill() is None:
            return "Pick one focus skill.", None
        checkable = None
        if fields["pair-measure"]:
            try:
                checkable = parse_measure(fields["pair-measure"])
            except MeasureError as exc:
                return str(exc), None
        elif not fields["pair-measure-words"]:
            return "Give the goal a number to check (KEY>=NUMBER) or say it in words.", None
        if not fields["pair-next-step"]:
            return "Write the next step.", None
        try:
            date.fromisoformat(fields["pair-due"])
        except ValueError:
            return f"The due date is written YYYY-MM-DD, not '{fields['pair-due']}'.", None
        return "", checkable
