"""`spar`: the app and its small non-UI commands, one module per command group.

Heavy modules (spaCy, torch, Whisper, even Textual) are imported inside the commands that use
them, so `spar --help` and `spar scenarios list` answer at once.
"""

from __future__ import annotations

import click

from simulator.cli.common import DB_HELP, Parts


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sparring")
    except PackageNotFoundError:
        return "unknown"


@click.group(invoke_without_command=True)
@click.version_option(_version(), prog_name="spar")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Rehearse customer calls out loud and get a coaching debrief.

    With no command, opens the app: pick your name and a scenario, play the call, reflect.
    """
    ctx.ensure_object(Parts)
    if ctx.invoked_subcommand is None:
        from simulator.cli.practice import run_app

        run_app(db, rep=None, scenario_key=None)


def main() -> None:
    cli(prog_name="spar")


# The command groups register themselves on `cli`.
from simulator.cli import (  # noqa: E402, F401
    analyze,
    history,
    import_call,
    practice,
    progress,
    retry,
    review,
    scenarios,
    show,
    speech,
    team,
)
