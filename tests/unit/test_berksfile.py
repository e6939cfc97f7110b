"""The Berksfile DSL: three real Berksfiles, and each DSL form and error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kitchenctl.berksfile import (
    Berksfile,
    Dependency,
    Location,
    Solver,
    Source,
    load_berksfile,
)
from kitchenctl.errors import InputFileError, RubyEvalError

DATA = Path(__file__).parent.parent / "data" / "berksfiles"
REAL = ["18F+identity-pki", "Alfresco+chef-aps", "BaritoLog+chef-repo"]


def lockfile_dependencies(lockfile: Path) -> dict[str, dict[str, str]]:
    """The DEPENDENCIES section: name -> its indented ``key: value`` lines."""
    entries: dict[str, dict[str, str]] = {}
    section = lockfile.read_text().split("\n\nGRAPH")[0].splitlines()[1:]
    current: dict[str, str] = {}
    for line in section:
        if line.startswith("    "):
            key, value = line.strip().split(": ", 1)
            current[key] = value
        else:
            name, _, constraint = line.strip().partition(" ")
            current = {"constraint": constraint.strip("()")} if constraint else {}
            entries[name] = current
    return entries


def read_real(name: str, tmp_path: Path) -> Berksfile:
    berksfile = tmp_path / "Berksfile"
    shutil.copy(DATA / f"{name}.Berksfile", berksfile)
    (tmp_path / "metadata.rb").write_text("name 'aps'\nversion '1.0.0'\n")
    return load_berksfile(berksfile)


@pytest.mark.parametrize("name", REAL)
def test_real_berksfiles_list_what_their_lockfiles_record(
    name: str, tmp_path: Path
) -> None:
    berksfile = read_real(name, tmp_path)
    locked = lockfile_dependencies(DATA / f"{name}.Berksfile.lock")

    assert sorted(dep.name for dep in berksfile.dependencies) == sorted(locked)
    for dependency in berksfile.dependencies:
        entry = locked[dependency.name]
        location = dependency.location
        recorded_constraint = dependency.constraint != ">= 0.0.0" and location is None
        assert ("constraint" in entry) == recorded_constraint, dependency.name
        if location is None:
            assert set(entry) <= {"constraint"}
        elif location.type == "path":
            assert entry["path"] == location.path
            assert ("metadata" in entry) == dependency.metadata
        else:
            assert entry["git"].lower().removesuffix(".git") == (
                (location.uri or "").lower().removesuffix(".git")
            )
            assert entry.get("rel") == location.rel
            assert entry.get("tag") == location.tag
            assert entry.get("branch") == location.branch
            if location.ref is not None:
                assert entry["ref"] == location.ref[:7]


def test_identity_pki_helper_defs_and_constants(tmp_path: Path) -> None:
    berksfile = read_real("18F+identity-pki", tmp_path)

    assert berksfile.sources == (
        Source("supermarket", "https://api.berkshelf.com", line=1),
    )
    assert berksfile.dependency("aws_s3") == Dependency(
        name="aws_s3",
        location=Location("path", path="kitchen/cookbooks/aws_s3"),
        line=37,
    )
    assert berksfile.dependency("static_eip") == Dependency(
        name="static_eip",
        constraint=">= 0.2.1",
        constraint_given=True,
        location=Location(
            "git",
            uri="https://github.com/18F/identity-cookbooks",
            ref="85cee92535ddd5c0aae691f361a0b6de56a1e679",
            rel="static_eip",
        ),
        line=58,
    )


def test_alfresco_metadata_line_reads_the_cookbook_name(tmp_path: Path) -> None:
    berksfile = read_real("Alfresco+chef-aps", tmp_path)

    assert berksfile.dependencies[0] == Dependency(
        name="aps", location=Location("path", path="."), metadata=True, line=3
    )
    assert berksfile.sources[0].is_default_supermarket


# The DSL, form by form.


def read(source: str, tmp_path: Path) -> Berksfile:
    path = tmp_path / "Berksfile"
    path.write_text(source)
    return load_berksfile(path)


def test_every_source_form_in_file_order(tmp_path: Path) -> None:
    berksfile = read(
        "source 'https://supermarket.chef.io'\n"
        "source :chef_server\n"
        "source chef_server: 'https://chef.example/organizations/acme'\n"
        "source chef_repo: '.'\n"
        "source artifactory: 'https://art.example/api/chef/repo', api_key: 'k'\n"
        "source supermarket: 'https://private.example'\n"
        "source 'https://supermarket.chef.io'\n",
        tmp_path,
    )

    assert berksfile.sources == (
        Source("supermarket", "https://supermarket.chef.io", line=7),
        Source("chef_server", None, line=2),
        Source("chef_server", "https://chef.example/organizations/acme", line=3),
        Source("chef_repo", ".", line=4),
        Source(
            "artifactory", "https://art.example/api/chef/repo", {"api_key": "k"}, line=5
        ),
        Source("supermarket", "https://private.example", line=6),
    )


def test_cookbook_constraints_locations_and_groups(tmp_path: Path) -> None:
    berksfile = read(
        "source 'https://supermarket.chef.io'\n"
        "cookbook 'apt'\n"
        "cookbook 'yum', '~>7.0'\n"
        "cookbook 'exact', '2.7.0'\n"
        "cookbook 'local', path: './cookbooks/../local'\n"
        "cookbook 'fixture', git: 'https://git.example/fixture.git', branch: 'main'\n"
        "cookbook 'gh', github: 'owner/gh', tag: 'v1.0'\n"
        "cookbook 'ghssh', github: 'owner/ghssh', github_protocol: :ssh\n"
        "cookbook 'tested', group: [:test, 'ci']\n"
        "group :integration, :kitchen do\n"
        "  cookbook 'inside', group: :extra\n"
        "end\n"
        "solver :gecode, :required\n",
        tmp_path,
    )

    by_name = {dep.name: dep for dep in berksfile.dependencies}
    assert [dep.name for dep in berksfile.dependencies] == list(by_name)
    assert by_name["apt"].constraint == ">= 0.0.0"
    assert not by_name["apt"].constraint_given
    assert by_name["yum"].constraint == "~> 7.0"
    assert by_name["exact"].constraint == "= 2.7.0"
    assert by_name["local"].location == Location("path", path="local")
    assert by_name["fixture"].location == Location(
        "git", uri="https://git.example/fixture.git", branch="main"
    )
    assert by_name["gh"].location == Location(
        "github", uri="https://github.com/owner/gh.git", github="owner/gh", tag="v1.0"
    )
    assert by_name["ghssh"].location == Location(
        "github", uri="git@github.com:owner/ghssh.git", github="owner/ghssh"
    )
    assert by_name["apt"].groups == ("default",)
    assert by_name["tested"].groups == ("test", "ci")
    assert by_name["inside"].groups == ("extra", "integration", "kitchen")
    assert berksfile.solver == Solver("gecode", "required")
    assert [d.name for d in berksfile.in_groups(only=("test",))] == ["tested"]
    assert "inside" not in {d.name for d in berksfile.in_groups(exclude=("kitchen",))}


def test_env_and_conditionals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USE_LOCAL", "1")
    berksfile = read(
        "source ENV.fetch('BERKS_SOURCE', 'https://supermarket.chef.io')\n"
        "if ENV['USE_LOCAL']\n"
        "  cookbook 'app', path: '../app'\n"
        "else\n"
        "  cookbook 'app', '~> 1.0'\n"
        "end\n",
        tmp_path,
    )

    assert berksfile.sources[0].url == "https://supermarket.chef.io"
    assert berksfile.dependencies[0].location == Location("path", path="../app")


def test_same_name_in_different_groups_keeps_the_last(tmp_path: Path) -> None:
    berksfile = read(
        "cookbook 'apt', '~> 1.0'\ngroup :test do\n  cookbook 'apt', '~> 2.0'\nend\n",
        tmp_path,
    )
    assert [(d.name, d.constraint) for d in berksfile.dependencies] == [
        ("apt", "~> 2.0")
    ]


# Berkshelf's errors.


@pytest.mark.parametrize(
    ("source", "position", "message"),
    [
        (
            "cookbook 'apt'\ncookbook 'apt', '~> 2.0'\n",
            "2:1",
            "Your Berksfile contains multiple entries named 'apt'. Please remove "
            "duplicate dependencies, or put them in different groups. "
            "(first at line 1)",
        ),
        (
            "cookbook 'apt', 'latest'\n",
            "1:1",
            "'latest' did not contain a valid operator or a valid version string.",
        ),
        ("cookbook 'apt', path: '.', version: '1'\n", "1:1", "unknown option version:"),
        ("cookbook 'apt', branch: 'main'\n", "1:1", "branch: needs git: or github:"),
        ("source 42\n", "1:1", "a source is a URL, :chef_server, or one of"),
        ("source nexus: 'https://x'\n", "1:1", "a source is a URL"),
        ("extension 'hg'\n", "1:1", "Berkshelf extensions (plugins) are not supported"),
        ("site :opscode\n", "1:1", "Site locations have been replaced"),
        ("metadata\n", "1:1", "`metadata` reads the cookbook in"),
        ("solver :ruby, :sometimes\n", "1:1", "solver takes an engine"),
    ],
)
def test_berkshelf_errors_name_the_line(
    source: str, position: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(InputFileError) as raised:
        read(source, tmp_path)
    assert raised.value.message.startswith(f"{tmp_path / 'Berksfile'}:{position}: ")
    assert message in raised.value.message


def test_no_sources_is_berkshelfs_error_when_a_source_is_needed(tmp_path: Path) -> None:
    berksfile = read("cookbook 'apt'\n", tmp_path)

    with pytest.raises(InputFileError) as raised:
        berksfile.require_sources()

    assert "Your Berksfile does not define any API sources!" in raised.value.message
    assert "source 'https://supermarket.chef.io'" in raised.value.message


def test_ruby_outside_the_subset_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RubyEvalError, match=r"Berksfile:1:1: the method `gem`"):
        read("gem 'berkshelf-hg'\n", tmp_path)
