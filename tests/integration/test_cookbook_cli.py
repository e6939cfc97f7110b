"""``kitchenctl cookbook upload|list|show|download|delete`` against real servers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kitchenctl.cookbook_loader import load_cookbook
from tests.cli.helpers import Result, run_cli
from tests.fixtures.chef_servers import ChefServerHandle
from tests.fixtures.sample_cookbooks import dockerhost_with_dependencies, set_version


def ok(*args: str) -> Result:
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def prefix(unique_name: str) -> str:
    return f"{unique_name}-"


@pytest.fixture
def example(tmp_path: Path, prefix: str) -> list[Path]:
    """The example cookbooks on disk: apt, docker, dockerhost (dependencies first)."""
    cookbooks = dockerhost_with_dependencies(tmp_path / "cookbooks", prefix)
    return [cookbook.root for cookbook in cookbooks]


def test_upload_freeze_bump_and_force(
    chef_profile: ChefServerHandle, example: list[Path], prefix: str
) -> None:
    url = chef_profile.url
    first = ok("cookbook", "upload", "--freeze", *map(str, example))
    set_version(example[2], "0.2.0")
    bumped = ok("cookbook", "upload", str(example[2]))
    frozen = run_cli("cookbook", "upload", str(example[0]))
    forced = ok("cookbook", "upload", "--force", str(example[0]))

    assert first.stdout == (
        f"Uploaded {prefix}apt (2.7.0) to: '{url}'\n"
        f"Uploaded {prefix}docker (1.0.0) to: '{url}'\n"
        f"Uploaded {prefix}dockerhost (0.1.0) to: '{url}'\n"
    )
    assert bumped.stdout == f"Uploaded {prefix}dockerhost (0.2.0) to: '{url}'\n"
    assert frozen.exit_code == 7
    assert frozen.stdout == ""
    assert frozen.stderr == (
        f"ERROR: The cookbook {prefix}apt (2.7.0) already exists and is frozen on "
        f"the Chef Server at {url} (use the --force option to override)\n"
    )
    assert forced.stdout == f"Uploaded {prefix}apt (2.7.0) to: '{url}'\n"


def test_upload_json_summary_and_unchanged(
    chef_profile: ChefServerHandle, example: list[Path], prefix: str
) -> None:
    ok("cookbook", "upload", str(example[0]))
    again = ok("--format", "json", "cookbook", "upload", str(example[0]))

    summary = json.loads(again.stdout)
    assert summary["cookbooks"] == [
        {
            "name": f"{prefix}apt",
            "version": "2.7.0",
            "status": "unchanged",
            "frozen": False,
            "files_uploaded": 0,
            "bytes_uploaded": 0,
            "requests": 1,
        }
    ]
    assert summary["requests"]["total"] == 2
    assert summary["requests"]["file_uploads"] == 0


def test_list_and_show(
    chef_profile: ChefServerHandle, example: list[Path], prefix: str
) -> None:
    ok("cookbook", "upload", *map(str, example))
    set_version(example[2], "0.2.0")
    ok("cookbook", "upload", str(example[2]))
    name = f"{prefix}dockerhost"

    latest = json.loads(ok("--format", "json", "cookbook", "list").stdout)
    every = json.loads(ok("--format", "json", "cookbook", "list", "--all").stdout)
    versions = ok("cookbook", "show", name)
    shown = ok("cookbook", "show", name, "0.1.0")

    assert latest[name] == ["0.2.0"]
    assert every[name] == ["0.2.0", "0.1.0"]
    assert f"{name}   0.2.0  0.1.0" in ok("cookbook", "list", "--all").stdout
    assert versions.stdout == f"{name}   0.2.0  0.1.0\n"
    lines = shown.stdout.splitlines()
    assert lines[:5] == [
        f"Cookbook:     {name}",
        "Version:      0.1.0",
        "Frozen:       no",
        f"Description:  The {name} cookbook",
        f"Dependencies: {prefix}apt (>= 0.0.0), {prefix}docker (~> 1.0)",
    ]
    assert any(line.endswith("  recipes/host.rb") for line in lines)


def test_download_is_byte_identical_and_atomic(
    chef_profile: ChefServerHandle, example: list[Path], prefix: str, tmp_path: Path
) -> None:
    ok("cookbook", "upload", *map(str, example))
    target = tmp_path / "downloads"
    name = f"{prefix}dockerhost"

    downloaded = ok("cookbook", "download", name, "--dir", str(target))
    refused = run_cli("cookbook", "download", name, "0.1.0", "--dir", str(target))
    replaced = ok(
        "cookbook", "download", name, "0.1.0", "--dir", str(target), "--force"
    )

    folder = target / f"{name}-0.1.0"
    assert downloaded.stdout == f"Downloaded {name} (0.1.0) to {folder}\n"
    assert refused.exit_code == 2
    assert "exists already" in refused.stderr
    assert replaced.exit_code == 0
    # Every file the server holds is byte-identical to the file uploaded.
    api_version = 2 if chef_profile.flavour != "goiardi" else 1
    sent = load_cookbook(example[2]).manifest(api_version)
    records = sent.get("all_files") or [
        record
        for key, value in sent.items()
        if isinstance(value, list)
        for record in value
    ]
    on_disk = sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file()
    )
    assert on_disk == sorted(record["path"] for record in records)
    for relative in on_disk:
        assert (folder / relative).read_bytes() == (example[2] / relative).read_bytes()
    assert [p.name for p in target.iterdir()] == [folder.name]


def test_delete_one_version_and_all(
    chef_profile: ChefServerHandle, example: list[Path], prefix: str
) -> None:
    ok("cookbook", "upload", str(example[0]))
    set_version(example[0], "2.8.0")
    ok("cookbook", "upload", str(example[0]))
    name = f"{prefix}apt"

    unconfirmed = run_cli("cookbook", "delete", name, "2.7.0")
    both = run_cli("cookbook", "delete", name, "2.7.0", "--all")
    one = ok("--yes", "cookbook", "delete", name, "2.7.0")
    remaining = ok("cookbook", "show", name)
    rest = ok("--yes", "cookbook", "delete", name, "--all")
    gone = run_cli("cookbook", "show", name)

    assert unconfirmed.exit_code == 3
    assert both.exit_code == 2
    assert one.stdout == f"Deleted cookbook[{name}][2.7.0]\n"
    assert remaining.stdout == f"{name}   2.8.0\n"
    assert rest.stdout == f"Deleted cookbook[{name}][2.8.0]\n"
    assert gone.exit_code == 6


def test_upload_compiles_metadata_rb(
    chef_profile: ChefServerHandle, tmp_path: Path, prefix: str
) -> None:
    root = tmp_path / "web"
    (root / "recipes").mkdir(parents=True)
    (root / "metadata.rb").write_text(
        f"name '{prefix}web'\nversion '1.2.0'\nchef_version '>= 16'\n"
    )
    (root / "recipes" / "default.rb").write_text("log 'web'\n")

    uploaded = ok("cookbook", "upload", str(root))
    shown = json.loads(
        ok("--format", "json", "cookbook", "show", f"{prefix}web", "1.2.0").stdout
    )

    assert uploaded.stdout.startswith(f"Uploaded {prefix}web (1.2.0) to:")
    assert shown["metadata"]["chef_versions"] == [[">= 16"]]
    records = shown.get("all_files") or shown["root_files"]
    paths = {record["path"] for record in records}
    assert {"metadata.rb", "metadata.json"} <= paths
    assert not (root / "metadata.json").exists()


def test_upload_refuses_missing_dependencies_before_sending(
    chef_profile: ChefServerHandle, example: list[Path], prefix: str
) -> None:
    refused = run_cli("cookbook", "upload", str(example[2]))
    listed = json.loads(ok("--format", "json", "cookbook", "list").stdout)

    assert refused.exit_code == 6
    assert refused.stderr == (
        f"ERROR: Cookbook {prefix}dockerhost depends on cookbooks which are not "
        f"currently being uploaded and cannot be found on the server at "
        f"{chef_profile.url}: {prefix}apt (>= 0.0.0), {prefix}docker (~> 1.0) "
        "(upload them in the same command, or use kitchenctl deps upload)\n"
    )
    assert f"{prefix}dockerhost" not in listed
