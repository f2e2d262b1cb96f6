"""The background tasks of the reports, run by `manage.py db_worker` (django-tasks' database backend)."""

from django_tasks import task

from reports import jobs


@task()
def render_report(job_id: str) -> str:
    """Render the file of one ``reports.models.RenderJob`` into the report cache; returns its file name."""
    return jobs.render(job_id)
