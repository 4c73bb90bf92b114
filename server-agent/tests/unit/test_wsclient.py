"""The stdlib WebSocket client against a stdlib WebSocket server written for the tests."""
import json
import time
import unittest

from gunicorn_live import wsclient
from gunicorn_live.wsclient import ConnectionClosed, HandshakeError, WebSocketClient
from tests.gunicorn_run import free_port
from tests.wsserver import TestHub, server_frame


class FramingTest(unittest.TestCase):
    def test_mask_is_an_involution_and_matches_bytewise_xor(self):
        key = b"\x01\x02\x03\xf0"
        payload = bytes(range(256)) * 3 + b"xyz"
        masked = wsclient.mask(payload, key)
        self.assertEqual(masked, bytes(b ^ key[i % 4] for i, b in enumerate(payload)))
        self.assertEqual(wsclient.mask(masked, key), payload)
        self.assertEqual(wsclient.mask(b"", key), b"")

    def test_length_encodings(self):
        for n, header_len in ((0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10)):
            frame = wsclient.encode_frame(wsclient.OP_TEXT, b"a" * n, key=b"\0\0\0\0")
            self.assertEqual(len(frame), header_len + 4 + n)
            self.assertEqual(frame[1] & 0x80, 0x80)  # client frames are always masked

    def test_accept_key_from_rfc6455(self):
        self.assertEqual(wsclient.accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")

    def test_urls(self):
        self.assertEqual(wsclient.parse_url("ws://127.0.0.1:8765/ws/agent"), ("127.0.0.1", 8765, "/ws/agent"))
        self.assertEqual(wsclient.parse_url("ws://h/ws?token=x"), ("h", 80, "/ws?token=x"))
        with self.assertRaises(ValueError):
            wsclient.parse_url("http://h/ws")


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.hub = TestHub(token="s3cret", check_frames=False)  # messages here are not protocol frames
        self.addCleanup(self.hub.close)

    def connect(self, token="s3cret"):
        ws = WebSocketClient.connect(self.hub.url, token, timeout=5)
        self.addCleanup(ws.abort)
        return ws, self.hub.wait_connections(len(self.hub.connections) or 1)

    def test_handshake_sends_the_bearer_token_and_masked_text(self):
        ws, conn = self.connect()
        self.assertEqual(conn.headers["authorization"], "Bearer s3cret")
        ws.send_text(json.dumps({"type": "hello", "ü": "x" * 70000}))
        _, message = self.hub.next()
        self.assertEqual(message["ü"], "x" * 70000)
        self.assertEqual(conn.unmasked, 0)

    def test_wrong_token_is_a_401_handshake_error(self):
        with self.assertRaises(HandshakeError) as caught:
            WebSocketClient.connect(self.hub.url, "wrong", timeout=5)
        self.assertEqual(caught.exception.status, 401)
        self.assertEqual(self.hub.refused, 1)

    def test_ping_is_answered_with_pong_while_waiting_for_messages(self):
        ws, conn = self.connect()
        conn.ping(b"are you there")
        conn.send_text("after the ping")
        self.assertEqual(ws.recv(timeout=5), "after the ping")
        deadline = time.monotonic() + 5
        while not conn.pongs and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual(conn.pongs, [b"are you there"])

    def test_fragmented_message_with_a_ping_in_between(self):
        ws, conn = self.connect()
        conn.send_raw(server_frame(0x1, b'{"type":"com', fin=False) + server_frame(0x9, b"p") +
                      server_frame(0x0, b'mand","id":', fin=False) + server_frame(0x0, b'"c1"}', fin=True))
        self.assertEqual(json.loads(ws.recv(timeout=5)), {"type": "command", "id": "c1"})
        conn.send_text("é" * 3000, fragments=7)
        self.assertEqual(ws.recv(timeout=5), "é" * 3000)

    def test_timeout_keeps_a_partial_frame(self):
        ws, conn = self.connect()
        frame = server_frame(0x1, b"split across a timeout")
        conn.send_raw(frame[:5])
        self.assertIsNone(ws.recv(timeout=0.2))
        conn.send_raw(frame[5:])
        self.assertEqual(ws.recv(timeout=5), "split across a timeout")

    def test_server_close_is_answered_and_raised(self):
        ws, conn = self.connect()
        conn.close(4003, "invalid frame")
        with self.assertRaises(ConnectionClosed) as caught:
            ws.recv(timeout=5)
        self.assertEqual((caught.exception.code, caught.exception.reason), (4003, "invalid frame"))
        self.assertTrue(conn.closed.wait(5))

    def test_client_close_handshake(self):
        ws, conn = self.connect()
        ws.close(1001, "bye")
        self.assertTrue(conn.closed.wait(5))
        self.assertEqual(conn.close_code, 1001)
        self.assertTrue(ws.closed)

    def test_a_masked_server_frame_is_a_protocol_error(self):
        ws, conn = self.connect()
        conn.send_raw(bytes([0x81, 0x80 | 2]) + b"\0\0\0\0" + b"hi")
        with self.assertRaises(ConnectionClosed) as caught:
            ws.recv(timeout=5)
        self.assertEqual(caught.exception.code, 1002)

    def test_lost_connection(self):
        ws, conn = self.connect()
        conn.drop()
        with self.assertRaises((ConnectionClosed, OSError)):
            ws.recv(timeout=5)

    def test_connection_refused_is_an_oserror(self):
        port = free_port()
        with self.assertRaises(OSError):
            WebSocketClient.connect("ws://127.0.0.1:%d/ws/agent" % port, "t", timeout=2)
