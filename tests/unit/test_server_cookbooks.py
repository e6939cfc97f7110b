"""Pure parts of server_cookbooks: safe download paths and version order."""

from __future__ import annotations

import pytest

from kitchenctl.errors import ServerError
from kitchenctl.server_cookbooks import safe_relative_path, server_files, sort_versions


@pytest.mark.parametrize(
    "path",
    ["recipes/default.rb", "metadata.json", "files/default/a b.txt", ".kitchen.yml"],
)
def test_paths_inside_the_folder_are_kept(path: str) -> None:
    assert safe_relative_path(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../escape",
        "recipes/../../escape",
        "recipes//default.rb",
        "./recipes/default.rb",
        "recipes\\..\\escape",
        "nul\x00byte",
    ],
)
def test_paths_that_could_escape_are_refused(path: str) -> None:
    with pytest.raises(ServerError, match="unsafe cookbook file path"):
        safe_relative_path(path)


def test_server_files_reads_segments_and_checks_every_path() -> None:
    body = {
        "recipes": [
            {"path": "recipes/a.rb", "checksum": "1" * 32, "url": "http://x/1"}
        ],
        "root_files": [{"path": "../x", "checksum": "2" * 32, "url": "http://x/2"}],
    }

    with pytest.raises(ServerError, match=r"'\.\./x'"):
        server_files(body)
    assert [f.path for f in server_files({"recipes": body["recipes"]})] == [
        "recipes/a.rb"
    ]


def test_versions_sort_newest_first_by_chef_order() -> None:
    assert sort_versions(["0.9.0", "0.10.0", "1.0", "junk", "0.10.1"]) == [
        "1.0",
        "0.10.1",
        "0.10.0",
        "0.9.0",
        "junk",
    ]
