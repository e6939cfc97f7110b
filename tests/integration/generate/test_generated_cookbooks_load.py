"""Every generated cookbook evaluates and loads with kitchenctl's own modules.

metadata.rb is evaluated by kitchenctl.metadata (the safe Ruby subset) and must give
exactly the metadata.json Chef would write; kitchenctl.cookbook_loader then loads the
cookbook with it: chefignore applied, every file name accepted, metadata.json
compiled in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kitchenctl.cookbook_loader import LoadedCookbook, load_cookbook
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
from kitchenctl.metadata import load_metadata

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


def expected_metadata(
    name: str,
    defaults: GeneratorDefaults,
    *,
    description: str | None = None,
    version: str = "0.1.0",
) -> dict[str, Any]:
    """The metadata.json Chef writes for a generated metadata.rb, key for key."""
    return {
        "name": name,
        "description": description or f"Installs/Configures {name}",
        "long_description": "",
        "maintainer": defaults.copyright_holder,
        "maintainer_email": defaults.email,
        "license": defaults.license.metadata_name,
        "platforms": {},
        "dependencies": {},
        "providing": {},
        "recipes": {},
        "version": version,
        "source_url": "",
        "issues_url": "",
        "privacy": False,
        "chef_versions": [[">= 16.0"]],
        "ohai_versions": [],
        "gems": [],
        "eager_load_libraries": True,
    }


def evaluate_and_load(cookbook: Path, expected: dict[str, Any]) -> LoadedCookbook:
    """Evaluate metadata.rb, check it against ``expected``, then load the cookbook."""
    metadata = load_metadata(cookbook)
    assert metadata.to_json_dict() == expected
    assert metadata.ignored_calls == ()

    # The loader evaluates metadata.rb itself, as an upload does.
    loaded = load_cookbook(cookbook)
    assert loaded.metadata == expected
    return loaded


DEFAULTS = GeneratorDefaults()

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

    loaded = evaluate_and_load(tmp_path / "web", expected_metadata("web", DEFAULTS))

    assert (loaded.name, loaded.version) == ("web", "0.1.0")
    assert [file.path for file in loaded.files] == UPLOADED


@pytest.mark.parametrize("license", list(License))
def test_every_license_loads(tmp_path: Path, license: License) -> None:
    defaults = GeneratorDefaults("Acme", "ops@acme.test", license)
    generate_cookbook(tmp_path / "web", defaults=defaults, git=False)

    loaded = evaluate_and_load(tmp_path / "web", expected_metadata("web", defaults))

    assert loaded.metadata["license"] == license.metadata_name
    assert [file.path for file in loaded.files] == UPLOADED


def test_hyphenated_cookbook_loads(tmp_path: Path) -> None:
    generate_cookbook(tmp_path / "my-web", git=False)
    expected = expected_metadata("my-web", DEFAULTS)

    assert evaluate_and_load(tmp_path / "my-web", expected).name == "my-web"


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

    loaded = evaluate_and_load(web, expected_metadata("web", DEFAULTS))

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
    defaults = GeneratorDefaults("Acme", "ops@acme.test", License.mit)
    generate_repo(tmp_path / "repo", defaults=defaults, git=False)
    expected = expected_metadata(
        "example", defaults, description="An example cookbook", version="1.0.0"
    )

    loaded = evaluate_and_load(tmp_path / "repo/cookbooks/example", expected)

    assert [file.path for file in loaded.files] == [
        "README.md",
        "attributes/default.rb",
        "metadata.json",
        "metadata.rb",
        "recipes/default.rb",
    ]
