"""``kitchenctl generate`` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_cookbook_lists_what_it_created(
    tmp_path: Path, git_without_identity: None
) -> None:
    result = run_cli("generate", "cookbook", "web")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Created in ./web:"
    assert "  metadata.rb" in lines
    assert "  Policyfile.rb" in lines
    assert lines[-3:] == [
        "git: skipped (no git identity (git config user.email))",
        "Your cookbook is ready. Type `cd web` to enter it.",
        "The default recipe is recipes/default.rb; its InSpec tests are in "
        "test/integration/default/default_test.rb.",
    ]
    assert result.stderr == ""
    assert (tmp_path / "web/metadata.rb").read_text().startswith("name 'web'\n")


def test_cookbook_options_reach_the_files(tmp_path: Path) -> None:
    result = run_cli(
        "generate", "cookbook", "web", "--berks", "--kitchen", "dokken", "--specs",
        "-C", "Acme", "-m", "ops@acme.test", "-I", "apache2",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    web = tmp_path / "web"
    assert (web / "Berksfile").is_file()
    assert (web / "spec/spec_helper.rb").read_text().endswith("chefspec/berkshelf'\n")
    assert "name: dokken" in (web / "kitchen.yml").read_text()
    metadata = (web / "metadata.rb").read_text()
    assert (
        "maintainer 'Acme'\nmaintainer_email 'ops@acme.test'\nlicense 'Apache-2.0'\n"
        in metadata
    )


def test_berks_and_policy_are_exclusive(tmp_path: Path) -> None:
    result = run_cli("generate", "cookbook", "web", "--berks", "--policy")

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "ERROR: Berkshelf and Policyfiles are mutually exclusive."
    )
    assert not (tmp_path / "web").exists()


def test_hyphen_warning_goes_to_stderr() -> None:
    result = run_cli("generate", "cookbook", "my-web")

    assert result.exit_code == 0
    assert result.stderr.startswith(
        "WARNING: Hyphens are discouraged in cookbook names"
    )


def test_invalid_name_exits_2() -> None:
    result = run_cli("generate", "cookbook", "my web")

    assert result.exit_code == 2
    assert result.stderr.startswith("ERROR: invalid cookbook name 'my web'")


def test_unknown_license_exits_2() -> None:
    result = run_cli("generate", "cookbook", "web", "-I", "bsd")

    assert result.exit_code == 2
    assert "unknown license 'bsd'" in result.stderr


def test_json_output_is_the_result_data(tmp_path: Path, git_identity: str) -> None:
    result = run_cli("--format", "json", "generate", "cookbook", "web")

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["generator"] == "cookbook"
    assert data["name"] == "web"
    assert data["root"] == str(tmp_path / "web")
    assert "metadata.rb" in data["created"]
    assert data["git"] == {"action": "committed", "reason": ""}


def test_recipe_in_the_current_cookbook_uses_metadata_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli("generate", "cookbook", "checkout")
    metadata = tmp_path / "checkout/metadata.rb"
    metadata.write_text(metadata.read_text().replace("'checkout'", "'containers'"))
    monkeypatch.chdir(tmp_path / "checkout")

    one_argument = run_cli("generate", "recipe", "web")
    two_arguments = run_cli("generate", "recipe", ".", "db")

    assert one_argument.exit_code == two_arguments.exit_code == 0
    assert one_argument.stdout == (
        "Created in .:\n  recipes/web.rb\n  test/integration/default/web_test.rb\n"
    )
    assert (
        "# Cookbook:: containers\n# Recipe:: db\n"
        in (tmp_path / "checkout/recipes/db.rb").read_text()
    )


def test_existing_files_are_listed_as_kept(tmp_path: Path) -> None:
    run_cli("generate", "cookbook", "web")
    result = run_cli("generate", "attribute", "web", "default")
    again = run_cli("generate", "attribute", "web", "default")

    assert result.stdout == "Created in ./web:\n  attributes/default.rb\n"
    assert again.exit_code == 0
    assert again.stdout == (
        "Nothing created in ./web\n"
        "Kept, because they already exist (--force overwrites them):\n"
        "  attributes/default.rb\n"
    )
    forced = run_cli("generate", "attribute", "web", "default", "--force")
    assert forced.stdout == (
        "Nothing created in ./web\nOverwritten (--force):\n  attributes/default.rb\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["a", "b", "c"], "ERROR: too many arguments"),
        (["web", "x.y"], "ERROR: invalid helpers name 'x.y'"),
        (["nowhere", "x"], "ERROR: Directory "),
    ],
)
def test_code_file_argument_errors(arguments: list[str], message: str) -> None:
    run_cli("generate", "cookbook", "web")
    result = run_cli("generate", "helpers", *arguments)

    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_every_generator_has_help() -> None:
    for generator in ["repo", "cookbook", "recipe", "attribute", "template", "file",
                      "resource", "helpers", "policyfile"]:  # fmt: skip
        result = run_cli("generate", generator, "--help")
        assert result.exit_code == 0
        assert "--templates" in result.stdout


def test_repo_and_policyfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = run_cli("generate", "repo", "chef-repo", "--roles")
    assert repo.exit_code == 0
    assert repo.stdout.splitlines()[-1] == (
        "Your new Chef Infra repo is ready! Type `cd chef-repo` to enter it."
    )
    monkeypatch.chdir(tmp_path / "chef-repo")

    missing = run_cli("generate", "policyfile")
    named = run_cli("generate", "policyfile", "base")

    assert missing.exit_code == 2
    assert missing.stderr.startswith("ERROR: You must give a policy name")
    assert named.stdout == "Created in ./policyfiles:\n  base.rb\n"


def test_user_templates_flag(tmp_path: Path) -> None:
    override = tmp_path / "mine/cookbook/{{cookiecutter.cookbook_name}}"
    override.mkdir(parents=True)
    (override / "README.md").write_text("# {{ cookiecutter.cookbook_name }} (ours)\n")

    result = run_cli(
        "generate", "cookbook", "web", "--templates", str(tmp_path / "mine")
    )

    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "web/README.md").read_text() == "# web (ours)\n"


def _credentials(home: Path, knife: str) -> None:
    chef = home / ".chef"
    chef.mkdir()
    (chef / "credentials").write_text(
        "[default]\nclient_name = 'cook'\n\n[default.knife]\n" + knife
    )


def test_owner_comes_from_the_knife_table(tmp_path: Path, isolated_home: Path) -> None:
    _credentials(
        isolated_home,
        "cookbook_copyright = 'Acme Ops'\ncookbook_email = 'ops@acme.test'\n"
        "cookbook_license = 'mit'\n",
    )

    result = run_cli("generate", "cookbook", "web")

    assert result.exit_code == 0, result.stderr
    metadata = (tmp_path / "web/metadata.rb").read_text()
    assert (
        "maintainer 'Acme Ops'\nmaintainer_email 'ops@acme.test'\nlicense 'MIT'\n"
        in (metadata)
    )


def test_options_override_the_knife_table(tmp_path: Path, isolated_home: Path) -> None:
    _credentials(
        isolated_home, "cookbook_copyright = 'Acme Ops'\ncookbook_license = 'mit'\n"
    )

    result = run_cli("generate", "cookbook", "web", "-C", "Me", "-I", "gplv3")

    assert result.exit_code == 0, result.stderr
    metadata = (tmp_path / "web/metadata.rb").read_text()
    assert "maintainer 'Me'\n" in metadata
    assert "license 'GPL-3.0'\n" in metadata


def test_templates_folder_from_the_knife_table(
    tmp_path: Path, isolated_home: Path
) -> None:
    override = (
        isolated_home / ".chef/templates/attribute/{{cookiecutter.cookbook_name}}"
    )
    override.mkdir(parents=True)
    (override / "attributes").mkdir()
    (override / "attributes/{{cookiecutter.attribute_name}}.rb").write_text(
        "# attributes of {{ cookiecutter.cookbook_name }}\n"
    )
    (isolated_home / ".chef/credentials").write_text(
        "[default.knife]\ngenerator_templates = 'templates'\n"
    )
    run_cli("generate", "cookbook", "web")

    result = run_cli("generate", "attribute", "web", "default")

    assert result.exit_code == 0, result.stderr
    assert (
        tmp_path / "web/attributes/default.rb"
    ).read_text() == "# attributes of web\n"


def test_a_bad_configured_license_exits_4(isolated_home: Path) -> None:
    _credentials(isolated_home, "cookbook_license = 'bsd'\n")

    result = run_cli("generate", "cookbook", "web")

    assert result.exit_code == 4
    assert "cookbook_license = 'bsd' is not a license" in result.stderr


def test_template_source_option(tmp_path: Path) -> None:
    run_cli("generate", "cookbook", "web")
    (tmp_path / "motd.erb").write_text("Welcome to <%= node['hostname'] %>\n")

    result = run_cli("generate", "template", "web", "motd", "-s", "motd.erb")

    assert result.stdout == "Created in ./web:\n  templates/motd.erb\n"
    assert (tmp_path / "web/templates/motd.erb").read_text() == (
        "Welcome to <%= node['hostname'] %>\n"
    )
