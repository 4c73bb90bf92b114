"""Worker → master handoff: one AF_UNIX datagram socketpair made by the master before the first fork.
Workers inherit the sending end and send small JSON datagrams without blocking; the master's sampler
drains the receiving end. No files, nothing on the request path."""
import json
import socket

# Bigger than any message a worker builds (stats are chunked well below this).
MAX_DATAGRAM = 256 * 1024
_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)


class Channel(object):
    def __init__(self):
        self.receiver, self.sender = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.receiver.setblocking(False)
        self.sender.setblocking(False)

    def close_receiver(self):
        """In a worker: only the master reads."""
        try:
            self.receiver.close()
        except OSError:
            pass

    def close(self):
        self.close_receiver()
        try:
            self.sender.close()
        except OSError:
            pass


def send(sock, message):
    """True when the datagram left; False (never an exception) when the master's queue is full or gone."""
    try:
        data = json.dumps(message, separators=(",", ":")).encode("utf-8")
        sock.send(data, _DONTWAIT)
        return True
    except (OSError, ValueError, TypeError):
        return False


def drain(sock, limit=10000):
    """Every datagram waiting on the receiving end, decoded; garbage is skipped."""
    messages = []
    while len(messages) < limit:
        try:
            data = sock.recv(MAX_DATAGRAM)
        except (BlockingIOError, InterruptedError):
            break
        except OSError:
            break
        try:
            message = json.loads(data.decode("utf-8"))
        except ValueError:
            continue
        if isinstance(message, dict):
            messages.append(message)
    return messages
