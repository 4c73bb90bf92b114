"""Gunicorn alone: the baseline (run twice, plain and plain2, so the run shows its own noise floor)."""
from .base import Launch

NAME = "plain"
LABEL = "plain Gunicorn"
SETUP = "no instrumentation"


def launch(ctx):
    return Launch()
