"""Loading cookbook folders built in tmp_path: file selection, checksums, manifests."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from kitchenctl.cookbook_loader import (
    COOKBOOK_SEGMENTS,
    CookbookFile,
    LoadedCookbook,
    load_cookbook,
    manifest_name_and_specificity,
    metadata_json_bytes,
)
from kitchenctl.errors import InputFileError, InvalidCookbookFiles, RubyEvalError
from kitchenctl.metadata import compile_cookbook_metadata, metadata_from_dict

METADATA = {"name": "hello", "version": "0.1.0", "dependencies": {}}
# What Chef (and kitchenctl.metadata) makes of METADATA: every Chef 18 key.
NORMALISED = metadata_from_dict(METADATA, "test").to_json_dict()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def make_cookbook(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> content) below ``root``; return ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def paths(cookbook: LoadedCookbook) -> list[str]:
    return [file.path for file in cookbook.files]


@pytest.fixture
def hello(tmp_path: Path) -> Path:
    return make_cookbook(
        tmp_path / "hello",
        {
            "metadata.json": json.dumps(METADATA),
            "README.md": "# hello\n",
            "recipes/default.rb": "log 'hello'\n",
            "templates/default/app.conf.erb": "port <%= @port %>\n",
            "files/motd": "welcome\n",
            "spec/unit/recipes/default_spec.rb": "describe 'hello' do\nend\n",
        },
    )


# The table of reference §4.3, plus deeper and odd paths.
SPECIFICITY_CASES = [
    ("metadata.rb", "root_files/metadata.rb", "default"),
    ("files/motd", "files/motd", "root_default"),
    ("files/default/conf/app.ini", "files/app.ini", "default"),
    ("templates/ubuntu/app.erb", "templates/app.erb", "ubuntu"),
    ("templates/host-web1/a/b/c.erb", "templates/c.erb", "host-web1"),
    ("templates/app.erb", "templates/app.erb", "root_default"),
    ("recipes/default.rb", "recipes/default.rb", "default"),
    ("libraries/helpers/deep.rb", "libraries/deep.rb", "default"),
    ("spec/unit/x_spec.rb", "spec/x_spec.rb", "default"),
    (".rubocop.yml", "root_files/.rubocop.yml", "default"),
]


@pytest.mark.parametrize(("path", "name", "specificity"), SPECIFICITY_CASES)
def test_manifest_name_and_specificity(path: str, name: str, specificity: str) -> None:
    assert manifest_name_and_specificity(path) == (name, specificity)


def test_every_file_is_listed_sorted_with_its_md5(hello: Path) -> None:
    cookbook = load_cookbook(hello)

    assert paths(cookbook) == [
        "README.md",
        "files/motd",
        "metadata.json",
        "recipes/default.rb",
        "spec/unit/recipes/default_spec.rb",
        "templates/default/app.conf.erb",
    ]
    for file in cookbook.files:
        content = (hello / file.path).read_bytes()
        assert file.checksum == md5(content)
        assert file.size == len(content)
        assert file.source == hello / file.path


def test_name_version_and_metadata_come_from_metadata_json(hello: Path) -> None:
    cookbook = load_cookbook(hello)

    assert (cookbook.name, cookbook.version, cookbook.full_name) == (
        "hello",
        "0.1.0",
        "hello-0.1.0",
    )
    assert cookbook.metadata == NORMALISED
    assert cookbook.metadata["dependencies"] == {}
    assert cookbook.root == hello


def test_a_metadata_json_that_is_the_source_is_uploaded_unchanged(hello: Path) -> None:
    cookbook = load_cookbook(hello)

    [metadata_json] = [file for file in cookbook.files if file.path == "metadata.json"]
    assert metadata_json.source == hello / "metadata.json"
    assert metadata_json.read_bytes() == json.dumps(METADATA).encode()


def test_given_metadata_is_compiled_in_memory_and_replaces_the_file(
    hello: Path,
) -> None:
    compiled = {**METADATA, "description": "Says hello — politely"}
    before = sorted(p.name for p in hello.iterdir())

    cookbook = load_cookbook(hello, metadata=compiled)

    [metadata_json] = [file for file in cookbook.files if file.path == "metadata.json"]
    expected = metadata_json_bytes(compiled)
    assert metadata_json.source == expected
    assert json.loads(expected) == compiled
    assert metadata_json.checksum == md5(expected)
    assert metadata_json.size == len(expected)
    assert cookbook.metadata == compiled
    # Nothing is written into the user's folder.
    assert sorted(p.name for p in hello.iterdir()) == before
    assert json.loads((hello / "metadata.json").read_text()) == METADATA


def test_compiled_metadata_json_is_added_when_none_is_on_disk(tmp_path: Path) -> None:
    root = make_cookbook(
        tmp_path / "hello",
        {"metadata.rb": "name 'hello'\n", "recipes/default.rb": ""},
    )

    cookbook = load_cookbook(root, metadata=METADATA)

    assert paths(cookbook) == ["metadata.json", "metadata.rb", "recipes/default.rb"]
    assert not (root / "metadata.json").exists()


def test_top_level_dot_folders_are_skipped_but_dot_files_kept(tmp_path: Path) -> None:
    root = make_cookbook(
        tmp_path / "hello",
        {
            "metadata.json": json.dumps(METADATA),
            ".git/config": "[core]\n",
            ".kitchen/default.yml": "x\n",
            ".rubocop.yml": "AllCops: {}\n",
            "files/default/.hidden/secret.txt": "dot folders deeper are kept\n",
            "files/default/.dotfile": "kept\n",
        },
    )

    assert paths(load_cookbook(root)) == [
        ".rubocop.yml",
        "files/default/.dotfile",
        "files/default/.hidden/secret.txt",
        "metadata.json",
    ]


def test_uploaded_cookbook_version_json_is_skipped_everywhere(tmp_path: Path) -> None:
    root = make_cookbook(
        tmp_path / "hello",
        {
            "metadata.json": json.dumps(METADATA),
            ".uploaded-cookbook-version.json": "{}",
            "files/.uploaded-cookbook-version.json": "{}",
        },
    )

    assert paths(load_cookbook(root)) == ["metadata.json"]


def test_symlinks_to_folders_are_not_entered(tmp_path: Path) -> None:
    outside = make_cookbook(tmp_path / "outside", {"big/file.txt": "not ours\n"})
    root = make_cookbook(tmp_path / "hello", {"metadata.json": json.dumps(METADATA)})
    (root / "linked").symlink_to(outside / "big")
    (root / "files").mkdir()
    (root / "files" / "linked").symlink_to(outside / "big")

    assert paths(load_cookbook(root)) == ["metadata.json"]


def test_a_symlink_to_a_file_counts_as_that_file(tmp_path: Path) -> None:
    target = make_cookbook(tmp_path / "outside", {"motd": "shared motd\n"}) / "motd"
    root = make_cookbook(tmp_path / "hello", {"metadata.json": json.dumps(METADATA)})
    (root / "files").mkdir()
    (root / "files" / "motd").symlink_to(target)
    (root / "files" / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(root / "files" / "pipe")

    cookbook = load_cookbook(root)

    assert paths(cookbook) == ["files/motd", "metadata.json"]
    assert cookbook.files[0].checksum == md5(b"shared motd\n")


def test_chefignore_in_the_cookbook_removes_matching_files(tmp_path: Path) -> None:
    root = make_cookbook(
        tmp_path / "hello",
        {
            "metadata.json": json.dumps(METADATA),
            "chefignore": "# editor files\n*~\n.*.sw[a-z]\nspec/*\nBerksfile*\n",
            "Berksfile": "source 'https://supermarket.chef.io'\n",
            "Berksfile.lock": "",
            "recipes/default.rb": "",
            "recipes/default.rb~": "",
            "recipes/.default.rb.swp": "",
            ".metadata.rb.swp": "",
            "spec/unit/default_spec.rb": "",
            ".rspec": "--color\n",
        },
    )

    # As in Chef: '*' does not match the leading dot of .rspec, and '.*.sw[a-z]'
    # only matches paths that start with a dot, so the swap file in recipes/ stays.
    assert paths(load_cookbook(root)) == [
        ".rspec",
        "chefignore",
        "metadata.json",
        "recipes/.default.rb.swp",
        "recipes/default.rb",
    ]


def test_a_repo_level_chefignore_applies(tmp_path: Path) -> None:
    repo = make_cookbook(tmp_path / "repo", {"cookbooks/chefignore": "test/*\n"})
    root = make_cookbook(
        repo / "cookbooks" / "hello",
        {"metadata.json": json.dumps(METADATA), "test/integration/x_test.rb": ""},
    )

    assert paths(load_cookbook(root)) == ["metadata.json"]


def test_ignored_files_with_bad_names_do_not_count(tmp_path: Path) -> None:
    root = make_cookbook(
        tmp_path / "hello",
        {
            "metadata.json": json.dumps(METADATA),
            "chefignore": "old/*\n",
            "old/my recipe.rb": "",
        },
    )

    assert paths(load_cookbook(root)) == ["chefignore", "metadata.json"]


def test_every_rejected_file_name_is_listed_in_one_error(tmp_path: Path) -> None:
    root = make_cookbook(
        tmp_path / "hello",
        {
            "metadata.json": json.dumps(METADATA),
            "recipes/my recipe.rb": "",
            "libraries/tab\there.rb": "",
            "my folder/x.rb": "",
            "files/default/a file with spaces.txt": "allowed: not Ruby",
        },
    )
    (root / "files" / b"latin1-\xe9.txt".decode("utf-8", "surrogateescape")).touch()

    with pytest.raises(InvalidCookbookFiles) as caught:
        load_cookbook(root)

    error = caught.value
    assert error.exit_code == 5
    assert isinstance(error, InputFileError)
    assert len(error.files) == 4
    assert error.files[0] == "files/latin1-\udce9.txt"
    assert error.files[1:] == (
        "libraries/tab\there.rb",
        "my folder/x.rb",
        "recipes/my recipe.rb",
    )
    assert error.message == (
        f"{root}: cookbook 'hello' has 4 file name(s) Chef rejects: "
        "files/latin1-\\udce9.txt (not valid UTF-8), "
        "libraries/tab\there.rb (whitespace in a Ruby file's path), "
        "my folder/x.rb (whitespace in a Ruby file's path), "
        "recipes/my recipe.rb (whitespace in a Ruby file's path)"
    )
    assert error.hint == "rename them, or list them in chefignore to leave them out"


def test_checksums_stream_across_chunks(tmp_path: Path) -> None:
    content = bytes(range(256)) * 12_289  # about 3 MiB, not a multiple of the chunk
    root = make_cookbook(
        tmp_path / "hello",
        {"metadata.json": json.dumps(METADATA), "files/default/blob.bin": content},
    )

    [blob] = [f for f in load_cookbook(root).files if f.path.endswith("blob.bin")]

    assert blob.checksum == md5(content)
    assert blob.size == len(content)
    with blob.open() as handle:
        assert handle.read() == content


def test_loading_twice_gives_the_same_manifest(hello: Path) -> None:
    first = load_cookbook(hello).manifest_v2()
    second = load_cookbook(hello).manifest_v2()

    assert json.dumps(first) == json.dumps(second)
    assert [r["path"] for r in first["all_files"]] == sorted(
        r["path"] for r in first["all_files"]
    )


def test_files_by_checksum_keeps_one_file_per_checksum(tmp_path: Path) -> None:
    root = make_cookbook(
        tmp_path / "hello",
        {
            "metadata.json": json.dumps(METADATA),
            "files/a.txt": "same\n",
            "files/b.txt": "same\n",
        },
    )

    unique = load_cookbook(root).files_by_checksum()

    assert unique[md5(b"same\n")].path == "files/a.txt"
    assert len(unique) == 2


def test_manifest_v2_body(hello: Path) -> None:
    body = load_cookbook(hello).manifest_v2()

    def record(path: str, name: str, specificity: str) -> dict[str, str]:
        checksum = md5((hello / path).read_bytes())
        return {
            "name": name,
            "path": path,
            "checksum": checksum,
            "specificity": specificity,
        }

    assert body == {
        "name": "hello-0.1.0",
        "cookbook_name": "hello",
        "version": "0.1.0",
        "json_class": "Chef::CookbookVersion",
        "chef_type": "cookbook_version",
        "frozen?": False,
        "metadata": NORMALISED,
        "all_files": [
            record("README.md", "root_files/README.md", "default"),
            record("files/motd", "files/motd", "root_default"),
            record("metadata.json", "root_files/metadata.json", "default"),
            record("recipes/default.rb", "recipes/default.rb", "default"),
            record(
                "spec/unit/recipes/default_spec.rb", "spec/default_spec.rb", "default"
            ),
            record(
                "templates/default/app.conf.erb", "templates/app.conf.erb", "default"
            ),
        ],
    }


def test_manifest_v0_body_has_all_nine_segments(hello: Path) -> None:
    body = load_cookbook(hello).manifest_v0(frozen=True)

    def record(path: str, name: str, specificity: str) -> dict[str, str]:
        checksum = md5((hello / path).read_bytes())
        return {
            "name": name,
            "path": path,
            "checksum": checksum,
            "specificity": specificity,
        }

    assert "all_files" not in body
    assert body["frozen?"] is True
    assert {key: body[key] for key in COOKBOOK_SEGMENTS} == {
        "resources": [],
        "providers": [],
        "recipes": [record("recipes/default.rb", "default.rb", "default")],
        "definitions": [],
        "libraries": [],
        "attributes": [],
        "files": [record("files/motd", "motd", "root_default")],
        "templates": [
            record("templates/default/app.conf.erb", "app.conf.erb", "default")
        ],
        "root_files": [
            record("README.md", "README.md", "default"),
            record("metadata.json", "metadata.json", "default"),
        ],
    }
    # spec/ is in no segment, so it is not sent.
    assert "spec/" not in json.dumps(body)


def test_manifest_picks_the_shape_by_api_version(hello: Path) -> None:
    cookbook = load_cookbook(hello)

    assert cookbook.manifest(2) == cookbook.manifest_v2()
    assert cookbook.manifest(1, frozen=True) == cookbook.manifest_v0(frozen=True)
    assert cookbook.manifest(0) == cookbook.manifest_v0()


def test_bodies_do_not_share_the_metadata_dict(hello: Path) -> None:
    cookbook = load_cookbook(hello)
    body: dict[str, Any] = cookbook.manifest_v2()

    body["metadata"]["name"] = "changed"

    assert cookbook.metadata["name"] == "hello"


def test_cookbook_file_from_bytes_reads_back() -> None:
    file = CookbookFile(path="metadata.json", checksum=md5(b"{}"), size=2, source=b"{}")

    assert file.read_bytes() == b"{}"
    with file.open() as handle:
        assert handle.read() == b"{}"


def test_a_folder_without_metadata_is_not_a_cookbook(tmp_path: Path) -> None:
    root = make_cookbook(tmp_path / "hello", {"recipes/default.rb": ""})

    with pytest.raises(
        InputFileError, match=r"neither metadata\.rb nor metadata\.json"
    ):
        load_cookbook(root)


def test_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="it is not a folder"):
        load_cookbook(tmp_path / "nosuch")


def test_metadata_without_a_name_is_rejected(tmp_path: Path) -> None:
    root = make_cookbook(
        tmp_path / "hello", {"metadata.json": json.dumps({"version": "1.0.0"})}
    )

    with pytest.raises(InputFileError, match="The `name' attribute is required"):
        load_cookbook(root)


def test_a_missing_version_defaults_to_chefs_0_0_0(tmp_path: Path) -> None:
    root = make_cookbook(tmp_path / "hello", {"metadata.json": '{"name": "hello"}'})

    assert load_cookbook(root).version == "0.0.0"


def test_broken_metadata_json_names_the_line(tmp_path: Path) -> None:
    root = make_cookbook(tmp_path / "hello", {"metadata.json": '{\n  "name": \n}'})

    with pytest.raises(InputFileError, match=r"metadata\.json: .* line 3 column 1"):
        load_cookbook(root)


METADATA_RB = """\
name 'hello'
maintainer 'Kitchen Team'
license 'Apache-2.0'
description 'Says hello'
version '0.1.0'
chef_version '>= 16.0'
depends 'apt', '~> 7.0'
%w(ubuntu debian).each { |os| supports os }
"""


def test_metadata_rb_is_evaluated_and_compiled_in_memory(tmp_path: Path) -> None:
    root = make_cookbook(
        tmp_path / "hello", {"metadata.rb": METADATA_RB, "recipes/default.rb": ""}
    )

    cookbook = load_cookbook(root)

    assert (cookbook.name, cookbook.version) == ("hello", "0.1.0")
    assert cookbook.metadata["dependencies"] == {"apt": "~> 7.0"}
    assert cookbook.metadata["platforms"] == {
        "ubuntu": ">= 0.0.0",
        "debian": ">= 0.0.0",
    }
    assert cookbook.metadata["chef_versions"] == [[">= 16.0"]]
    assert paths(cookbook) == ["metadata.json", "metadata.rb", "recipes/default.rb"]
    assert not (root / "metadata.json").exists()


def test_the_uploaded_metadata_json_is_what_cookbook_metadata_writes(
    tmp_path: Path,
) -> None:
    root = make_cookbook(tmp_path / "hello", {"metadata.rb": METADATA_RB})
    cookbook = load_cookbook(root)
    [in_memory] = [file for file in cookbook.files if file.path == "metadata.json"]

    written = compile_cookbook_metadata(root, write=True).written

    assert written is not None
    assert in_memory.read_bytes() == written.read_bytes()
    assert in_memory.checksum == md5(written.read_bytes())
    assert json.loads(in_memory.read_bytes()) == cookbook.metadata


def test_metadata_rb_wins_over_a_stale_metadata_json(tmp_path: Path) -> None:
    stale = json.dumps({"name": "hello", "version": "0.0.1"})
    root = make_cookbook(
        tmp_path / "hello", {"metadata.rb": METADATA_RB, "metadata.json": stale}
    )

    cookbook = load_cookbook(root)

    [metadata_json] = [file for file in cookbook.files if file.path == "metadata.json"]
    assert cookbook.version == "0.1.0"
    assert json.loads(metadata_json.read_bytes())["version"] == "0.1.0"
    assert (root / "metadata.json").read_text() == stale


def test_metadata_rb_outside_the_safe_subset_is_reported(tmp_path: Path) -> None:
    root = make_cookbook(
        tmp_path / "hello", {"metadata.rb": "name 'hello'\n`rm -rf /`\n"}
    )

    with pytest.raises(RubyEvalError, match=r"metadata\.rb:2:"):
        load_cookbook(root)


def test_a_relative_path_is_made_absolute_and_folded(
    hello: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (hello.parent / "elsewhere").mkdir()
    monkeypatch.chdir(hello.parent / "elsewhere")

    cookbook = load_cookbook(Path("../hello"))

    assert cookbook.root == hello
    assert cookbook.files[0].source == hello / "README.md"
