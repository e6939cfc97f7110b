"""generate_repo and generate_policyfile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kitchenctl.errors import UsageError
from kitchenctl.generate import generate_policyfile, generate_repo

REPO_COMMON = [
    ".chef-repo.txt",
    ".gitignore",
    "LICENSE",
    "README.md",
    "chefignore",
    "cookbooks/README.md",
    "cookbooks/example/README.md",
    "cookbooks/example/attributes/default.rb",
    "cookbooks/example/metadata.rb",
    "cookbooks/example/recipes/default.rb",
    "data_bags/README.md",
    "data_bags/example/example_item.json",
]


def test_policy_repo_has_policyfiles_and_no_roles(tmp_path: Path) -> None:
    result = generate_repo(tmp_path / "chef-repo", git=False)
    repo = tmp_path / "chef-repo"

    assert list(result.created) == sorted([*REPO_COMMON, "policyfiles/README.md"])
    assert not (repo / "roles").exists()
    assert not (repo / "environments").exists()
    assert not (repo / ".chef").exists()
    assert (
        (repo / ".gitignore")
        .read_text()
        .startswith(".chef\n.chef/*.pem\n.chef/encrypted_data_bag_secret\n\n")
    )
    item = json.loads((repo / "data_bags/example/example_item.json").read_text())
    assert item["id"] == "example_item"


def test_roles_repo_has_roles_and_environments(tmp_path: Path) -> None:
    result = generate_repo(tmp_path / "chef-repo", roles=True, git=False)
    repo = tmp_path / "chef-repo"

    assert list(result.created) == sorted(
        [
            *REPO_COMMON,
            "environments/README.md",
            "environments/example.json",
            "roles/README.md",
            "roles/example.json",
        ]
    )
    role = json.loads((repo / "roles/example.json").read_text())
    assert (role["name"], role["chef_type"], role["run_list"]) == (
        "example",
        "role",
        ["recipe[example]"],
    )
    environment = json.loads((repo / "environments/example.json").read_text())
    assert environment["json_class"] == "Chef::Environment"


def test_policy_only_keeps_cookbooks_out_of_git(tmp_path: Path) -> None:
    generate_repo(tmp_path / "r", policy_only=True, git=False)

    assert (
        "cookbooks/**\n!cookbooks/README.md\n"
        in (tmp_path / "r/.gitignore").read_text()
    )


def test_roles_and_policy_only_are_exclusive(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        generate_repo(tmp_path / "r", roles=True, policy_only=True)
    assert caught.value.message == (
        "Roles and Policyfiles are exclusive. Please only select one."
    )


def test_repo_is_initialized_without_a_commit(
    tmp_path: Path, git_identity: str
) -> None:
    result = generate_repo(tmp_path / "chef-repo")

    assert result.git is not None
    assert result.git.action == "initialized"
    assert (tmp_path / "chef-repo/.git").is_dir()


def test_example_cookbook_metadata(tmp_path: Path) -> None:
    generate_repo(tmp_path / "r", git=False)

    assert (tmp_path / "r/cookbooks/example/metadata.rb").read_text() == (
        "name 'example'\n"
        "maintainer 'The Authors'\n"
        "maintainer_email 'you@example.com'\n"
        "license 'All Rights Reserved'\n"
        "description 'An example cookbook'\n"
        "version '1.0.0'\n"
        "chef_version '>= 16.0'\n"
    )


def _policy_lines(path: Path) -> list[str]:
    return [
        line
        for line in path.read_text().splitlines()
        if line and not line.startswith("#")
    ]


def test_policyfile_without_a_name(tmp_path: Path) -> None:
    result = generate_policyfile(tmp_path)

    assert result.created == ("Policyfile.rb",)
    assert _policy_lines(tmp_path / "Policyfile.rb") == [
        "name 'example-application-service'",
        "default_source :supermarket",
        "run_list 'example_cookbook::default'",
    ]


def test_policyfile_with_a_name(tmp_path: Path) -> None:
    result = generate_policyfile(tmp_path, "web")

    assert result.created == ("web.rb",)
    assert _policy_lines(tmp_path / "web.rb") == [
        "name 'web'",
        "default_source :supermarket",
        "run_list 'web::default'",
    ]


def test_policyfile_in_a_chef_repo(tmp_path: Path) -> None:
    generate_repo(tmp_path / "repo", git=False)
    result = generate_policyfile(tmp_path / "repo", "base")

    assert result.root == tmp_path / "repo/policyfiles"
    assert result.created == ("base.rb",)
    assert _policy_lines(tmp_path / "repo/policyfiles/base.rb") == [
        "name 'base'",
        "default_source :chef_repo, '../'",
        "run_list 'base::default'",
    ]


def test_policyfile_in_a_chef_repo_needs_a_name(tmp_path: Path) -> None:
    (tmp_path / ".chef-repo.txt").write_text("")
    with pytest.raises(UsageError) as caught:
        generate_policyfile(tmp_path)
    assert caught.value.message == (
        "You must give a policy name when generating a policy in a chef-repo."
    )


def test_invalid_policy_name(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    with pytest.raises(UsageError):
        generate_policyfile(folder, "../web")
    assert list(tmp_path.glob("**/*.rb")) == []
