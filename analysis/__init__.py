"""Transcription, NLP metrics and the coaching debrief.

Never imports Textual or `simulator`: the analysis runs the same from the app, the command
line and the benchmarks. spaCy loads only when an `Analyzer` is created.
"""
