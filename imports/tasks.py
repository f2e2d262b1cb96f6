"""The background task of the imports, run by `manage.py db_worker` (django-tasks' database backend)."""

from django_tasks import task

from imports import services


@task()
def confirm_import(batch_id: int, user_id: int) -> str:
    """Confirm one large ``imports.models.ImportBatch`` (``services.run``); returns the batch's outcome."""
    return services.run(batch_id=batch_id, user_id=user_id)
