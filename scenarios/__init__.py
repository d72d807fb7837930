"""Built-in scenario files (YAML). A package only so that they ship inside the wheel."""
