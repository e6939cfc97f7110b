"""Rendering uploads for ``cookbook upload`` and ``deps upload``: bars, lines, JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kitchenctl.uploader import UploadStatus

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from kitchenctl.cli.console import Console
    from kitchenctl.cookbook_loader import CookbookFile, LoadedCookbook
    from kitchenctl.uploader import CookbookUploadResult, UploadPlan, UploadSummary


class ProgressReporter:
    """Progress bars for an upload: one overall, one per cookbook sending files.

    The bars are transient: they vanish when the first cookbook is registered, so the
    result lines printed afterwards stand alone.
    """

    def __init__(self, console: Console) -> None:
        self._progress: Progress = console.progress_display()
        self._overall: TaskID | None = None
        self._tasks: dict[str, TaskID] = {}
        self._started = False

    def planned(self, plan: UploadPlan) -> None:
        if not plan.files_to_send:
            return
        self._overall = self._progress.add_task(
            "All cookbooks", total=plan.files_to_send
        )
        for planned in plan.cookbooks:
            if planned.files_to_send:
                cookbook = planned.cookbook
                self._tasks[cookbook.full_name] = self._progress.add_task(
                    f"{cookbook.name} ({cookbook.version})",
                    total=len(planned.files_to_send),
                )
        self._progress.start()
        self._started = True

    def file_uploaded(self, cookbook: LoadedCookbook, file: CookbookFile) -> None:
        task = self._tasks.get(cookbook.full_name)
        if task is not None:
            self._progress.advance(task)
        if self._overall is not None:
            self._progress.advance(self._overall)

    def cookbook_finished(self, result: CookbookUploadResult) -> None:
        self.close()

    def close(self) -> None:
        """Stop the bars (safe to call twice, and after an error)."""
        if self._started:
            self._progress.stop()
            self._started = False


def result_line(result: CookbookUploadResult, server_url: str) -> str:
    """Berkshelf's line for one cookbook, which scripts grep for."""
    if result.status is UploadStatus.UPLOADED:
        return f"Uploaded {result.label} to: '{server_url}'"
    if result.status is UploadStatus.SKIPPED_FROZEN:
        return f"Skipping {result.label} (frozen)"
    return f"Skipping {result.label} (unchanged)"


def summary_text(summary: UploadSummary) -> str:
    return "\n".join(
        result_line(result, summary.server_url) for result in summary.results
    )


def summary_json(summary: UploadSummary) -> dict[str, Any]:
    """The ``--format json`` document: every cookbook and the request counts."""
    counts = summary.requests
    return {
        "server_url": summary.server_url,
        "api_version": summary.api_version,
        "cookbooks": [
            {
                "name": result.name,
                "version": result.version,
                "status": result.status.value,
                "frozen": result.frozen,
                "files_uploaded": result.files_uploaded,
                "bytes_uploaded": result.bytes_uploaded,
                "requests": result.requests,
            }
            for result in summary.results
        ],
        "requests": {
            "listing": counts.listing,
            "version_reads": counts.version_reads,
            "sandboxes": counts.sandboxes,
            "file_uploads": counts.file_uploads,
            "commits": counts.commits,
            "version_writes": counts.version_writes,
            "total": counts.total,
            "http": counts.http,
        },
    }
