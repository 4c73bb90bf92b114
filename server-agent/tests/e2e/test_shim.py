"""The -c shim on the real Gunicorn: the user's config, its hooks and the command line all still count."""
import os
import subprocess
import tempfile
import unittest

from tests.gunicorn_run import AGENT_ROOT, APPS, GUNICORN, SHIM


def print_config(extra_env, args=(), cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_LIVE_")}
    env.update(extra_env, PYTHONPATH=AGENT_ROOT)
    return subprocess.run([GUNICORN, "-c", SHIM, "--print-config", "--chdir", APPS] + list(args) + ["app:app"],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=30)


def settings(stdout):
    out = {}
    for line in stdout.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            out[name.strip()] = value.strip()
    return out


class ShimTest(unittest.TestCase):
    def test_user_config_settings_and_hooks_load_and_the_command_line_wins(self):
        run = print_config({"GUNICORN_LIVE_URL": "ws://127.0.0.1:9/ws/agent",
                            "GUNICORN_LIVE_USER_CONFIG": os.path.join(APPS, "user_conf.py")}, ["-w", "2"])
        self.assertEqual(run.returncode, 0, run.stderr)
        got = settings(run.stdout)
        self.assertEqual(got["workers"], "2")            # -w 2 beats the config's workers = 3
        self.assertEqual(got["timeout"], "30")
        self.assertEqual(got["graceful_timeout"], "3")
        self.assertEqual(got["post_fork"], "<post_fork()>")

    def test_default_gunicorn_conf_py_in_the_working_directory(self):
        with tempfile.TemporaryDirectory() as cwd:
            with open(os.path.join(cwd, "gunicorn.conf.py"), "w") as f:
                f.write("timeout = 17\n")
            run = print_config({"GUNICORN_LIVE_URL": "ws://127.0.0.1:9/ws/agent"}, cwd=cwd)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(settings(run.stdout)["timeout"], "17")

    def test_without_url_the_agent_is_inert_and_says_so_once(self):
        env = {"GUNICORN_LIVE_URL": ""}
        run = print_config(env)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stderr.count("GUNICORN_LIVE_URL is not set; gunicorn-live stays inert"), 1)

    def test_a_missing_user_config_is_one_clear_line(self):
        run = print_config({"GUNICORN_LIVE_USER_CONFIG": "/nonexistent/my.conf.py"})
        self.assertEqual(run.returncode, 1)
        self.assertEqual(run.stderr.strip(), "Error: '/nonexistent/my.conf.py' doesn't exist")
