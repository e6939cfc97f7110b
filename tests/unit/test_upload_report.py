"""The lines and JSON both upload commands print, from an UploadSummary."""

from __future__ import annotations

from kitchenctl.cli.upload_report import result_line, summary_json, summary_text
from kitchenctl.uploader import (
    CookbookUploadResult,
    RequestCounts,
    UploadStatus,
    UploadSummary,
)

URL = "https://chef.example/organizations/acme"


def _result(name: str, status: UploadStatus) -> CookbookUploadResult:
    return CookbookUploadResult(name, "1.0.0", status, True, 2, 10, 3)


SUMMARY = UploadSummary(
    server_url=URL,
    api_version=2,
    results=(
        _result("apt", UploadStatus.SKIPPED_FROZEN),
        _result("web", UploadStatus.UNCHANGED),
        _result("dockerhost", UploadStatus.UPLOADED),
    ),
    requests=RequestCounts(listing=1, version_reads=2, file_uploads=2, http=6),
)


def test_lines_are_berkshelfs() -> None:
    assert summary_text(SUMMARY) == (
        "Skipping apt (1.0.0) (frozen)\n"
        "Skipping web (1.0.0) (unchanged)\n"
        f"Uploaded dockerhost (1.0.0) to: '{URL}'"
    )
    assert result_line(SUMMARY.results[2], URL).startswith("Uploaded dockerhost")


def test_json_has_every_cookbook_and_the_counts() -> None:
    data = summary_json(SUMMARY)

    assert [c["status"] for c in data["cookbooks"]] == [
        "skipped-frozen",
        "unchanged",
        "uploaded",
    ]
    assert data["requests"] == {
        "listing": 1,
        "version_reads": 2,
        "sandboxes": 0,
        "file_uploads": 2,
        "commits": 0,
        "version_writes": 0,
        "total": 5,
        "http": 6,
    }
    assert data["api_version"] == 2
