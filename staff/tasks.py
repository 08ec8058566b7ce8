"""Celery tasks of the staff application: the Excel exports (``staff.exports``)."""

from celery import shared_task

from .exports import EXPORT_SOFT_TIME_LIMIT, EXPORT_TIME_LIMIT, export_job_build


@shared_task(ignore_result=True, soft_time_limit=EXPORT_SOFT_TIME_LIMIT, time_limit=EXPORT_TIME_LIMIT)
def export_job_run(job_id: int) -> None:
    """Build an Excel export; a job already taken or done is left alone (safe to run twice)."""
    export_job_build(job_id)
