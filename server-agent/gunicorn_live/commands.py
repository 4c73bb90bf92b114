"""Hub → agent commands. Only `signal` with an allow-listed signal is obeyed: the master signals itself,
exactly as if an operator had run `kill -HUP <master>`, and the hub gets an ack either way."""
import json
import os
import signal as signals

from . import frames

ALLOWED = frames.ALLOWED_SIGNALS


def handle(text, kill=os.kill, getpid=os.getpid):
    """The ack frame for one message from the hub, or None when it is not a command with a usable id."""
    try:
        message = json.loads(text)
    except ValueError:
        return None
    if not isinstance(message, dict) or message.get("type") != "command":
        return None
    command_id = message.get("id")
    if not isinstance(command_id, str) or not 1 <= len(command_id) <= 64:
        return None
    command = message.get("command")
    if command != "signal":
        return frames.ack(command_id, False, "unknown command %r; only 'signal' is supported" % (command,))
    name = message.get("signal")
    if not isinstance(name, str) or name not in ALLOWED:
        return frames.ack(command_id, False, "signal %s is not allowed (allowed: %s)" % (
            str(name)[:32], " ".join(ALLOWED)))
    try:
        kill(getpid(), getattr(signals, "SIG" + name))
    except OSError as e:
        return frames.ack(command_id, False, "could not send SIG%s to the master: %s" % (name, e.strerror or e))
    return frames.ack(command_id, True)
