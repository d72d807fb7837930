"""The one error speech recognition raises: a line for the user naming the file or model and what to do."""


class TranscriptionError(Exception):
    """One line for the user: which file or model, what went wrong, what to do."""
