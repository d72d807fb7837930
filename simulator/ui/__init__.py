"""The Textual app: screens, widgets, and the messages that carry work from threads to the screen."""
