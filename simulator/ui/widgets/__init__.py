"""Widgets the screens are built from: each owns its part of the screen and reports by messages."""
