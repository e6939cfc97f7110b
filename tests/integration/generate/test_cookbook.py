"""generate_cookbook against the real templates, real files and real git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kitchenctl.errors import UsageError
from kitchenctl.generate import (
    DependencyTool,
    GeneratorDefaults,
    KitchenDriver,
    License,
    generate_cookbook,
)

COMMON_FILES = [
    ".gitignore",
    "CHANGELOG.md",
    "LICENSE",
    "README.md",
    "chefignore",
    "compliance/README.md",
    "compliance/inputs/.gitkeep",
    "compliance/profiles/.gitkeep",
    "compliance/waivers/.gitkeep",
    "kitchen.yml",
    "metadata.rb",
    "recipes/default.rb",
    "test/integration/default/default_test.rb",
]

WEB_METADATA = """\
name 'web'
maintainer 'The Authors'
maintainer_email 'you@example.com'
license 'All Rights Reserved'
description 'Installs/Configures web'
version '0.1.0'
chef_version '>= 16.0'
# issues_url 'https://github.com/<insert_org_here>/web/issues'
# source_url 'https://github.com/<insert_org_here>/web'
"""

WEB_POLICYFILE = """\
name 'web'
default_source :supermarket
run_list 'web::default'
cookbook 'web', path: '.'
"""

PLATFORMS = [
    "almalinux-9",
    "amazonlinux-2023",
    "centos-stream-9",
    "debian-12",
    "fedora-latest",
    "opensuse-leap-15",
    "oraclelinux-9",
    "rockylinux-9",
    "ubuntu-24.04",
]


def test_default_cookbook_has_chef_clis_files_and_content(tmp_path: Path) -> None:
    result = generate_cookbook(tmp_path / "web", year=2026, git=False)

    assert result.name == "web"
    assert result.root == tmp_path / "web"
    assert list(result.created) == sorted([*COMMON_FILES, "Policyfile.rb"])
    assert result.kept == result.overwritten == result.warnings == ()
    web = tmp_path / "web"
    assert (web / "metadata.rb").read_text() == WEB_METADATA
    assert (web / "Policyfile.rb").read_text() == WEB_POLICYFILE
    assert (web / "README.md").read_text() == (
        "# web\n\nTODO: Enter the cookbook description here.\n"
    )
    assert (web / "recipes/default.rb").read_text() == (
        "#\n# Cookbook:: web\n# Recipe:: default\n#\n"
        "# Copyright:: 2026, The Authors, All Rights Reserved.\n"
    )
    assert (web / "LICENSE").read_text() == (
        "Copyright 2026 The Authors\n\nAll rights reserved - Do Not Redistribute\n"
    )
    assert not (web / "Berksfile").exists()
    assert not (web / "spec").exists()


def test_vagrant_kitchen_for_a_policyfile_cookbook(tmp_path: Path) -> None:
    generate_cookbook(tmp_path / "web", git=False)
    kitchen = (tmp_path / "web" / "kitchen.yml").read_text()

    assert kitchen.startswith("---\ndriver:\n  name: vagrant\n")
    assert "provisioner:\n  name: chef_infra\n" in kitchen
    assert "verifier:\n  name: inspec\n" in kitchen
    platforms = "".join(f"  - name: {platform}\n" for platform in PLATFORMS)
    assert f"platforms:\n{platforms}\n" in kitchen
    # The Policyfile gives the run list, so the suite names none.
    assert kitchen.endswith(
        "suites:\n  - name: default\n    verifier:\n      inspec_tests:\n"
        "        - test/integration/default\n"
    )


def test_berks_cookbook_has_a_berksfile_and_a_run_list(tmp_path: Path) -> None:
    result = generate_cookbook(
        tmp_path / "web", dependency_tool=DependencyTool.berks, git=False
    )
    web = tmp_path / "web"

    assert list(result.created) == sorted([*COMMON_FILES, "Berksfile"])
    assert (web / "Berksfile").read_text() == (
        "source 'https://supermarket.chef.io'\n\nmetadata\n"
    )
    assert not (web / "Policyfile.rb").exists()
    assert (
        "  - name: default\n    run_list:\n      - recipe[web::default]\n"
        "    verifier:\n      inspec_tests:\n        - test/integration/default\n"
    ) in (web / "kitchen.yml").read_text()


def test_dokken_kitchen(tmp_path: Path) -> None:
    generate_cookbook(tmp_path / "web", kitchen=KitchenDriver.dokken, git=False)
    kitchen = (tmp_path / "web" / "kitchen.yml").read_text()

    assert kitchen.startswith("---\ndriver:\n  name: dokken\n  privileged: true")
    assert "transport:\n  name: dokken\n" in kitchen
    assert "provisioner:\n  name: dokken\n" in kitchen
    assert (
        "  - name: ubuntu-24.04\n    driver:\n      image: dokken/ubuntu-24.04\n"
        "      pid_one_command: /bin/systemd\n"
    ) in kitchen
    assert (
        "  - name: rockylinux-9\n    driver:\n      image: dokken/rockylinux-9\n"
        "      pid_one_command: /usr/lib/systemd/systemd\n"
    ) in kitchen
    assert kitchen.count("image: dokken/") == len(PLATFORMS)


@pytest.mark.parametrize(
    ("tool", "helper"),
    [
        (DependencyTool.policy, "chefspec/policyfile"),
        (DependencyTool.berks, "chefspec/berkshelf"),
    ],
)
def test_specs_match_the_dependency_tool(
    tmp_path: Path, tool: DependencyTool, helper: str
) -> None:
    result = generate_cookbook(
        tmp_path / "web", dependency_tool=tool, specs=True, year=2026, git=False
    )
    web = tmp_path / "web"

    assert {"spec/spec_helper.rb", "spec/unit/recipes/default_spec.rb"} <= set(
        result.created
    )
    assert (web / "spec/spec_helper.rb").read_text() == (
        f"require 'chefspec'\nrequire '{helper}'\n"
    )
    spec = (web / "spec/unit/recipes/default_spec.rb").read_text()
    assert spec.startswith(
        "#\n# Cookbook:: web\n# Spec:: default\n#\n"
        "# Copyright:: 2026, The Authors, All Rights Reserved.\n\n"
        "require 'spec_helper'\n\ndescribe 'web::default' do\n"
    )


@pytest.mark.parametrize(
    ("license", "metadata_license", "license_start"),
    [
        (License.mit, "MIT", "MIT License\n\nCopyright (c) 2026 Acme Ops\n"),
        (License.apachev2, "Apache-2.0", "Copyright 2026 Acme Ops\n\nLicensed under"),
        (License.gplv2, "GPL-2.0", "Copyright (C) 2026 Acme Ops\n"),
        (License.gplv3, "GPL-3.0", "Copyright (C) 2026 Acme Ops\n"),
    ],
)
def test_owner_and_license_reach_metadata_license_and_headers(
    tmp_path: Path, license: License, metadata_license: str, license_start: str
) -> None:
    defaults = GeneratorDefaults("Acme Ops", "ops@acme.test", license)
    generate_cookbook(tmp_path / "web", defaults=defaults, year=2026, git=False)
    web = tmp_path / "web"

    metadata = (web / "metadata.rb").read_text().splitlines()
    assert metadata[1:4] == [
        "maintainer 'Acme Ops'",
        "maintainer_email 'ops@acme.test'",
        f"license '{metadata_license}'",
    ]
    assert (web / "LICENSE").read_text().startswith(license_start)
    recipe = (web / "recipes/default.rb").read_text()
    assert "# Copyright:: 2026, Acme Ops\n#\n" in recipe
    if license is License.apachev2:
        assert "#     http://www.apache.org/licenses/LICENSE-2.0\n" in recipe
    else:
        assert recipe.endswith(f"# SPDX-License-Identifier: {metadata_license}\n")
    if license is License.gplv2:
        assert "version 2 of the License" in (web / "LICENSE").read_text()


def test_hyphenated_names_warn_but_generate(tmp_path: Path) -> None:
    result = generate_cookbook(tmp_path / "my-web", git=False)

    (warning,) = result.warnings
    assert "Hyphens are discouraged" in warning
    assert (
        (tmp_path / "my-web" / "metadata.rb").read_text().startswith("name 'my-web'\n")
    )


@pytest.mark.parametrize("name", ["my web", "-web", "web.app"])
def test_invalid_names_are_rejected_before_writing(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError):
        generate_cookbook(tmp_path / name, git=False)
    assert not (tmp_path / name).exists()


def test_the_name_is_the_last_path_component(tmp_path: Path) -> None:
    result = generate_cookbook(tmp_path / "cookbooks" / "web", git=False)

    assert result.name == "web"
    assert (tmp_path / "cookbooks/web/metadata.rb").read_text() == WEB_METADATA


def test_existing_files_are_kept_unless_forced(tmp_path: Path) -> None:
    web = tmp_path / "web"
    web.mkdir()
    (web / "README.md").write_text("# mine\n")

    kept = generate_cookbook(web, git=False)
    assert kept.kept == ("README.md",)
    assert "README.md" not in kept.created
    assert (web / "README.md").read_text() == "# mine\n"

    again = generate_cookbook(web, git=False)
    assert again.created == ()
    assert set(again.kept) == set(kept.created) | {"README.md"}

    forced = generate_cookbook(web, force=True, git=False)
    assert forced.created == ()
    assert "README.md" in forced.overwritten
    assert (web / "README.md").read_text().startswith("# web\n")


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout


def test_git_commits_when_an_identity_is_configured(
    tmp_path: Path, git_identity: str
) -> None:
    result = generate_cookbook(tmp_path / "web")

    assert result.git is not None
    assert result.git.action == "committed"
    web = tmp_path / "web"
    assert _git(web, "log", "--format=%ae %s").strip() == (
        f"{git_identity} Add generated cookbook content"
    )
    tracked = _git(web, "ls-files").split()
    assert sorted(tracked) == sorted([*COMMON_FILES, "Policyfile.rb"])
    assert _git(web, "status", "--porcelain") == ""


def test_no_git_identity_skips_git_and_still_generates(
    tmp_path: Path, git_without_identity: None
) -> None:
    result = generate_cookbook(tmp_path / "web")

    assert result.git is not None
    assert result.git.action == "skipped"
    assert "user.email" in result.git.reason
    assert not (tmp_path / "web" / ".git").exists()
    assert (tmp_path / "web" / "metadata.rb").is_file()


def test_inside_a_git_repository_no_new_repository_is_made(
    tmp_path: Path, git_identity: str
) -> None:
    _git(tmp_path, "init", "--quiet")
    result = generate_cookbook(tmp_path / "cookbooks" / "web")

    assert result.git is not None
    assert result.git.reason == "already inside a git repository"
    assert not (tmp_path / "cookbooks" / "web" / ".git").exists()


def test_a_failing_git_commit_is_a_warning_not_a_failure(
    tmp_path: Path, git_identity: str, isolated_home: Path
) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    hook = hooks / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'refusing: policy says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    with (isolated_home / ".gitconfig").open("a") as config:
        config.write(f"[core]\n\thooksPath = {hooks}\n")

    result = generate_cookbook(tmp_path / "web")

    assert result.git is not None
    assert result.git.action == "failed"
    assert result.git.reason == "git commit failed: refusing: policy says no"
    (warning,) = result.warnings
    assert warning == (
        "git commit failed: refusing: policy says no (the generated files are in place)"
    )
    assert (tmp_path / "web" / "metadata.rb").read_text() == WEB_METADATA


def test_a_file_in_the_way_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "web").write_text("not a folder\n")

    with pytest.raises(UsageError) as caught:
        generate_cookbook(tmp_path / "web", git=False)
    assert caught.value.message == f"{tmp_path / 'web'} exists and is not a folder"


def test_copyright_year_defaults_to_this_year(tmp_path: Path) -> None:
    import datetime

    generate_cookbook(tmp_path / "web", git=False)

    year = datetime.date.today().year
    assert (
        f"# Copyright:: {year}, The Authors, All Rights Reserved.\n"
        in (tmp_path / "web/recipes/default.rb").read_text()
    )
