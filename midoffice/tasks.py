"""Thin Celery tasks of the project-wide plumbing."""

from celery import shared_task

from .idempotency import idempotency_keys_purge


@shared_task(ignore_result=True)
def purge_idempotency_keys() -> int:
    """Beat, daily: forget old Idempotency-Keys."""
    return idempotency_keys_purge()
