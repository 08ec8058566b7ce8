"""Thin Celery tasks: each loads what it needs and calls a service; all are safe to run twice."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def escalate_cases() -> dict[str, int]:
    """Beat, every few minutes: escalate cases that crossed a threshold, and enqueue group e-mail no task took."""
    counts = services.cases_escalate()
    services.group_messages_relay()
    return counts


@shared_task(ignore_result=True)
def close_expired_cases() -> int:
    """Beat, hourly: close resolved cases whose reopen window has passed."""
    return services.cases_close_expired()


@shared_task(ignore_result=True, acks_late=True)
def send_group_message(message_id: int) -> None:
    """One attempt; the service records a failure and schedules the next attempt itself."""
    services.group_message_send(message_id=message_id)
