"""Thin Celery tasks: each loads what it needs and calls a service; all are safe to run twice."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def escalate_cases() -> dict[str, int]:
    """Beat, every few minutes: escalate cases that crossed a threshold, and resend unsent group e-mail."""
    counts = services.cases_escalate()
    services.group_messages_relay()
    return counts


@shared_task(ignore_result=True)
def close_expired_cases() -> int:
    """Beat, hourly: close resolved cases whose reopen window has passed."""
    return services.cases_close_expired()


@shared_task(bind=True, ignore_result=True, max_retries=8, retry_backoff=30, retry_backoff_max=3600, retry_jitter=True)
def send_group_message(self, message_id: int) -> None:
    try:
        services.group_message_send(message_id=message_id)
    except Exception as exc:
        raise self.retry(exc=exc) from exc
