"""E-mail backends standing in for a mail server that misbehaves: real Django backends, chosen by settings."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend

failures = {"left": 0, "error": None}


def fail_next(times: int, error: Exception) -> None:
    failures["left"], failures["error"] = times, error


class FlakyBackend(EmailBackend):
    """Raises the configured error for the next N messages, then delivers to ``mail.outbox``."""

    def send_messages(self, messages):
        if failures["left"] > 0:
            failures["left"] -= 1
            raise failures["error"]
        return super().send_messages(messages)


TRANSIENT = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
REFUSED = smtplib.SMTPRecipientsRefused({"x@example.be": (550, b"No such user")})
