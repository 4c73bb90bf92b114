"""gunicorn-live: live Gunicorn worker telemetry, sent to a gunicorn-live hub over one WebSocket."""
__version__ = "0.1.0"

from .instrumentor import GunicornInstrumentor  # noqa: E402

__all__ = ["GunicornInstrumentor", "__version__"]
