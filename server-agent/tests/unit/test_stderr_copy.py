"""stderr_copy: a copy of what Gunicorn writes to stderr, first MAX_BYTES only, never failing a write."""
import io
import os
import sys
import tempfile
import unittest

from gunicorn_live import stderr_copy


class StderrCopyTest(unittest.TestCase):
    def setUp(self):
        self.real = sys.stderr
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "copy.txt")

    def tearDown(self):
        sys.stderr = self.real

    def read(self):
        with open(self.path, encoding="utf-8") as f:
            return f.read()

    def test_copies_what_goes_through_and_keeps_the_stream(self):
        sys.stderr = io.StringIO()
        wrapper = stderr_copy.install({stderr_copy.ENV_VAR: self.path})
        self.assertIs(sys.stderr, wrapper)
        sys.stderr.write("[ERROR] Connection in use: ('127.0.0.1', 8000)\n")
        print("Failed to find attribute 'app' in 'app'.", file=sys.stderr)
        self.assertEqual(wrapper.getvalue(), self.read())  # attributes reach the real stream
        self.assertEqual(self.read(), "[ERROR] Connection in use: ('127.0.0.1', 8000)\nFailed to find attribute 'app' in 'app'.\n")
        # Installing twice (USR2 re-exec runs the launcher again in a fresh process; here: same process) wraps once.
        self.assertIsNone(stderr_copy.install({stderr_copy.ENV_VAR: self.path}))

    def test_nothing_without_the_variable_or_with_a_file_it_cannot_open(self):
        self.assertIsNone(stderr_copy.install({}))
        self.assertIsNone(stderr_copy.install({stderr_copy.ENV_VAR: os.path.join(self.dir, "no", "such", "dir")}))
        self.assertIs(sys.stderr, self.real)

    def test_stops_copying_past_the_limit_but_still_writes_through(self):
        sys.stderr = io.StringIO()
        wrapper = stderr_copy.install({stderr_copy.ENV_VAR: self.path})
        line = "x" * 1023 + "\n"
        for _ in range(stderr_copy.MAX_BYTES // 1024 + 3):
            sys.stderr.write(line)
        self.assertEqual(len(self.read()), stderr_copy.MAX_BYTES)
        self.assertEqual(len(wrapper.getvalue()), (stderr_copy.MAX_BYTES // 1024 + 3) * 1024)


if __name__ == "__main__":
    unittest.main()
