"""Every path Sparring reads or writes, in one place.

Environment variables override the defaults so that tests and scripts never touch the
user's real data: SPAR_DB (database file), SPAR_DATA_DIR (data directory), SPAR_SCENARIOS
(extra scenario folders, separated by the OS path separator).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

APP_NAME = "sparring"


def data_dir() -> Path:
    override = os.environ.get("SPAR_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    override = os.environ.get("SPAR_DB")
    if override:
        return Path(override)
    return data_dir() / "sparring.db"


def builtin_scenarios_dir() -> Path:
    """The scenarios shipped with the package (the top-level `scenarios/` folder)."""
    return Path(str(resources.files("scenarios")))


def user_scenarios_dir() -> Path:
    return data_dir() / "scenarios"


def scenario_dirs() -> list[Path]:
    """Where scenarios are looked up by id, first match wins: extra folders, the user's, built-in."""
    dirs: list[Path] = []
    extra = os.environ.get("SPAR_SCENARIOS")
    if extra:
        dirs.extend(Path(p) for p in extra.split(os.pathsep) if p)
    dirs.append(user_scenarios_dir())
    dirs.append(builtin_scenarios_dir())
    return dirs
