"""The IMAP side of a mailbox (stdlib ``imaplib``): sign in, list what is new, fetch, mark processed."""

import contextlib
import imaplib
import re
import ssl

from django.conf import settings

from .credentials import CredentialError, oauth_token, secret_decrypt, xoauth2_string
from .models import AuthMethod, Mailbox, ProcessedAction

_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailServerError(Exception):
    """The server is unreachable, refuses us or broke off: the mail stays where it is, for the next poll."""


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MailboxConnection:
    """``with MailboxConnection(mailbox) as server:`` a signed-in session with the mailbox's folder selected."""

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox
        self.imap: imaplib.IMAP4 | None = None
        self.keywords = False
        self.capabilities: set[bytes] = set()

    def __enter__(self) -> "MailboxConnection":
        mailbox = self.mailbox
        timeout = settings.MIDOFFICE_INBOUND_IMAP_TIMEOUT_SECONDS
        try:
            if mailbox.use_tls:
                self.imap = imaplib.IMAP4_SSL(
                    mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
                )
            else:
                self.imap = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
            if mailbox.auth_method == AuthMethod.XOAUTH2:
                token = oauth_token(
                    token_url=mailbox.oauth_token_url,
                    client_id=mailbox.oauth_client_id,
                    client_secret=secret_decrypt(mailbox.oauth_client_secret_encrypted),
                    scope=mailbox.oauth_scope,
                )
                self.imap.authenticate("XOAUTH2", lambda _challenge: xoauth2_string(mailbox.username, token))
            else:
                self.imap.login(mailbox.username, secret_decrypt(mailbox.password_encrypted))
            # Servers tell more after the sign-in (MOVE, UIDPLUS) than before it.
            self.capabilities = set(b" ".join(self._ok(self.imap.capability())).upper().split())
            self._ok(self.imap.select(_quote(mailbox.folder)))
            flags = self.imap.response("PERMANENTFLAGS")[1]
            self.keywords = any(flags) and b"\\*" in b" ".join(f for f in flags if f)
        except (imaplib.IMAP4.error, OSError, CredentialError) as exc:
            self.close()
            raise MailServerError(f"{exc.__class__.__name__}: {exc}"[:1000]) from exc
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self.imap is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                self.imap.logout()
            self.imap = None

    @staticmethod
    def _ok(answer):
        status, data = answer
        if status != "OK":
            raise imaplib.IMAP4.error(f"{status} {data!r}"[:500])
        return data

    def _call(self, *args):
        try:
            return self._ok(self.imap.uid(*args))
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailServerError(f"{exc.__class__.__name__}: {exc}"[:1000]) from exc

    def new_uids(self) -> list[bytes]:
        """What has not been processed yet, oldest first. Moved mail leaves the folder; otherwise unread mail that does
        not carry our keyword (where the server keeps keywords) is new."""
        if self.mailbox.processed_action == ProcessedAction.MOVE:
            criteria = ["ALL"]
        elif self.keywords:
            criteria = ["UNSEEN", "UNKEYWORD", self.mailbox.processed_keyword]
        else:
            criteria = ["UNSEEN"]
        data = self._call("SEARCH", None, *criteria)
        return sorted((data[0] or b"").split(), key=int)

    def headers(self, uid: bytes) -> tuple[int, bytes] | None:
        """The size and the header block of one mail, without marking it read; None when it is gone."""
        for item in self._call("FETCH", uid, "(RFC822.SIZE BODY.PEEK[HEADER])"):
            if isinstance(item, tuple):
                size = _SIZE.search(item[0])
                return (int(size.group(1)) if size else len(item[1])), item[1]
        return None

    def fetch(self, uid: bytes) -> bytes | None:
        for item in self._call("FETCH", uid, "(BODY.PEEK[])"):
            if isinstance(item, tuple):
                return item[1]
        return None

    def mark_processed(self, uid: bytes) -> None:
        mailbox = self.mailbox
        if mailbox.processed_action == ProcessedAction.MOVE:
            if b"MOVE" in self.capabilities:
                self._call("MOVE", uid, _quote(mailbox.processed_folder))
            else:
                self._call("COPY", uid, _quote(mailbox.processed_folder))
                self._call("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
                self._call("EXPUNGE", uid)
            return
        flags = rf"(\Seen {mailbox.processed_keyword})" if self.keywords else r"(\Seen)"
        self._call("STORE", uid, "+FLAGS.SILENT", flags)
