"""Language: what each sentence of a turn does (questions, SPIN needs questions, pitches, paraphrases), by spaCy."""
