"""Retry timing shared by every outbox (citizen notifications, group e-mails)."""

import random
from datetime import timedelta

from django.conf import settings


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter: base, 2×base, 4×base … capped, each ±50 %."""
    base = settings.MIDOFFICE_NOTIFICATION_BACKOFF_SECONDS
    seconds = min(settings.MIDOFFICE_NOTIFICATION_BACKOFF_MAX_SECONDS, base * 2 ** (attempts - 1))
    return timedelta(seconds=seconds * random.uniform(0.5, 1.5))
