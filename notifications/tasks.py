"""Thin Celery tasks of the outbox; both are safe to run twice."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True, acks_late=True)
def deliver_notification(notification_id: int) -> None:
    services.notification_deliver(notification_id=notification_id)


@shared_task(ignore_result=True)
def relay_notifications() -> int:
    """Beat, every minute: enqueue what is due and was not delivered."""
    return services.notifications_relay()


@shared_task(ignore_result=True)
def report_dead_notifications() -> None:
    """Beat, daily in the morning: tell the supervisors what went dead yesterday."""
    services.dead_letters_report()
