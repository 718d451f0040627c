"""The dry run and the import run in the background: a large file takes longer than a web
request may (gunicorn and the database's timeouts), so the pages hand them to a worker."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from clinic.imports import services
from clinic.imports.models import ImportRun, ImportStatus
from clinic.kernel.tasks import task


@task()
def check_import(run_id: int, user_id: int) -> str:
    """The dry run of an import that the manager asked for (status "checking")."""
    run = ImportRun.objects.filter(pk=run_id, status=ImportStatus.CHECKING).first()
    if run is None:
        return "not waiting"
    services.dry_run(run, by=get_user_model().objects.get(pk=user_id))
    return "checked"


@task()
def run_import(run_id: int, user_id: int) -> str:
    """The import that the manager confirmed (status "importing")."""
    run = ImportRun.objects.filter(pk=run_id, status=ImportStatus.IMPORTING).first()
    if run is None:
        return "not waiting"
    done = services.confirm(run, by=get_user_model().objects.get(pk=user_id))
    return "imported" if done else "changed"


def start_check(run: ImportRun, *, by: object) -> bool:
    """Hand the dry run to a worker, unless one is already under way (False then)."""
    return _start(run, by, ready=(ImportStatus.UPLOADED, ImportStatus.CHECKED), then=ImportStatus.CHECKING)


def start_import(run: ImportRun, *, by: object) -> bool:
    """Hand the confirmed import to a worker: only once, whoever presses the button twice."""
    return _start(run, by, ready=(ImportStatus.CHECKED,), then=ImportStatus.IMPORTING)


def _start(run: ImportRun, by: object, *, ready: tuple[str, ...], then: str) -> bool:
    claimed = ImportRun.objects.filter(pk=run.pk, status__in=ready).update(status=then, notice="")
    if not claimed:
        return False
    work = check_import if then == ImportStatus.CHECKING else run_import
    try:
        work.enqueue(run.pk, by.pk)  # type: ignore[attr-defined]
    except Exception:
        ImportRun.objects.filter(pk=run.pk, status=then).update(status=run.status)
        raise
    run.status = then
    return True
