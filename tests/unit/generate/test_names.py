from __future__ import annotations

from pathlib import Path

import pytest

from kitchenctl.errors import InputFileError, UsageError
from kitchenctl.generate import License, cookbook_name, parse_license
from kitchenctl.generate.names import (
    check_code_name,
    check_file_name,
    check_policy_name,
    hyphen_warnings,
)


@pytest.mark.parametrize("name", ["web", "my_app", "nginx-proxy", "_private", "a1"])
def test_valid_code_names_pass(name: str) -> None:
    check_code_name("cookbook", name)


@pytest.mark.parametrize(
    "name", ["", "-web", "my app", "web.app", "a/b", "ünï", "x::y"]
)
def test_invalid_code_names_are_rejected_with_the_name(name: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_code_name("recipe", name)
    assert caught.value.message == f"invalid recipe name {name!r}"
    assert caught.value.hint is not None


@pytest.mark.parametrize("name", ["nginx.conf", "app.conf.erb", "motd"])
def test_file_names_may_carry_dots(name: str) -> None:
    check_file_name("template", name)


@pytest.mark.parametrize("name", ["../escape", "sub/dir", ".hidden", ""])
def test_file_names_never_carry_a_folder(name: str) -> None:
    with pytest.raises(UsageError):
        check_file_name("file", name)


def test_policy_names_follow_chef() -> None:
    check_policy_name("base:web-1.2_x")
    with pytest.raises(UsageError):
        check_policy_name("web app")


def test_hyphen_warning_suggests_underscores() -> None:
    assert hyphen_warnings("web") == ()
    (warning,) = hyphen_warnings("my-web")
    assert warning.startswith("Hyphens are discouraged in cookbook names")
    assert "'my_web'" in warning


@pytest.mark.parametrize(
    "line",
    [
        "name 'containers'",
        'name "containers"',
        "  name('containers')  # the cookbook",
        "name\t'containers'",
    ],
)
def test_cookbook_name_comes_from_metadata_rb(tmp_path: Path, line: str) -> None:
    folder = tmp_path / "not-the-name"
    folder.mkdir()
    (folder / "metadata.rb").write_text(
        f"# name 'commented'\nmaintainer 'x'\n{line}\nversion '1.0.0'\n"
    )
    assert cookbook_name(folder) == "containers"


def test_cookbook_name_from_metadata_json_when_no_metadata_rb(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text('{"name": "compiled", "version": "1.0.0"}')
    assert cookbook_name(tmp_path) == "compiled"


def test_a_folder_without_metadata_is_not_a_cookbook(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        cookbook_name(tmp_path)
    assert caught.value.message.startswith(f"Directory {tmp_path} is not a cookbook")


def test_metadata_rb_is_evaluated_not_pattern_matched(tmp_path: Path) -> None:
    (tmp_path / "metadata.rb").write_text(
        "cookbook = %w(web containers).last\nname cookbook\nversion '1.0.0'\n"
    )
    assert cookbook_name(tmp_path) == "containers"


def test_metadata_rb_outside_the_ruby_subset_names_file_line_column(
    tmp_path: Path,
) -> None:
    (tmp_path / "metadata.rb").write_text("name NAME_CONSTANT\n")
    with pytest.raises(InputFileError) as caught:
        cookbook_name(tmp_path)
    assert caught.value.message.startswith(f"{tmp_path / 'metadata.rb'}:1:6: ")


def test_metadata_rb_without_a_name_is_chefs_error(tmp_path: Path) -> None:
    (tmp_path / "metadata.rb").write_text("version '1.0.0'\n")
    with pytest.raises(InputFileError) as caught:
        cookbook_name(tmp_path)
    assert "The `name' attribute is required" in caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("all_rights", License.all_rights),
        ("apachev2", License.apachev2),
        ("apache2", License.apachev2),
        ("MIT", License.mit),
        ("gplv2", License.gplv2),
        ("gplv3", License.gplv3),
    ],
)
def test_licenses_parse_as_chef_cli_accepts_them(text: str, expected: License) -> None:
    assert parse_license(text) is expected


def test_an_unknown_license_lists_the_choices() -> None:
    with pytest.raises(UsageError) as caught:
        parse_license("bsd")
    assert caught.value.hint is not None
    assert "apachev2" in caught.value.hint


def test_licenses_map_to_the_metadata_names_chef_cli_writes() -> None:
    assert [member.metadata_name for member in License] == [
        "All Rights Reserved",
        "Apache-2.0",
        "MIT",
        "GPL-2.0",
        "GPL-3.0",
    ]
