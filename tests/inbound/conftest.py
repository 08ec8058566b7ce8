"""A real IMAP server for the inbound tests: pymap's in-memory backend, started on a free port per test.

Without pymap (or when it cannot start) these tests skip and say why; CI sets MIDOFFICE_IMAP_TESTS=required so
that they fail there instead.
"""

import imaplib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inbound.models import Mailbox
from inbound.services import mailbox_save

USER, PASSWORD = "stad", "geheim-wachtwoord"
PYMAP = Path(sys.executable).with_name("pymap")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("MIDOFFICE_IMAP_TESTS") == "required":
        pytest.fail(f"The IMAP server is required here: {reason}")
    pytest.skip(f"No IMAP server for the inbound tests: {reason} (pip install -r requirements-dev.txt)")


class ImapServer:
    def __init__(self):
        self.port = _free_port()
        self.process = None

    def start(self) -> "ImapServer":
        executable = str(PYMAP) if PYMAP.exists() else shutil.which("pymap")
        if executable is None:
            _unavailable("pymap is not installed")
        self.process = subprocess.Popen(
            [
                executable,
                *("--no-tls", "--host", "127.0.0.1", "--port", str(self.port), "--no-service", "admin"),
                *("dict", "--demo-user", USER, "--demo-password", PASSWORD),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                _unavailable(f"pymap exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        _unavailable("pymap did not listen within 15 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self, folder: str = "INBOX") -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=5)
        client.login(USER, PASSWORD)
        client.select(folder)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client(folder)
        status, data = client.append(folder, None, None, raw)
        assert status == "OK", data
        client.logout()

    def uids(self, *criteria: str, folder: str = "INBOX") -> list[bytes]:
        client = self.client(folder)
        _status, data = client.uid("SEARCH", None, *(criteria or ("ALL",)))
        client.logout()
        return (data[0] or b"").split()

    def create_folder(self, name: str) -> None:
        client = self.client()
        client.create(name)
        client.logout()


@pytest.fixture
def imap_server():
    server = ImapServer().start()
    yield server
    server.stop()


@pytest.fixture
def make_mailbox(imap_server):
    def make(**fields) -> Mailbox:
        values = {
            "name": "Info",
            "address": "info@stad.example",
            "host": "127.0.0.1",
            "port": imap_server.port,
            "use_tls": False,
            "username": USER,
        } | fields
        return mailbox_save(actor=None, mailbox=Mailbox(**values), password=PASSWORD)

    return make


def mail(
    *,
    sender="Jan Peeters <jan.peeters@example.be>",
    subject="Losliggende stoeptegel",
    body="Aan de Kerkstraat 12 ligt een tegel los.",
    message_id=None,
    headers=None,
) -> bytes:
    """A plain text mail as a citizen's mail program writes it."""
    lines = [
        f"From: {sender}",
        "To: info@stad.example",
        f"Subject: {subject}",
        "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
        f"Message-ID: {message_id or f'<{time.monotonic_ns()}@example.be>'}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        *[f"{name}: {value}" for name, value in (headers or {}).items()],
        "",
        body,
        "",
    ]
    return "\r\n".join(lines).encode()
