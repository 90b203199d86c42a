# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pebble, the ACME test server of Let's Encrypt, as a child process on loopback for the ACME tests (needs cryptography).

    binaries = find_pebble() or install_pebble()
    with Pebble(binaries.pebble, workdir, dns_port=emulator_dns_port, http_port=emulator_port) as pebble:
        pebble.directory_url, pebble.ca_bundle (trust it with SSL_CERT_FILE), pebble.roots(), pebble.order_count()

Pebble resolves every name through `-dnsserver` (the emulator's DNS responder) and connects HTTP-01 validations to
`httpPort` of the address a domain resolves to (127.0.0.1: the emulator, which serves bound domains' objects).
Nothing here talks to the internet; install_pebble runs apt-get only when asked to, as root, on Debian.
Standard library only but for the certificate factory (tests/support/certs.py), imported when Pebble starts.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

INSTALL_HINT = "Pebble (the ACME test server) is not installed: run `apt-get install pebble` (Debian, Ubuntu) or put `pebble` on PATH."
# Deterministic runs: no random validation delay, no nonces rejected on purpose, every order needs its challenge.
PEBBLE_ENV = {"PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0", "PEBBLE_AUTHZREUSE": "0"}
ORDER_LINE = "POST /order-plz"


class PebbleError(RuntimeError):
    """Pebble did not start or did not answer."""


@dataclasses.dataclass
class PebbleBinaries:
    pebble: str
    challtestsrv: str | None


def find_pebble() -> PebbleBinaries | None:
    """`pebble` (and `pebble-challtestsrv`, which the Debian package ships beside it) from PATH, or None."""
    pebble = shutil.which("pebble")
    return PebbleBinaries(pebble, shutil.which("pebble-challtestsrv")) if pebble else None


def install_pebble(log=print) -> PebbleBinaries | None:
    """apt-get install pebble when this is a Debian-like system and we are root; None when that cannot be done."""
    found = find_pebble()
    if found or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "pebble"]):
        log("running " + " ".join(command))
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if done.returncode != 0:
            log("%s failed (exit %d): %s" % (command[1], done.returncode, done.stderr.strip().splitlines()[-1:] or ""))
            return None
    return find_pebble()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Pebble:
    """One Pebble process with a throw-away TLS CA for its listeners; a context manager."""

    def __init__(
        self,
        binary: str,
        workdir: str | os.PathLike,
        dns_port: int,
        http_port: int,
        tls_port: int | None = None,
        startup_timeout: float = 20.0,
        authz_reuse: int = 0,
    ):
        self.binary = binary
        self.workdir = Path(workdir)
        self.dns_port = dns_port
        self.http_port = http_port
        self.tls_port = tls_port or free_port()
        self.startup_timeout = startup_timeout
        # Percent of orders that reuse a still-valid authorization (then the order needs no challenge); 0 by default
        # so that every order validates, as a first issuance at a CA does.
        self.authz_reuse = authz_reuse
        self.port = None
        self.management_port = None
        self.process = None
        self.log_path = self.workdir / "pebble.log"
        self.ca_bundle = self.workdir / "pebble-listener-ca.pem"

    @property
    def directory_url(self) -> str:
        return "https://127.0.0.1:%d/dir" % self.port

    def start(self) -> Pebble:
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        env = dict(os.environ, **dict(PEBBLE_ENV, PEBBLE_AUTHZREUSE=str(self.authz_reuse)))
        command = [self.binary, "-config", str(config), "-dnsserver", "127.0.0.1:%d" % self.dns_port]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            self._wait_for_directory()
        except BaseException:
            self.stop()
            raise
        return self

    def _write_config(self) -> Path:
        # Imported here: noxfile.py uses find_pebble and install_pebble from a venv without cryptography.
        from support.certs import make_certificate  # pylint: disable=import-outside-toplevel

        ca = make_certificate("alicloud.oss test CA for Pebble's listener", ca=True, san=False, days=2, strict=True)
        server = make_certificate("127.0.0.1", issuer=ca, ip_address="127.0.0.1", days=2, strict=True)
        self.ca_bundle.write_text(ca.cert_pem)
        (self.workdir / "pebble-listener.pem").write_text(server.cert_pem + ca.cert_pem)
        key_path = self.workdir / "pebble-listener.key"
        key_path.write_text(server.key_pem)
        key_path.chmod(0o600)
        self.port, self.management_port = free_port(), free_port()
        config = {
            "pebble": {
                "listenAddress": "127.0.0.1:%d" % self.port,
                "managementListenAddress": "127.0.0.1:%d" % self.management_port,
                "certificate": str(self.workdir / "pebble-listener.pem"),
                "privateKey": str(key_path),
                "httpPort": self.http_port,
                "tlsPort": self.tls_port,
                "ocspResponderURL": "",
                "externalAccountBindingRequired": False,
            }
        }
        path = self.workdir / "pebble-config.json"
        path.write_text(json.dumps(config, indent=2))
        return path

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_bundle))

    def _get(self, url: str, timeout: float = 5.0) -> bytes:
        with urllib.request.urlopen(url, context=self._context(), timeout=timeout) as response:  # noqa: S310  (loopback https only)
            return response.read()

    def _wait_for_directory(self):
        deadline = time.monotonic() + self.startup_timeout
        last = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PebbleError("pebble exited with status %d before serving its directory: %s" % (self.process.returncode, self.log_tail()))
            try:
                if b"newOrder" in self._get(self.directory_url, timeout=2):
                    return
            except OSError as error:
                last = error
            time.sleep(0.1)
        raise PebbleError("pebble did not serve %s within %.0f s (%s): %s" % (self.directory_url, self.startup_timeout, last, self.log_tail()))

    def roots(self) -> str:
        """PEM of the root that issues (generated at each start), from the management port."""
        return self._get("https://127.0.0.1:%d/roots/0" % self.management_port).decode("ascii")

    def intermediates(self) -> str:
        return self._get("https://127.0.0.1:%d/intermediates/0" % self.management_port).decode("ascii")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 15) -> str:
        return " | ".join(self.log_text().strip().splitlines()[-lines:])

    def order_count(self) -> int:
        """ACME orders created so far: Pebble logs one line per newOrder request."""
        return sum(1 for line in self.log_text().splitlines() if ORDER_LINE in line)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> Pebble:
        if self.process is None:
            self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
