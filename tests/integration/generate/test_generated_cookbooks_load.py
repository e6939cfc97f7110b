"""Every generated cookbook loads with kitchenctl's own cookbook loader.

The loader is given the metadata that metadata.rb states (metadata.rb evaluation is
a separate module), so these tests check what the loader selects and uploads:
chefignore applied, every file name accepted, metadata.json compiled in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kitchenctl.cookbook_loader import load_cookbook
from kitchenctl.generate import (
    CodeFile,
    DependencyTool,
    GeneratorDefaults,
    KitchenDriver,
    License,
    generate_code_file,
    generate_cookbook,
    generate_repo,
)

# What the generated chefignore leaves to upload from a new cookbook: no tests, no
# kitchen.yml, no Policyfile or Berksfile, no git files.
UPLOADED = [
    "CHANGELOG.md",
    "LICENSE",
    "README.md",
    "chefignore",
    "compliance/README.md",
    "metadata.json",
    "metadata.rb",
    "recipes/default.rb",
]


def stated_metadata(name: str, defaults: GeneratorDefaults) -> dict[str, Any]:
    """What the generated metadata.rb says, in metadata.json's terms."""
    return {
        "name": name,
        "maintainer": defaults.copyright_holder,
        "maintainer_email": defaults.email,
        "license": defaults.license.metadata_name,
        "description": f"Installs/Configures {name}",
        "version": "0.1.0",
        "chef_versions": [[">= 16.0"]],
    }


OPTIONS: list[dict[str, Any]] = [
    {},
    {"dependency_tool": DependencyTool.berks},
    {"kitchen": KitchenDriver.dokken},
    {"specs": True},
    {"dependency_tool": DependencyTool.berks, "specs": True},
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda options: str(options) or "{}")
def test_generated_cookbook_loads(tmp_path: Path, options: dict[str, Any]) -> None:
    generate_cookbook(tmp_path / "web", git=False, **options)
    defaults = GeneratorDefaults()

    loaded = load_cookbook(tmp_path / "web", metadata=stated_metadata("web", defaults))

    assert (loaded.name, loaded.version) == ("web", "0.1.0")
    assert [file.path for file in loaded.files] == UPLOADED


@pytest.mark.parametrize("license", list(License))
def test_every_license_loads(tmp_path: Path, license: License) -> None:
    defaults = GeneratorDefaults("Acme", "ops@acme.test", license)
    generate_cookbook(tmp_path / "web", defaults=defaults, git=False)

    loaded = load_cookbook(tmp_path / "web", metadata=stated_metadata("web", defaults))

    assert loaded.metadata["license"] == license.metadata_name
    assert [file.path for file in loaded.files] == UPLOADED


def test_hyphenated_cookbook_loads(tmp_path: Path) -> None:
    generate_cookbook(tmp_path / "my-web", git=False)
    metadata = stated_metadata("my-web", GeneratorDefaults())

    assert load_cookbook(tmp_path / "my-web", metadata=metadata).name == "my-web"


def test_cookbook_with_every_code_file_loads(tmp_path: Path) -> None:
    web = tmp_path / "web"
    generate_cookbook(web, specs=True, git=False)
    for kind, name in [
        (CodeFile.recipe, "server"),
        (CodeFile.attribute, "default"),
        (CodeFile.template, "nginx.conf"),
        (CodeFile.file, "motd"),
        (CodeFile.resource, "site"),
        (CodeFile.helpers, "tools"),
    ]:
        generate_code_file(kind, web, name)

    loaded = load_cookbook(web, metadata=stated_metadata("web", GeneratorDefaults()))

    assert [file.path for file in loaded.files] == sorted(
        [
            *UPLOADED,
            "attributes/default.rb",
            "files/motd",
            "libraries/tools.rb",
            "recipes/server.rb",
            "resources/site.rb",
            "templates/nginx.conf.erb",
        ]
    )
    manifest = loaded.manifest(0)
    assert [record["name"] for record in manifest["templates"]] == ["nginx.conf.erb"]
    assert manifest["templates"][0]["specificity"] == "root_default"


def test_repo_example_cookbook_loads(tmp_path: Path) -> None:
    generate_repo(tmp_path / "repo", git=False)
    metadata = {"name": "example", "version": "1.0.0"}

    loaded = load_cookbook(tmp_path / "repo/cookbooks/example", metadata=metadata)

    assert [file.path for file in loaded.files] == [
        "README.md",
        "attributes/default.rb",
        "metadata.json",
        "metadata.rb",
        "recipes/default.rb",
    ]
