"""GunicornInstrumentor: the public switch, usable from the -c shim or from a user's own
gunicorn.conf.py. It never raises into Gunicorn: problems are one log line and an inert agent."""
import logging

from . import arbiter, hooks, settings as settings_module
from .log import logger, once


class GunicornInstrumentor(object):
    def instrument(self, **kwargs):
        """Wires the agent into Gunicorn's hooks (idempotent; a HUP re-reading the config is fine)."""
        try:
            settings = settings_module.from_env()
            if not settings.enabled:
                once("inert", "GUNICORN_LIVE_URL is not set; gunicorn-live stays inert", level=logging.INFO)
                return
            arbiter.configure(settings)
            hooks.install()
        except Exception:
            logger.warning("gunicorn-live could not instrument Gunicorn; it stays inert", exc_info=True)

    def uninstrument(self, **kwargs):
        """Removes the hooks and, in a running master, stops the agent's threads and sockets."""
        try:
            hooks.uninstall()
            agent = arbiter.current()
            if agent is not None:
                agent.stop(drain_timeout=0.5)
            arbiter.configure(None)
        except Exception:
            logger.warning("gunicorn-live could not uninstrument cleanly", exc_info=True)

    @property
    def is_instrumented(self):
        return hooks.installed()
