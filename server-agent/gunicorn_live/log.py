"""The agent's own logger: one line per fact, never a traceback flood into Gunicorn's log."""
import logging
import sys

logger = logging.getLogger("gunicorn_live")

if not logger.handlers:
    # Own handler: the agent logs before Gunicorn has configured its loggers (while the config file
    # loads), and must not depend on the user's logging setup to be heard.
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter(
        "[%(asctime)s] [%(process)d] [gunicorn-live] %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S %z"))
    logger.addHandler(_handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

_said = set()


def once(key, message, *args, exc_info=False, level=logging.WARNING):
    """Logs `message` the first time `key` is seen in this process; later calls are silent."""
    if key in _said:
        return
    _said.add(key)
    try:
        logger.log(level, message, *args, exc_info=exc_info)
    except Exception:  # logging must never break a hook
        pass


def forget_after_fork():
    """A worker reports its own problems once, even if the master already said the same."""
    _said.clear()
