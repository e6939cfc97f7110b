"""``kitchenctl cookbook metadata``: print or write the compiled metadata.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.helpers import run_cli

DATA = Path(__file__).parent.parent / "data" / "metadata"


def copy_cookbook(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(DATA / name, folder)
    (folder / "metadata.json").unlink()
    return folder


def test_prints_exactly_the_json_chef_writes(tmp_path: Path) -> None:
    folder = copy_cookbook("chef-client", tmp_path)

    result = run_cli("cookbook", "metadata", str(folder))

    assert result.exit_code == 0
    assert result.stdout == (DATA / "chef-client" / "metadata.json").read_text()
    assert not (folder / "metadata.json").exists()


def test_write_creates_metadata_json_like_knife(tmp_path: Path) -> None:
    folder = copy_cookbook("apt", tmp_path)

    result = run_cli("cookbook", "metadata", str(folder), "--write")

    assert result.exit_code == 0
    assert result.stdout == (f"Generated {folder / 'metadata.json'} for apt (7.4.0)\n")
    written = (folder / "metadata.json").read_text()
    assert written == (DATA / "apt" / "metadata.json").read_text()


def test_json_format_prints_the_document(tmp_path: Path) -> None:
    folder = copy_cookbook("openssh", tmp_path)

    result = run_cli(
        "--format", "json", "cookbook", "metadata", str(folder / "metadata.rb")
    )

    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["name"] == "openssh"
    assert document["dependencies"] == {"iptables": ">= 7.0"}


def test_unknown_methods_are_warned_about(tmp_path: Path) -> None:
    (tmp_path / "metadata.rb").write_text("name 'x'\nmaintainr 'typo'\n")

    result = run_cli("cookbook", "metadata", str(tmp_path))

    assert result.exit_code == 0
    assert (
        f"WARNING: {tmp_path / 'metadata.rb'}:2:1: maintainr is not a metadata.rb "
        "method; Chef ignores it"
    ) in result.stderr


def test_ruby_outside_the_subset_exits_5_with_file_line_column(tmp_path: Path) -> None:
    (tmp_path / "metadata.rb").write_text("name 'x'\nversion `git describe`\n")

    result = run_cli("cookbook", "metadata", str(tmp_path))

    assert result.exit_code == 5
    assert result.stderr.startswith(
        f"ERROR: {tmp_path / 'metadata.rb'}:2:9: a backtick command is not supported"
    )
    assert "Traceback" not in result.stderr


def test_write_without_metadata_rb_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text('{"name": "built"}')

    result = run_cli("cookbook", "metadata", str(tmp_path), "--write")

    assert result.exit_code == 2
    assert "has no metadata.rb to compile" in result.stderr


def test_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("cookbook", "metadata", str(tmp_path / "nope"))

    assert result.exit_code == 2
    assert "is not a cookbook folder" in result.stderr
