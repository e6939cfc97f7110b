"""metadata.rb compiles to the metadata.json Chef wrote; Chef's validations hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kitchenctl.errors import InputFileError, RubyEvalError
from kitchenctl.metadata import CookbookMetadata, load_metadata

DATA = Path(__file__).parent.parent / "data" / "metadata"
REAL_COOKBOOKS = sorted(path.name for path in DATA.iterdir() if path.is_dir())
DEFAULTS = CookbookMetadata(name="x").to_json_dict()


@pytest.mark.parametrize("cookbook", REAL_COOKBOOKS)
def test_real_metadata_rb_compiles_to_the_metadata_json_chef_wrote(
    cookbook: str, tmp_path: Path
) -> None:
    folder = tmp_path / cookbook
    folder.mkdir()
    for source in (DATA / cookbook).iterdir():
        if source.name != "metadata.json":
            (folder / source.name).write_bytes(source.read_bytes())
    expected = json.loads((DATA / cookbook / "metadata.json").read_text())

    compiled = load_metadata(folder)

    actual = compiled.to_legacy_json_dict()
    assert {key: actual[key] for key in expected} == expected
    for key in DEFAULTS.keys() - expected.keys():
        assert actual[key] == DEFAULTS[key], key


def test_chef_18_document_has_chefs_keys_in_chefs_order(tmp_path: Path) -> None:
    (tmp_path / "metadata.rb").write_text("name 'hello'\n")

    document = load_metadata(tmp_path).to_json_dict()

    assert list(document) == [
        "name", "description", "long_description", "maintainer", "maintainer_email",
        "license", "platforms", "dependencies", "providing", "recipes", "version",
        "source_url", "issues_url", "privacy", "chef_versions", "ohai_versions",
        "gems", "eager_load_libraries",
    ]  # fmt: skip
    assert document["version"] == "0.0.0"
    assert document["license"] == "All rights reserved"
    assert document["eager_load_libraries"] is True


def compile_source(source: str, tmp_path: Path) -> dict[str, object]:
    (tmp_path / "metadata.rb").write_text(source)
    return load_metadata(tmp_path).to_json_dict()


def test_every_field_chef_writes(tmp_path: Path) -> None:
    source = """
name 'demo'
version '1.2'
maintainer 'Me'
maintainer_email 'me@example.com'
license 'Apache-2.0'
description 'Demo'
long_description <<~EOH
  # Demo
EOH
depends 'apt'
depends 'yum', '~> 7.0'
depends :windows, '9.0.1'
supports 'ubuntu', '>= 20.04'
supports :windows
provides 'demo::default'
recipe 'demo::default', 'Does it'
chef_version '>= 16', '< 19'
chef_version '~> 15.3'
ohai_version '>= 16'
gem 'aws-sdk', '~> 3'
gem 'toml', require: false
source_url 'https://example.com/demo'
issues_url 'https://example.com/demo/issues'
privacy true
eager_load_libraries %w(a.rb b.rb)
"""
    document = compile_source(source, tmp_path)

    assert document == {
        "name": "demo",
        "description": "Demo",
        "long_description": "# Demo\n",
        "maintainer": "Me",
        "maintainer_email": "me@example.com",
        "license": "Apache-2.0",
        "platforms": {"ubuntu": ">= 20.04", "windows": ">= 0.0.0"},
        "dependencies": {"apt": ">= 0.0.0", "yum": "~> 7.0", "windows": "= 9.0.1"},
        "providing": {"demo::default": ">= 0.0.0"},
        "recipes": {"demo::default": "Does it"},
        "version": "1.2.0",
        "source_url": "https://example.com/demo",
        "issues_url": "https://example.com/demo/issues",
        "privacy": True,
        "chef_versions": [["< 19", ">= 16"], ["~> 15.3"]],
        "ohai_versions": [[">= 16"]],
        "gems": [["aws-sdk", "~> 3"], ["toml", {"require": False}]],
        "eager_load_libraries": ["a.rb", "b.rb"],
    }


def test_removed_methods_are_kept_out_of_chef_18_json(tmp_path: Path) -> None:
    source = (
        "name 'old'\nrecommends 'apt'\nsuggests 'yum', '>= 1.0'\nconflicts 'x'\n"
        "replaces 'y'\nattribute 'old/port', display_name: 'Port', required: true\n"
        "grouping 'old', title: 'Old'\nsome_future_method 'value'\n"
    )
    (tmp_path / "metadata.rb").write_text(source)

    metadata = load_metadata(tmp_path)

    assert "recommendations" not in metadata.to_json_dict()
    legacy = metadata.to_legacy_json_dict()
    assert legacy["recommendations"] == {"apt": ">= 0.0.0"}
    assert legacy["suggestions"] == {"yum": ">= 1.0"}
    assert legacy["conflicting"] == {"x": ">= 0.0.0"}
    assert legacy["replacing"] == {"y": ">= 0.0.0"}
    assert legacy["attributes"] == {
        "old/port": {
            "display_name": "Port",
            "required": "required",
            "choice": [],
            "calculated": False,
            "type": "string",
            "recipes": [],
        }
    }
    assert legacy["groupings"] == {"old": {"title": "Old"}}
    assert metadata.ignored_calls == (
        f"{tmp_path / 'metadata.rb'}:8:1: some_future_method",
    )


def test_getters_interpolate_the_name(tmp_path: Path) -> None:
    source = "name 'apt'\nsource_url \"https://github.com/sous-chefs/#{name}\"\n"
    document = compile_source(source, tmp_path)
    assert document["source_url"] == "https://github.com/sous-chefs/apt"


def test_a_folder_with_only_metadata_json_is_read_from_it(tmp_path: Path) -> None:
    document = {"name": "built", "version": "2.0.0", "dependencies": {"apt": "~> 7.0"}}
    (tmp_path / "metadata.json").write_text(json.dumps(document))

    metadata = load_metadata(tmp_path)

    assert metadata.to_json_dict() == {
        **CookbookMetadata(name="built").to_json_dict(),
        "version": "2.0.0",
        "dependencies": {"apt": "~> 7.0"},
    }


def test_metadata_rb_wins_over_metadata_json(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text('{"name": "stale", "version": "0.1.0"}')
    (tmp_path / "metadata.rb").write_text("name 'fresh'\nversion '0.2.0'\n")
    assert load_metadata(tmp_path).name == "fresh"


def test_an_empty_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(
        InputFileError, match=r"neither metadata\.rb nor metadata\.json"
    ):
        load_metadata(tmp_path)


# Chef's validations, with Chef's wording, at file:line:column.


@pytest.mark.parametrize(
    ("source", "position", "message"),
    [
        (
            "name 'apt'\ndepends 'apt'\n",
            "2:1",
            "Cookbook depends on itself in cookbook apt, please remove the this "
            "unnecessary self-dependency",
        ),
        (
            "name 'web'\ndepends 'apt', '>= 1.0', '< 2.0'\n",
            "2:1",
            "The dependency specification syntax you are using is no longer valid. "
            "You may not specify more than one version constraint for a particular "
            'cookbook. Called by: depends \'apt\', ">= 1.0", "< 2.0"',
        ),
        (
            "name 'web'\nversion '1.2.3.4'\n",
            "2:1",
            "'1.2.3.4' does not match 'x.y.z' or 'x.y'",
        ),
        (
            "name 'web'\ndepends 'apt', '>> 1.0'\n",
            "2:1",
            "The version constraint syntax you are using is not valid. "
            "Called by: depends 'apt', '>> 1.0'",
        ),
        (
            "name 'web'\nsupports 'ubuntu', '>= twenty'\n",
            "2:1",
            "The version constraint syntax you are using is not valid.",
        ),
        (
            "name 'web'\nmaintainer 42\n",
            "2:1",
            "Option maintainer must be a kind of [String]!  You passed 42.",
        ),
        (
            "name 'web'\nprivacy 'yes'\n",
            "2:1",
            "Option privacy must be a kind of [TrueClass, FalseClass]!  "
            'You passed "yes".',
        ),
        ("name 'web'\nchef_version 'soon'\n", "2:1", 'Illformed requirement ["soon"]'),
    ],
)
def test_chef_validations_name_the_line(
    source: str, position: str, message: str, tmp_path: Path
) -> None:
    (tmp_path / "metadata.rb").write_text(source)
    with pytest.raises(InputFileError) as raised:
        load_metadata(tmp_path)
    assert raised.value.message.startswith(f"{tmp_path / 'metadata.rb'}:{position}: ")
    assert message in raised.value.message


def test_a_missing_name_is_chefs_error(tmp_path: Path) -> None:
    (tmp_path / "metadata.rb").write_text("version '1.0.0'\n")
    with pytest.raises(InputFileError) as raised:
        load_metadata(tmp_path)
    assert raised.value.message == (
        f"{tmp_path / 'metadata.rb'}: The `name' attribute is required in cookbook "
        "metadata"
    )


def test_metadata_json_without_a_name_is_chefs_error(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text('{"version": "1.0.0"}')
    with pytest.raises(InputFileError, match="The `name' attribute is required"):
        load_metadata(tmp_path)


def test_unknown_methods_with_a_block_fail_as_in_chef(tmp_path: Path) -> None:
    (tmp_path / "metadata.rb").write_text("name 'x'\nconfigure do\nend\n")
    with pytest.raises(RubyEvalError, match="2:1: undefined method `configure'"):
        load_metadata(tmp_path)


@pytest.mark.parametrize("cookbook", ["apt", "chef-client"])
def test_json_text_is_byte_for_byte_what_chef_wrote(cookbook: str) -> None:
    """These two files are stored verbatim, as Chef (ffi-yajl) laid them out."""
    metadata = load_metadata(DATA / cookbook)
    assert metadata.to_json() == (DATA / cookbook / "metadata.json").read_text()


RB_ONLY = Path(__file__).parent.parent / "data" / "metadata_rb"

# What each real file says, read off the file by hand: name, version, platforms,
# dependencies, chef_versions, source_url, gems, recipes.
RB_ONLY_EXPECTED: dict[str, dict[str, object]] = {
    "samba-2.0.11": {"version": "2.0.11", "chef_versions": [[">= 15.3"]]},
    "samba-1.1.2": {
        "version": "1.1.2",
        "chef_versions": [[">= 12.16"]],
        "issues_url": "https://github.com/sous-chefs/samba/issues",
    },
    "samba-1.0.4": {
        "license": "Apache 2.0",
        "dependencies": {"compat_resource": ">= 12.16"},
        "chef_versions": [[">= 12.5"]],
    },
    "chef-vault-3.1.2": {
        "platforms": {"any": ">= 0.0.0"},
        "gems": [["chef-vault", "< 4"]],
        "chef_versions": [[">= 12.9"]],
    },
    "selinux-6.1.12": {
        "version": "6.1.12",
        "source_url": "https://github.com/sous-chefs/selinux",
    },
    "chef_client_updater-3.14.0": {"chef_versions": [[">= 11"]]},
    "chef_client_updater-3.8.2": {
        "chef_versions": [[">= 11"]],
        "source_url": "https://github.com/chef-cookbooks/chef_client_updater",
    },
    "chef_client_updater-3.2.4": {
        "long_description": "Upgrades chef-client to specified releases",
        "issues_url": "https://github.com/chef-cookbooks/chef_client_updater/issues",
    },
    "riak-3.1.0": {
        "recipes": {
            "riak": "Installs Riak from a package",
            "riak::source": "Installs Erlang and Riak from source",
        },
        "dependencies": {
            name: ">= 0.0.0"
            for name in [
                "apt",
                "build-essential",
                "erlang",
                "git",
                "java",
                "sysctl",
                "ulimit",
                "yum",
                "yum-epel",
                "packagecloud",
            ]
        },
    },
}
PLATFORM_COUNTS = {
    "samba-2.0.11": 8,
    "samba-1.1.2": 8,
    "samba-1.0.4": 8,
    "chef-vault-3.1.2": 1,
    "selinux-6.1.12": 8,
    "chef_client_updater-3.14.0": 13,
    "chef_client_updater-3.8.2": 13,
    "chef_client_updater-3.2.4": 14,
    "riak-3.1.0": 7,
}


@pytest.mark.parametrize("cookbook", sorted(RB_ONLY_EXPECTED))
def test_more_real_metadata_rb_files_evaluate(cookbook: str) -> None:
    metadata = load_metadata(RB_ONLY / cookbook)
    document = metadata.to_json_dict()

    assert document["name"] == cookbook.rsplit("-", 1)[0]
    assert document["version"] == cookbook.rsplit("-", 1)[1]
    assert len(document["platforms"]) == PLATFORM_COUNTS[cookbook]
    for key, value in RB_ONLY_EXPECTED[cookbook].items():
        assert document[key] == value, key
    assert metadata.ignored_calls == ()


def test_platform_versions_follow_chef_not_semverse(tmp_path: Path) -> None:
    source = (
        "name 'x'\nsupports 'windows', '>= 6'\nsupports 'freebsd', '>= 10.1-RELEASE'\n"
        "supports 'ubuntu', '>=20.04'\ndepends 'apt', '~>7'\n"
    )
    document = compile_source(source, tmp_path)
    assert document["platforms"] == {
        "windows": ">= 6",
        "freebsd": ">= 10.1-RELEASE",
        "ubuntu": ">= 20.04",
    }
    assert document["dependencies"] == {"apt": "~> 7"}
