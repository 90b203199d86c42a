# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's UDP DNS responder, asked with raw packets built here (no DNS library): A is 127.0.0.1, AAAA is empty,
TXT holds the emulator's records as they are at the moment of the query."""

import os
import socket
import struct
import subprocess
import sys
import time

import pytest

from ossemu.dnsserver import DnsResponder, answer, emulator_txt_values

TYPES = {"A": 1, "TXT": 16, "AAAA": 28, "CAA": 257}


def query_packet(name, qtype, query_id=0x1234, opcode=0):
    question = b"".join(bytes([len(label)]) + label.encode() for label in name.rstrip(".").split(".")) + b"\0"
    flags = 0x0100 | (opcode << 11)  # RD
    return struct.pack("!HHHHHH", query_id, flags, 1, 0, 0, 0) + question + struct.pack("!HH", TYPES.get(qtype, qtype), 1)


def parse_answer(packet):
    """(id, rcode, flags, [(type, rdata)]) of an answer whose records point back at the question's name."""
    query_id, flags, qdcount, ancount = struct.unpack("!HHHH", packet[:8])
    offset = 12
    for _question in range(qdcount):
        while packet[offset]:
            offset += packet[offset] + 1
        offset += 5
    records = []
    for _record in range(ancount):
        pointer, rtype, _rclass, ttl, length = struct.unpack("!HHHIH", packet[offset : offset + 12])
        assert pointer == 0xC00C and ttl == 0
        records.append((rtype, packet[offset + 12 : offset + 12 + length]))
        offset += 12 + length
    return query_id, flags & 0xF, flags, records


def txt_strings(rdata):
    strings, offset = [], 0
    while offset < len(rdata):
        strings.append(rdata[offset + 1 : offset + 1 + rdata[offset]])
        offset += 1 + rdata[offset]
    return b"".join(strings).decode()


def ask(port, name, qtype):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(query_packet(name, qtype), ("127.0.0.1", port))
        return parse_answer(sock.recvfrom(4096)[0])


@pytest.fixture
def dns(emulator):
    with DnsResponder(emulator_txt_values(emulator.core)) as responder:
        yield responder


def test_a_is_loopback_and_aaaa_is_empty(dns):
    query_id, rcode, flags, records = ask(dns.port, "www.example.com", "A")
    assert (query_id, rcode, records) == (0x1234, 0, [(1, socket.inet_aton("127.0.0.1"))])
    assert flags & 0x8000 and flags & 0x0400 and flags & 0x0100  # an authoritative answer, RD echoed
    assert ask(dns.port, "www.example.com", "AAAA")[1:4:2] == (0, [])
    assert ask(dns.port, "www.example.com", "CAA")[1:4:2] == (0, [])


def test_txt_follows_the_emulator_records_at_once(emulator, dns):
    assert ask(dns.port, "_acme-challenge.www.example.com", "TXT")[3] == []
    emulator.publish_txt("_acme-challenge.WWW.example.com.", "first-value")
    emulator.publish_txt("_acme-challenge.www.example.com", "second-value")
    records = ask(dns.port, "_ACME-challenge.www.example.com.", "TXT")[3]
    assert sorted(txt_strings(rdata) for _type, rdata in records) == ["first-value", "second-value"]
    emulator.remove_txt("_acme-challenge.www.example.com")
    assert ask(dns.port, "_acme-challenge.www.example.com", "TXT")[3] == []


def test_a_long_txt_value_is_split_into_character_strings():
    long_value = "x" * 300
    _id, _rcode, _flags, records = parse_answer(answer(query_packet("t.example.com", "TXT"), lambda name: [long_value]))
    rdata = records[0][1]
    assert rdata[0] == 255 and rdata[256] == 45 and txt_strings(rdata) == long_value


@pytest.mark.parametrize(
    "packet, rcode",
    [
        pytest.param(b"\x12\x34\x01", 1, id="short-header"),
        pytest.param(query_packet("a.example.com", "A")[:-3], 1, id="cut-question"),
        pytest.param(query_packet("a.example.com", "A", opcode=2), 4, id="status-opcode"),
    ],
)
def test_broken_or_unsupported_queries_get_an_error_code(packet, rcode):
    reply = answer(packet, lambda name: [])
    assert struct.unpack("!H", reply[:2])[0] == 0x1234 and struct.unpack("!H", reply[2:4])[0] & 0xF == rcode


def test_a_bad_packet_does_not_stop_the_responder(dns):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"\x00", ("127.0.0.1", dns.port))
    assert ask(dns.port, "still.example.com", "A")[1] == 0


def test_serve_py_dns_port_flag(tmp_path):
    here = os.path.dirname(os.path.abspath(__file__))
    port_file, dns_file = tmp_path / "port", tmp_path / "dns-port"
    child = subprocess.Popen(
        [sys.executable, os.path.join(here, "serve.py"), "--port-file", str(port_file), "--dns-port", "0", "--dns-port-file", str(dns_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ask(int(dns_file.read_text()), "_x.example.com", "TXT")[3] == []
        assert ask(int(dns_file.read_text()), "host.example.com", "A")[3] == [(1, socket.inet_aton("127.0.0.1"))]
    finally:
        child.terminate()
        output = child.communicate(timeout=10)[0].decode()
    assert "DNS responder listening on 127.0.0.1:%s (UDP)" % dns_file.read_text().strip() in output
