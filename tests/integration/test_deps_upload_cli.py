"""``kitchenctl deps upload`` from a real Berksfile and lockfile, on real servers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
def berksfile(tmp_path: Path, prefix: str) -> Path:
    """A Berksfile with the three cookbooks at path locations, installed."""
    dockerhost_with_dependencies(tmp_path / "cookbooks", prefix)
    path = tmp_path / "Berksfile"
    lines = ['source chef_repo: "."'] + [
        f"cookbook '{prefix}{name}', path: 'cookbooks/{prefix}{name}'"
        for name in ("dockerhost", "docker", "apt")
    ]
    path.write_text("\n".join(lines) + "\n")
    ok("deps", "install", "-b", str(path))
    return path


def test_example_flow(
    chef_profile: ChefServerHandle, berksfile: Path, prefix: str
) -> None:
    url = chef_profile.url
    b = ("-b", str(berksfile))

    first = ok("deps", "upload", *b)
    set_version(berksfile.parent / "cookbooks" / f"{prefix}dockerhost", "0.2.0")
    ok("deps", "update", f"{prefix}dockerhost", *b)
    second = ok("deps", "upload", *b)
    halted = run_cli("deps", "upload", "--halt-on-frozen", f"{prefix}dockerhost", *b)
    named = ok("deps", "upload", f"{prefix}apt", *b)
    forced = ok("--format", "json", "deps", "upload", "--force", f"{prefix}apt", *b)

    assert first.stdout == (
        f"Uploaded {prefix}apt (2.7.0) to: '{url}'\n"
        f"Uploaded {prefix}docker (1.0.0) to: '{url}'\n"
        f"Uploaded {prefix}dockerhost (0.1.0) to: '{url}'\n"
    )
    assert second.stdout == (
        f"Skipping {prefix}apt (2.7.0) (frozen)\n"
        f"Skipping {prefix}docker (1.0.0) (frozen)\n"
        f"Uploaded {prefix}dockerhost (0.2.0) to: '{url}'\n"
    )
    assert halted.exit_code == 7
    assert halted.stderr.startswith(
        f"ERROR: The cookbook {prefix}dockerhost (0.2.0) already exists and is frozen"
    )
    assert named.stdout == f"Skipping {prefix}apt (2.7.0) (frozen)\n"
    summary = json.loads(forced.stdout)
    assert [(c["name"], c["status"], c["frozen"]) for c in summary["cookbooks"]] == [
        (f"{prefix}apt", "uploaded", True)
    ]


def test_no_freeze_and_unknown_name(
    chef_profile: ChefServerHandle, berksfile: Path, prefix: str
) -> None:
    b = ("-b", str(berksfile))

    unfrozen = json.loads(
        ok("--format", "json", "deps", "upload", "--no-freeze", *b).stdout
    )
    unknown = run_cli("deps", "upload", "nosuch", *b)

    assert [c["frozen"] for c in unfrozen["cookbooks"]] == [False, False, False]
    assert unfrozen["requests"]["listing"] == 1
    assert unknown.exit_code == 5
    assert "Dependency 'nosuch' was not found." in unknown.stderr


def test_cookbooks_from_a_chef_repo_source_upload_from_where_they_are(
    chef_profile: ChefServerHandle, tmp_path: Path, prefix: str
) -> None:
    # No path: locations, so every cookbook comes from the chef_repo source, which
    # install uses in place rather than copying into the cookbook store.
    dockerhost_with_dependencies(tmp_path / "cookbooks", prefix)
    berksfile = tmp_path / "Berksfile"
    berksfile.write_text(f"source chef_repo: '.'\ncookbook '{prefix}dockerhost'\n")
    ok("deps", "install", "-b", str(berksfile))

    uploaded = ok("deps", "upload", "-b", str(berksfile))

    assert uploaded.stdout.splitlines() == [
        f"Uploaded {prefix}{name} ({version}) to: '{chef_profile.url}'"
        for name, version in (
            ("apt", "2.7.0"),
            ("docker", "1.0.0"),
            ("dockerhost", "0.1.0"),
        )
    ]


def test_only_and_except_narrow_what_goes_up(
    chef_profile: ChefServerHandle, tmp_path: Path, prefix: str
) -> None:
    dockerhost_with_dependencies(tmp_path / "cookbooks", prefix)
    berksfile = tmp_path / "Berksfile"
    berksfile.write_text(
        "source chef_repo: '.'\n"
        f"cookbook '{prefix}apt', path: 'cookbooks/{prefix}apt'\n"
        "group :app do\n"
        f"  cookbook '{prefix}dockerhost', path: 'cookbooks/{prefix}dockerhost'\n"
        "end\n"
    )
    b = ("-b", str(berksfile))
    ok("deps", "install", *b)

    without_app = ok("deps", "upload", "--except", "app", *b)
    only_app = ok("deps", "upload", "--only", "app", *b)

    assert (
        without_app.stdout == f"Uploaded {prefix}apt (2.7.0) to: '{chef_profile.url}'\n"
    )
    assert only_app.stdout.splitlines() == [
        f"Skipping {prefix}apt (2.7.0) (frozen)",
        f"Uploaded {prefix}docker (1.0.0) to: '{chef_profile.url}'",
        f"Uploaded {prefix}dockerhost (0.1.0) to: '{chef_profile.url}'",
    ]
