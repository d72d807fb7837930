"""Coaching: the figures of a call, the skills a rep works on, and the debrief built from them."""
