"""The app's screens, one a file: start, call, debrief, history."""
