"""The bundled demo app answers each endpoint as documented (called as WSGI, without a server)."""
import json
import unittest
from wsgiref.util import setup_testing_defaults

from demo import app as demo


def call(path):
    environ = {"PATH_INFO": path}
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers):
        seen["status"] = int(status.split()[0])
    body = b"".join(demo.app(environ, start_response))
    return seen["status"], body


class DemoAppTest(unittest.TestCase):
    def test_endpoints(self):
        status, body = call("/")
        self.assertEqual(status, 200)
        self.assertIn("/hang", json.loads(body))
        self.assertEqual(call("/fast"), (200, b"fast\n"))
        self.assertEqual(call("/items/42")[0], 200)
        self.assertEqual(call("/missing")[0], 404)
        self.assertEqual(call("/error")[0], 500)
        with self.assertRaises(RuntimeError):
            call("/raise")

    def test_memory_grows_by_a_mebibyte_and_is_released_at_the_cap(self):
        del demo._hoard[:]
        self.assertEqual(call("/memory"), (200, b"holding 1 MiB\n"))
        self.assertEqual(call("/memory"), (200, b"holding 2 MiB\n"))
        demo._hoard.extend([bytearray(1)] * (demo.MEMORY_CAP_MIB - 2))
        self.assertEqual(call("/memory"), (200, b"holding 1 MiB\n"))
        del demo._hoard[:]

    def test_slow_and_cpu_take_their_time(self):
        import time
        start = time.perf_counter()
        call("/slow")
        self.assertGreaterEqual(time.perf_counter() - start, 0.2)
        start = time.thread_time()
        call("/cpu")
        self.assertGreaterEqual(time.thread_time() - start, 0.05)
