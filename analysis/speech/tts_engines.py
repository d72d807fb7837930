"""The three speech engines, each a separate process Sparring talks to through pipes (see tts.py):
piper and festival as long-lived children, espeak-ng one short process per chunk."""

from __future__ import annotations

import io
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from analysis.speech.models import file_sha256
from analysis.speech.samples import Audio
from analysis.speech.speech_errors import TTSError, VoiceSpecError
from analysis.speech.voices import FESTIVAL_VOICES, PIPER_MODEL_SHA256, PIPER_VOICES, Voice, voice_problem

# A slow first start on a busy machine is normal (piper imports onnxruntime and loads 63 MB);
# a chunk that takes this long means the engine hung.
LOAD_TIMEOUT_SECONDS = 120.0
CHUNK_TIMEOUT_SECONDS = 60.0


class _Engine(Protocol):
    identity: str  # changes when the engine would produce different audio for the same text

    def start(self) -> None: ...

    def speak(self, text: str) -> Audio: ...

    def close(self) -> None: ...

    def process_ids(self) -> list[int]: ...


class _StderrLines:
    """A child's stderr, line by line, with a timeout (a reader thread feeds a queue)."""

    def __init__(self, stream: io.TextIOBase):
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.recent: deque[str] = deque(maxlen=8)
        threading.Thread(target=self._pump, args=(stream,), daemon=True, name="tts-stderr").start()

    def _pump(self, stream: io.TextIOBase) -> None:
        for line in stream:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def next(self, timeout: float) -> str | None:
        """The next line; None when the child closed stderr (it exited). Raises TimeoutError."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None
        if line is not None:
            self.recent.append(line)
        return line

    def last_words(self) -> str:
        meaningful = [line for line in self.recent if line.strip()]
        return meaningful[-1].strip() if meaningful else "no message"


def _stop_child(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        if process.stdin:
            process.stdin.close()
        process.wait(timeout=3)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
        process.wait()


def piper_model_files(name: str) -> tuple[Path, Path]:
    """The .onnx model and its .json config, inside the installed voice package (no network)."""
    from importlib.resources import files

    package, folder, stem = PIPER_VOICES[name]
    try:
        data = Path(str(files(package).joinpath(folder)))
    except ModuleNotFoundError:
        raise TTSError(
            f"voice 'piper:{name}' needs the Python package {package.replace('_', '-')}; run `bash setup.sh`"
        ) from None
    model, config = data / f"{stem}.onnx", data / f"{stem}.onnx.json"
    for path in (model, config):
        if not path.is_file():
            raise TTSError(f"voice 'piper:{name}': {path} is missing; reinstall with `bash setup.sh`")
    return model, config


Answer = TypeVar("Answer")


class _ChildProcessEngine:
    """An engine that keeps one child process and a scratch folder for the call's lines."""

    _process: subprocess.Popen | None
    _folder: Path | None
    _stderr: _StderrLines | None

    def _converse(
        self,
        request: str,
        answered: Callable[[str], Answer | None],
        timeout: float,
        *,
        silent: str,
        stopped: Callable[[], TTSError],
        cannot_send: Callable[[], TTSError],
    ) -> Answer:
        """Write REQUEST (one line) to the child and read its stderr until ANSWERED(line) gives
        something. No answer within TIMEOUT closes the engine (TTSError SILENT); the child gone
        before answering is STOPPED(); a pipe that cannot be written is CANNOT_SEND()."""
        assert self._process is not None and self._stderr is not None and self._process.stdin is not None
        try:
            self._process.stdin.write(request)
            self._process.stdin.flush()
        except (OSError, ValueError):  # ValueError: the pipe was closed here (the engine closed at exit)
            raise cannot_send() from None
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._stderr.next(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                self.close()
                raise TTSError(silent) from None
            if line is None:
                raise stopped()
            answer = answered(line)
            if answer is not None:
                return answer

    def _spawn(self, command: list[str]) -> None:
        """Starts the child: lines of text in on stdin, its answers read from stderr."""
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            encoding="utf-8",
        )
        self._stderr = _StderrLines(self._process.stderr)  # type: ignore[arg-type]

    def process_ids(self) -> list[int]:
        return [self._process.pid] if self._process and self._process.poll() is None else []

    def close(self) -> None:
        if self._process is not None:
            _stop_child(self._process)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


class _PiperEngine(_ChildProcessEngine):
    """piper's own command line as a child process: one line of text in, one WAV file out."""

    def __init__(self, voice: Voice):
        self.voice = voice
        self.identity = f"piper-tts 1.8.0 {PIPER_MODEL_SHA256[PIPER_VOICES[voice.name][2] + '.onnx'][:16]}"
        self._process: subprocess.Popen | None = None
        self._stderr: _StderrLines | None = None
        self._folder: Path | None = None

    def start(self) -> None:
        problem = voice_problem(self.voice)
        if problem:
            raise TTSError(problem)
        model, config = piper_model_files(self.voice.name)
        self._folder = Path(tempfile.mkdtemp(prefix="sparring-piper-"))
        command = [
            sys.executable,
            "-m",
            "piper",
            "--model",
            str(model),
            "--config",
            str(config),
            "--output-dir",
            str(self._folder),
            "--output-dir-naming",
            "timestamp",
        ]
        if self.voice.pace:
            command += ["--length-scale", f"{1 / self.voice.pace:.4f}"]
        # The child loads the model while this process checks the files' hashes.
        self._spawn(command)
        for path in (model, config):
            if file_sha256(path) != PIPER_MODEL_SHA256[path.name]:
                self.close()
                raise TTSError(
                    f"voice '{self.voice}': {path} does not match the pinned SHA-256 (corrupt or "
                    "replaced); reinstall with `bash setup.sh`"
                )
        # A first line proves the model loaded and warms onnxruntime up.
        self._request("Ready.", LOAD_TIMEOUT_SECONDS)

    def speak(self, text: str) -> Audio:
        return self._request(text, CHUNK_TIMEOUT_SECONDS)

    def _request(self, text: str, timeout: float) -> Audio:
        def wrote(line: str) -> Audio | None:
            written = re.search(r"Wrote (.+\.wav)$", line)
            if not written:
                return None
            path = Path(written.group(1))
            audio = Audio.load_wav(path)
            path.unlink(missing_ok=True)
            return audio

        return self._converse(
            " ".join(text.split()) + "\n",
            wrote,
            timeout,
            silent=f"voice '{self.voice}': piper gave no audio within {timeout:.0f} s; "
            "try again, or choose another voice with --voice",
            stopped=self._died,
            cannot_send=self._died,
        )

    def _died(self) -> TTSError:
        assert self._process is not None and self._stderr is not None
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
        # Drain what is left for the message.
        try:
            while self._stderr.next(0.5) is not None:
                pass
        except TimeoutError:
            pass
        return TTSError(
            f"voice '{self.voice}': piper stopped ({self._stderr.last_words()}); "
            "run `bash setup.sh`, or choose another voice with --voice"
        )


class _FestivalEngine(_ChildProcessEngine):
    """`festival --pipe` as a child process: one Scheme request per chunk, a marker on stderr when done.

    Festival buffers its stdout when it is a pipe, so the marker goes to stderr, which it does not.
    """

    def __init__(self, voice: Voice):
        self.voice = voice
        self.identity = f"festival {FESTIVAL_VOICES[voice.name]}"
        self._process: subprocess.Popen | None = None
        self._stderr: _StderrLines | None = None
        self._folder: Path | None = None
        self._requests = 0

    def start(self) -> None:
        problem = voice_problem(self.voice)
        if problem:
            raise TTSError(problem)
        self._folder = Path(tempfile.mkdtemp(prefix="sparring-festival-"))
        self._spawn(["festival", "--pipe"])
        self._send(f"({FESTIVAL_VOICES[self.voice.name]})", LOAD_TIMEOUT_SECONDS)

    def speak(self, text: str) -> Audio:
        assert self._folder is not None
        self._requests += 1
        path = self._folder / f"chunk-{self._requests}.wav"
        quoted = " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')
        self._send(
            f'(utt.save.wave (utt.synth (Utterance Text "{quoted}")) "{path}" (quote riff))', CHUNK_TIMEOUT_SECONDS
        )
        audio = Audio.load_wav(path)
        path.unlink(missing_ok=True)
        return audio

    def _send(self, expression: str, timeout: float) -> None:
        marker = f"SPARRING-DONE-{self._requests}"

        def done(line: str) -> bool | None:
            if line.strip() == marker:
                return True
            if "SIOD ERROR" in line or "unbound variable" in line:
                raise TTSError(
                    f"voice '{self.voice}': festival failed ({line.strip()}); run `bash setup.sh` "
                    "(installs festvox-us-slt-hts)"
                )
            return None

        def stopped() -> TTSError:
            assert self._stderr is not None
            return TTSError(
                f"voice '{self.voice}': festival stopped ({self._stderr.last_words()}); run `bash setup.sh`"
            )

        self._converse(
            f'(begin {expression} (format stderr "{marker}\\n"))\n',
            done,
            timeout,
            silent=f"voice '{self.voice}': festival gave no audio within {timeout:.0f} s; choose another voice with --voice",
            stopped=stopped,
            cannot_send=lambda: TTSError(f"voice '{self.voice}': festival stopped; run `bash setup.sh`"),
        )


class _EspeakEngine:
    """espeak-ng, one short process per chunk (it starts in milliseconds; nothing to keep alive)."""

    def __init__(self, voice: Voice):
        self.voice = voice
        self.identity = "espeak-ng"
        self._command: list[str] = []

    def start(self) -> None:
        program = shutil.which("espeak-ng")
        if program is None:
            raise TTSError(f"voice '{self.voice}' needs espeak-ng; run `bash setup.sh` (or apt-get install espeak-ng)")
        version = subprocess.run([program, "--version"], check=False, capture_output=True, text=True).stdout.strip()
        self.identity = version.split(" Data at:")[0] or "espeak-ng"
        self._command = [program, "--stdout", "-v", self.voice.name]
        if self.voice.pitch is not None:
            self._command += ["-p", str(self.voice.pitch)]
        if self.voice.words_per_minute is not None:
            self._command += ["-s", str(self.voice.words_per_minute)]
        self.speak("Ready.")  # an unknown voice name shows up here, not mid-call

    def speak(self, text: str) -> Audio:
        # Text on stdin: a line starting with '-' must not be read as an option.
        try:
            done = subprocess.run(
                self._command,
                input=" ".join(text.split()).encode(),
                capture_output=True,
                check=False,
                timeout=CHUNK_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            raise TTSError(
                f"voice '{self.voice}': espeak-ng gave no audio within {CHUNK_TIMEOUT_SECONDS:.0f} s"
            ) from None
        message = done.stderr.decode(errors="replace").strip()
        if done.returncode != 0 or not done.stdout:
            if "voice does not exist" in message:
                raise VoiceSpecError(
                    f"voice '{self.voice}': espeak-ng has no voice '{self.voice.name}'; "
                    "list them with `espeak-ng --voices` (variants: `--voices=variant`)"
                )
            raise TTSError(f"voice '{self.voice}': espeak-ng failed ({message or f'exit {done.returncode}'})")
        return Audio.from_wav_bytes(done.stdout, "espeak-ng")

    def process_ids(self) -> list[int]:
        return []

    def close(self) -> None:
        return None


def _engine_for(voice: Voice) -> _Engine:
    if voice.engine == "piper":
        return _PiperEngine(voice)
    if voice.engine == "festival":
        return _FestivalEngine(voice)
    return _EspeakEngine(voice)
