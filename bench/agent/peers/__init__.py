"""--peers: the tools gunicorn-live replaces, measured side by side with it (see peers/run.py)."""
