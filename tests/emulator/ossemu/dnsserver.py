# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny authoritative DNS responder over UDP (standard library only), so that an ACME test server asks the emulator.

Every name answers A with one address (127.0.0.1: the emulator and its bound domains are local), AAAA with no record
(so HTTP-01 uses the A address), and TXT with what a callable returns for the name: the emulator's own DNS records,
so a TXT record written through the emulator (its control endpoint, or its DNS API) is what the validator sees.
Other types answer with no record. Enough for Pebble's `-dnsserver`; not a general DNS server (no TCP, no EDNS).

    with DnsResponder(lambda name: ["value"]) as dns:
        pebble -dnsserver 127.0.0.1:<dns.port>
"""

import socket
import struct
import threading

TYPE_A = 1
TYPE_TXT = 16
TYPE_AAAA = 28
CLASS_IN = 1
RCODE_FORMERR = 1
RCODE_NOTIMP = 4
TTL_SECONDS = 0  # a validator that asks again must see the records as they are now
MAX_UDP_ANSWER = 512


class DnsQuery:
    """The parts of a query the answer repeats: id, flags, the question's wire bytes, its name and type."""

    def __init__(self, packet):
        if len(packet) < 12:
            raise ValueError("shorter than a DNS header")
        self.id, self.flags, qdcount = struct.unpack("!HHH", packet[:6])
        if qdcount != 1:
            raise ValueError("not exactly one question")
        labels, offset = [], 12
        while True:
            if offset >= len(packet):
                raise ValueError("name runs past the packet")
            length = packet[offset]
            offset += 1
            if length == 0:
                break
            if length & 0xC0:
                raise ValueError("compressed name in a question")
            labels.append(packet[offset : offset + length].decode("ascii", "replace"))
            offset += length
        if offset + 4 > len(packet):
            raise ValueError("question without type and class")
        self.qtype, self.qclass = struct.unpack("!HH", packet[offset : offset + 4])
        self.question = packet[12 : offset + 4]
        self.name = ".".join(labels).lower()

    @property
    def opcode(self):
        return (self.flags >> 11) & 0xF


def txt_rdata(value):
    """A TXT value as character-strings of at most 255 bytes each (one long value, split as DNS requires)."""
    data = value.encode("utf-8")
    chunks = [data[index : index + 255] for index in range(0, len(data), 255)] or [b""]
    return b"".join(bytes([len(chunk)]) + chunk for chunk in chunks)


def answer(packet, txt_values, ipv4="127.0.0.1"):
    """The answer to one query packet, or None for a packet too broken to answer."""
    try:
        query = DnsQuery(packet)
    except ValueError:
        if len(packet) < 2:
            return None
        return _header(struct.unpack("!H", packet[:2])[0], 0, RCODE_FORMERR, 0, 0)
    if query.opcode != 0:
        return _header(query.id, query.flags, RCODE_NOTIMP, 1, 0) + query.question
    records = _records(query, txt_values, ipv4) if query.qclass == CLASS_IN else []
    body = b""
    count = 0
    for rtype, rdata in records:
        # The name is a pointer to the question's name at offset 12.
        record = struct.pack("!HHHIH", 0xC00C, rtype, CLASS_IN, TTL_SECONDS, len(rdata)) + rdata
        if 12 + len(query.question) + len(body) + len(record) > MAX_UDP_ANSWER:
            break
        body += record
        count += 1
    return _header(query.id, query.flags, 0, 1, count) + query.question + body


def _records(query, txt_values, ipv4):
    if query.qtype == TYPE_A:
        return [(TYPE_A, socket.inet_aton(ipv4))]
    if query.qtype == TYPE_TXT:
        return [(TYPE_TXT, txt_rdata(value)) for value in txt_values(query.name)]
    return []


def _header(query_id, query_flags, rcode, qdcount, ancount):
    # QR (answer), AA (authoritative), RD copied from the query, RA (the client need not look elsewhere).
    flags = 0x8000 | 0x0400 | (query_flags & 0x0100) | 0x0080 | (query_flags & 0x7800) | rcode
    return struct.pack("!HHHHHH", query_id, flags, qdcount, ancount, 0, 0)


class DnsResponder:
    """answer() on a UDP socket in a background thread. txt_values(name) -> list of str, name lower-case, no final dot."""

    def __init__(self, txt_values, host="127.0.0.1", port=0, ipv4="127.0.0.1"):
        self.txt_values = txt_values
        self.ipv4 = ipv4
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind((host, port))
        self._socket.settimeout(0.1)  # so that stop() is noticed quickly
        self._stopped = threading.Event()
        self._thread = None
        self.txt_queries = []  # the names of the TXT queries answered, for tests

    @property
    def port(self):
        return self._socket.getsockname()[1]

    def start(self):
        self._thread = threading.Thread(target=self._serve, name="ossemu-dns", daemon=True)
        self._thread.start()
        return self.port

    def stop(self):
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._socket.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _serve(self):
        while not self._stopped.is_set():
            try:
                packet, peer = self._socket.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                reply = answer(packet, self._lookup, self.ipv4)
            except Exception:  # pylint: disable=broad-except
                reply = None  # one bad packet must not end the responder
            if reply is not None:
                self._socket.sendto(reply, peer)

    def _lookup(self, name):
        self.txt_queries.append(name)
        return list(self.txt_values(name))


def emulator_txt_values(core):
    """The callable that reads the emulator's TXT records (state.txt_values) under the state lock."""

    def txt_values(name):
        with core.state.lock:
            return core.state.txt_values(name)

    return txt_values
