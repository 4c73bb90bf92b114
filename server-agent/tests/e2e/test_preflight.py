"""launcher/preflight.py, the probe `gunicorn-live run` asks before starting anything: run as the CLI runs it
(the interpreter with Gunicorn, the launch folder as cwd) on the real Gunicorn, and its config reader alone."""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

from tests.gunicorn_run import AGENT_ROOT, APPS

PROBE = os.path.join(AGENT_ROOT, "launcher", "preflight.py")
_spec = importlib.util.spec_from_file_location("gunicorn_live_preflight", PROBE)
preflight = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(preflight)


def probe(args, cwd, env=None):
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "GUNICORN_CMD_ARGS")}
    clean.update(env or {})
    r = subprocess.run([sys.executable, PROBE] + list(args), check=False, cwd=cwd, env=clean, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().split("\n")
    assert len(lines) == 1, r.stdout
    return json.loads(lines[0])


class PreflightProbeTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="gl-preflight-")
        self.addCleanup(self.dir.cleanup)
        self.cwd = os.path.realpath(self.dir.name)

    def write_config(self, text, name="gunicorn.conf.py"):
        with open(os.path.join(self.cwd, name), "w") as f:
            f.write(text)
        return os.path.join(self.cwd, name)

    def test_arguments_as_gunicorn_reads_them(self):
        report = probe(["-w", "2", "--bi=127.0.0.1:9001", "-b[::1]:9002", "--chdir", APPS, "app:app"], self.cwd)
        self.assertEqual(report["app"], "app:app")
        self.assertEqual(report["binds"], [
            {"bind": "127.0.0.1:9001", "source": "command line", "host": "127.0.0.1", "port": 9001},
            {"bind": "[::1]:9002", "source": "command line", "host": "::1", "port": 9002},
        ])
        self.assertIsNone(report["module"], "app is found in --chdir")
        self.assertEqual(report["config"], None)
        self.assertEqual(probe(["--bogus", "app:app"], self.cwd), {"error": "unrecognized arguments: --bogus"})
        self.assertEqual(probe(["-h"], self.cwd), {"passthrough": True})

    def test_no_bind_anywhere_is_gunicorns_default(self):
        self.assertEqual(probe(["app:app"], self.cwd)["binds"],
                         [{"bind": "127.0.0.1:8000", "source": "default", "host": "127.0.0.1", "port": 8000}])
        report = probe(["app:app"], self.cwd, {"PORT": "5123"})
        self.assertEqual(report["binds"], [{"bind": "0.0.0.0:5123", "source": "default", "host": "0.0.0.0", "port": 5123}])
        self.assertEqual(report["portVar"], "5123")

    def test_binds_rank_as_in_gunicorn_command_line_then_environment_then_config(self):
        self.write_config('bind = ["127.0.0.1:7001", "unix:/tmp/gl.sock"]\nworkers = 2\n')
        self.assertEqual(probe(["app:app"], self.cwd)["binds"], [
            {"bind": "127.0.0.1:7001", "source": "config", "host": "127.0.0.1", "port": 7001},
            {"bind": "unix:/tmp/gl.sock", "source": "config"},
        ])
        from_env = probe(["app:app"], self.cwd, {"GUNICORN_CMD_ARGS": "--bind 127.0.0.1:7002"})["binds"]
        self.assertEqual([(b["bind"], b["source"]) for b in from_env], [("127.0.0.1:7002", "GUNICORN_CMD_ARGS")])
        given = probe(["-b", "127.0.0.1:7003", "app:app"], self.cwd, {"GUNICORN_CMD_ARGS": "--bind 127.0.0.1:7002"})["binds"]
        self.assertEqual([(b["bind"], b["source"]) for b in given], [("127.0.0.1:7003", "command line")])

    def test_a_config_named_with_c_counts_and_one_that_sets_no_bind_leaves_the_default(self):
        path = self.write_config('bind = "127.0.0.1:7004"\n', "my.conf.py")
        report = probe(["-c", "my.conf.py", "app:app"], self.cwd)
        self.assertEqual(report["config"]["path"], path)
        self.assertEqual([(b["bind"], b["source"]) for b in report["binds"]], [("127.0.0.1:7004", "config")])
        self.write_config("workers = 3\n")
        self.assertEqual([b["source"] for b in probe(["app:app"], self.cwd)["binds"]], ["default"])

    def test_a_bind_only_running_the_config_could_tell_is_left_out(self):
        self.write_config('import os\nbind = "127.0.0.1:%s" % os.environ["APP_PORT"]\n')
        self.assertNotIn("binds", probe(["app:app"], self.cwd))
        self.assertNotIn("binds", probe(["-c", "python:somewhere.conf", "app:app"], self.cwd))
        # ...unless the command line decides anyway.
        self.assertEqual(len(probe(["--bind", "127.0.0.1:7005", "app:app"], self.cwd)["binds"]), 1)

    def test_a_missing_app_module_with_a_hint(self):
        with open(os.path.join(self.cwd, "web.py"), "w") as f:
            f.write("app = None\n")
        report = probe(["web.py"], self.cwd)
        self.assertEqual(report["module"], {"name": "web.py", "missing": "web.py", "dirs": [self.cwd], "hint": "web:application"})
        self.assertIsNone(probe(["web:app"], self.cwd)["module"])


class ConfigBindTest(unittest.TestCase):
    def test_literal_binds_are_read_without_running_the_file(self):
        read = preflight.bind_in_config
        self.assertEqual(read('bind = "127.0.0.1:1"\n'), ["127.0.0.1:1"])
        self.assertEqual(read("bind = ('a:1', 'b:2')\nworkers = 2\n"), ["a:1", "b:2"])
        self.assertEqual(read("workers = 2\n"), [])
        self.assertEqual(read("def on_starting(server):\n    server.log.info('bind')\n"), [])

    def test_anything_else_is_unknown(self):
        read = preflight.bind_in_config
        for text in ('bind = ["a:%d" % 1]\n', 'if X:\n    bind = "a:1"\n', 'bind = "a:1"\nbind = "b:2"\n',
                     "from settings import bind\n", "bind = 8000\n", "bind = [\n", 'bind: str = "a:1"\n'):
            self.assertIsNone(read(text), text)


if __name__ == "__main__":
    unittest.main()
