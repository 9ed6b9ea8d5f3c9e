"""Code metrics of a change: cyclomatic complexity (radon, lizard) and definition spans."""
