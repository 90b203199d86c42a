# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile HTTP servers on 127.0.0.1, for the transport's unit tests and the reliability suite.

A HostileServer is one thread that answers one connection at a time with one of the answers below, each bounded
(a drip stops after DRIP_LIMIT bytes, a stream after its size, all of them as soon as the client has gone or the
server is stopped), and is joined when the `with` block ends.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib

DRIP_INTERVAL = 0.05
DRIP_LIMIT = 200  # bytes: a drip lasts at most 10 s, whatever the client does


class HostileServer:
    """Accepts connections on 127.0.0.1 and answers each with `answer(connection, stop)` once the request is in."""

    def __init__(self, answer, drip_interval: float = DRIP_INTERVAL):
        self.answer = answer
        self.drip_interval = drip_interval
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join(15)
        self.listener.close()

    def _serve(self):
        while not self.stop.is_set():
            try:
                connection, _address = self.listener.accept()
            except socket.timeout:
                continue
            self.connections += 1
            with connection:
                connection.settimeout(5)
                try:
                    # One read: a request of these tests fits in it, and a TLS ClientHello (sent to plain_ok) gets
                    # its answer at once.
                    connection.recv(65536)
                    self.answer(self, connection)
                except OSError:
                    pass  # the client went away: that is what the tests make it do

    def drip(self, connection, data: bytes):
        for byte in data[:DRIP_LIMIT]:
            if self.stop.is_set():
                return
            connection.sendall(bytes([byte]))
            time.sleep(self.drip_interval)


def drip_headers(server, connection):
    server.drip(connection, b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * DRIP_LIMIT + b"\r\n\r\n")


def drip_tls_handshake(server, connection):
    """A ServerHello record header announcing 80 bytes, then those bytes one at a time."""
    server.drip(connection, b"\x16\x03\x03\x00\x50" + b"\x02" * 80)


def drip_body(server, connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 1000\r\n\r\n")
    server.drip(connection, b"<ListCnameResult>" + b" " * 983)


def huge_announced(server, connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n" % (200 * 1024 * 1024))
    connection.sendall(b"<ListCnameResult>")


def huge_stream(size: int):
    """An answer without Content-Length: `size` bytes of body until the connection closes (or the client goes)."""

    def answer(server, connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close\r\n\r\n")
        block = b" " * 65536
        for _block in range(size // len(block)):
            if server.stop.is_set():
                return
            connection.sendall(block)

    return answer


def gzip_of_zeros(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    return b"".join([compressor.compress(block) for _block in range(size // len(block))] + [compressor.flush()])


def gzip_answer(body: bytes):
    def answer(server, connection):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
        connection.sendall(head + body)

    return answer


def small_gzip(server, connection):
    gzip_answer(gzip.compress(b"<ListCnameResult/>"))(server, connection)


def plain_ok(server, connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
