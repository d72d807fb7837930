"""The scenario catalogue: every scenario in the scenario folders, found by id or by path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.domain.scenario import Problem, Scenario, ScenarioError
from simulator.domain.scenario_file import load_scenario


def scenario_files(dirs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in dirs:
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")))
    return files


@dataclass
class Catalogue:
    """Every scenario found in the scenario folders, plus the files that failed to load."""

    scenarios: list[Scenario]
    broken: list[ScenarioError]

    def find(self, key: str) -> Scenario | None:
        return next((s for s in self.scenarios if s.id == key), None)


def load_catalogue(dirs: list[Path] | None = None) -> Catalogue:
    from simulator import locations

    found: dict[str, Scenario] = {}
    broken: list[ScenarioError] = []
    for file in scenario_files(dirs if dirs is not None else locations.scenario_dirs()):
        try:
            scenario = load_scenario(file)
        except ScenarioError as exc:
            broken.append(exc)
            continue
        found.setdefault(scenario.id, scenario)  # earlier folders override built-ins
    return Catalogue(sorted(found.values(), key=lambda s: (s.difficulty, s.id)), broken)


def _exists(path: Path) -> bool:
    """Whether PATH names something; a name the system cannot even look up (too long, say) names nothing."""
    try:
        return path.exists()
    except OSError:
        return False


def resolve_scenario(key: str, dirs: list[Path] | None = None) -> Scenario:
    """A scenario by id (searched in the scenario folders) or by file path."""
    candidate = Path(key)
    if candidate.suffix in (".yaml", ".yml") or _exists(candidate):
        return load_scenario(candidate)
    catalogue = load_catalogue(dirs)
    scenario = catalogue.find(key)
    if scenario is None:
        known = ", ".join(s.id for s in catalogue.scenarios) or "none found"
        raise ScenarioError([Problem(Path(key), 0, f"no scenario with id '{key}' (known: {known})")])
    return scenario
