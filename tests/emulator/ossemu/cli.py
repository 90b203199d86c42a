# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line: start the emulator, print its endpoint on one line, run until SIGTERM or SIGINT."""

import argparse
import json
import os
import signal
import sys
import threading

from .config import DEFAULT_CONFIG_PATH, ConfigError
from .dnsserver import DnsResponder, emulator_txt_values
from .faults import FaultError
from .server import Emulator


def build_parser():
    parser = argparse.ArgumentParser(prog="serve.py", description="Local OSS emulator for the bucket CNAME API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free port (default)")
    parser.add_argument("--config", default=DEFAULT_CONFIG_PATH, help="JSON config (default tests/emulator/default-config.json)")
    parser.add_argument("--state-file", help="load state from this JSON file if present and save it after every change")
    parser.add_argument("--request-log", help="append one JSON line per OSS request to this file")
    parser.add_argument("--port-file", help="write the bound port number to this file once listening")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay every OSS answer by this many milliseconds")
    parser.add_argument("--ownership", choices=("dns", "token"), help="domain ownership check (default: from the config)")
    parser.add_argument("--dns-propagation-seconds", type=float, help="seconds a _dnsauth TXT record takes to count for ownership (default: from the config)")
    parser.add_argument("--tls-cert", help="PEM certificate chain: serve HTTPS")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    parser.add_argument("--dns-port", type=int, help="also answer DNS over UDP on this port (0 picks one): A 127.0.0.1, TXT from the emulator")
    parser.add_argument("--dns-port-file", help="write the DNS port number to this file before the endpoint line is printed")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="JSON",
        help='queue a fault at start, e.g. \'{"kind": "status", "count": 2, "status": 503}\' (repeatable)',
    )
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        print("serve.py: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    try:
        emulator = Emulator(
            config=args.config,
            ownership=args.ownership,
            latency_ms=args.latency_ms,
            request_log=args.request_log,
            state_file=args.state_file,
            host=args.host,
            port=args.port,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            dns_propagation_seconds=args.dns_propagation_seconds,
        )
        for spec in args.fault:
            emulator.add_fault(**json.loads(spec))
    except (ConfigError, FaultError, OSError, ValueError, TypeError) as error:
        print("serve.py: %s" % error, file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    signal.signal(signal.SIGINT, lambda *_args: stop.set())
    try:
        dns = _start_dns(args, emulator)
    except OSError as error:
        print("serve.py: --dns-port: %s" % error, file=sys.stderr)
        return 2
    endpoint = emulator.start()
    print("OSS emulator listening on %s" % endpoint, flush=True)
    if args.port_file:
        _write_atomically(args.port_file, "%d\n" % emulator.port)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        emulator.stop()
        if dns is not None:
            dns.stop()
    return 0


def _start_dns(args, emulator):
    if args.dns_port is None:
        return None
    dns = DnsResponder(emulator_txt_values(emulator.core), host=args.host, port=args.dns_port)
    dns.start()
    print("DNS responder listening on %s:%d (UDP)" % (args.host, dns.port), flush=True)
    if args.dns_port_file:
        _write_atomically(args.dns_port_file, "%d\n" % dns.port)
    return dns


def _write_atomically(path, text):
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
