"""Sparring: rehearse customer calls in the terminal.

Importing this package is cheap on purpose; spaCy, torch and Whisper load only when a
command needs them.
"""
