"""``manage.py check`` says plainly, in Chinese, what the server lacks for the report PDFs."""

from django.core.checks import Tags, Warning, register


@register(Tags.compatibility, deploy=False)
def report_fonts(app_configs=None, **kwargs):
    from reports import fonts

    status = fonts.status()
    warnings = []
    if not status.has_cjk_font:
        warnings.append(
            Warning(status.problems[0], hint="sudo apt-get install fonts-noto-cjk", id="reports.W001")
        )
    elif not status.fully_prepared:
        warnings.append(
            Warning(status.problems[0], hint="python manage.py prepare_report_fonts", id="reports.W003")
        )
    if not status.harfbuzz_subset:
        warnings.append(
            Warning(status.problems[-1], hint="sudo apt-get install libharfbuzz-subset0", id="reports.W002")
        )
    return warnings
