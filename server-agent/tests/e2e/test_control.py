"""Commands from the hub on the real Gunicorn 20.1.0: each allowed signal is acked and does what Gunicorn
does with it; anything else is refused by the agent, whatever the hub sent."""
import json
import unittest

from tests.gunicorn_run import get, wait_until
from tests.live import Session


def gone(pid):
    """Exited (a zombie waiting for a reaper counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


class ControlTest(unittest.TestCase):
    def test_every_allowed_signal_is_acked_and_obeyed(self):
        s = Session(self, ["-w", "2", "--graceful-timeout", "3"])
        s.live_sample(2)

        self.assertEqual(s.command("c1", "USR1"), {"type": "ack", "id": "c1", "ok": True})
        self.assertEqual(s.event(lambda e: e["type"] == "signal")["signal"], "SIGUSR1")

        self.assertTrue(s.command("c2", "TTIN")["ok"])
        grown = s.sample(lambda m: m["targetWorkers"] == 3 and len(m["workers"]) == 3)
        self.assertTrue(s.check_workers(grown) or s.sample(lambda m: s.check_workers(m)))

        self.assertTrue(s.command("c3", "TTOU")["ok"])
        self.assertEqual(s.event(lambda e: e["type"] == "worker_exit")["reason"], "scale_down")
        s.sample(lambda m: m["targetWorkers"] == 2 and len(m["workers"]) == 2)

        before = set(w["pid"] for w in s.sample()["workers"])
        self.assertTrue(s.command("c4", "HUP")["ok"])
        self.assertEqual(set(e["reason"] for e in s.exits_of(before).values()), {"reload"})
        self.assertEqual(s.sample(lambda m: m["reloads"] == 1)["targetWorkers"], 2)

        # USR2: a new master (a child of this one) starts with its own agent and says hello.
        self.assertTrue(s.command("c5", "USR2")["ok"])
        new_conn, new_hello = s.next(lambda m: m["type"] == "hello" and m["server"]["masterPid"] != s.master,
                                     timeout=30)
        new_master = new_hello["server"]["masterPid"]
        self.assertEqual(new_hello["server"]["bind"], s.hello["server"]["bind"])
        self.assertEqual(get(s.port, "/")[0], 200)

        # TERM: the old master stops gracefully; the new one carries on.
        self.assertTrue(s.command("c6", "TERM")["ok"])
        self.assertEqual(s.proc.wait(30), 0)
        self.assertFalse(gone(new_master))
        self.assertEqual(get(s.port, "/")[0], 200)

        # QUIT to the new master, through its own connection: it stops too.
        self.assertTrue(s.command("c7", "QUIT", conn=new_conn)["ok"])
        self.assertTrue(wait_until(lambda: gone(new_master), 30))
        # Each signal the masters received was an event (SIGCHLD, one per worker exit, aside).
        def received(conn):
            messages = [json.loads(text) for text in list(conn.messages)]
            return [m["event"]["signal"] for m in messages if m["type"] == "event" and
                    m["event"]["type"] == "signal" and m["event"]["signal"] != "SIGCHLD"]
        self.assertTrue(s.conn.closed.wait(20))
        self.assertEqual(received(s.conn), ["SIGUSR1", "SIGTTIN", "SIGTTOU", "SIGHUP", "SIGUSR2", "SIGTERM"])
        self.assertTrue(new_conn.closed.wait(20))   # everything the new master sent has been read
        self.assertEqual(received(new_conn), ["SIGQUIT"])

    def test_anything_else_is_refused(self):
        s = Session(self, ["-w", "1"])
        refused = []
        for i, (command, signal) in enumerate((("signal", "KILL"), ("signal", "SIGHUP"), ("signal", "STOP"),
                                               ("exec", "HUP"), ("signal", None))):
            s.conn.send_text(json.dumps({"type": "command", "id": "r%d" % i, "command": command, "signal": signal}))
            refused.append(s.next(lambda m: m["type"] == "ack")[1])
        self.assertEqual([(a["id"], a["ok"]) for a in refused], [("r%d" % i, False) for i in range(5)])
        self.assertTrue(all(a["error"] for a in refused))
        # Still serving, with the same workers: nothing was signalled.
        self.assertEqual(get(s.port, "/")[0], 200)
        self.assertFalse([m for m in s.frames if m["type"] == "event" and m["event"]["type"] == "signal"])
