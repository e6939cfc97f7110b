"""generate_code_file: files added to an existing cookbook, named from its metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchenctl.errors import InputFileError, UsageError
from kitchenctl.generate import (
    CodeFile,
    DependencyTool,
    GeneratorDefaults,
    License,
    generate_code_file,
    generate_cookbook,
)


@pytest.fixture
def cookbook(tmp_path: Path) -> Path:
    """A generated cookbook named 'containers' in a folder with another name."""
    folder = tmp_path / "checkout"
    generate_cookbook(folder, git=False)
    metadata = folder / "metadata.rb"
    metadata.write_text(
        metadata.read_text().replace("name 'checkout'", "name 'containers'")
    )
    return folder


def test_recipe_uses_the_metadata_name_not_the_folder(
    cookbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # chef/chef-cli#99: `chef generate recipe . NAME` wrote `.::NAME`.
    monkeypatch.chdir(cookbook)
    result = generate_code_file(CodeFile.recipe, Path(), "web", year=2026)

    assert result.root == cookbook
    assert result.created == (
        "recipes/web.rb",
        "test/integration/default/web_test.rb",
    )
    assert (cookbook / "recipes/web.rb").read_text() == (
        "#\n# Cookbook:: containers\n# Recipe:: web\n#\n"
        "# Copyright:: 2026, The Authors, All Rights Reserved.\n"
    )
    test = (cookbook / "test/integration/default/web_test.rb").read_text()
    assert test.startswith("# Chef InSpec test for recipe containers::web\n")
    assert "checkout" not in test


def test_recipe_specs_when_asked_use_the_cookbooks_tool(tmp_path: Path) -> None:
    generate_cookbook(tmp_path / "web", dependency_tool=DependencyTool.berks, git=False)
    result = generate_code_file(
        CodeFile.recipe, tmp_path / "web", "server", specs=True, year=2026
    )

    assert result.created == (
        "recipes/server.rb",
        "spec/spec_helper.rb",
        "spec/unit/recipes/server_spec.rb",
        "test/integration/default/server_test.rb",
    )
    assert (tmp_path / "web/spec/spec_helper.rb").read_text() == (
        "require 'chefspec'\nrequire 'chefspec/berkshelf'\n"
    )
    spec = (tmp_path / "web/spec/unit/recipes/server_spec.rb").read_text()
    assert "# Spec:: server\n" in spec
    assert "describe 'web::server' do\n" in spec


def test_recipe_specs_follow_an_existing_spec_folder(tmp_path: Path) -> None:
    generate_cookbook(tmp_path / "web", specs=True, git=False)
    result = generate_code_file(CodeFile.recipe, tmp_path / "web", "server")

    # The cookbook's spec_helper is kept; the new spec is added next to it.
    assert "spec/unit/recipes/server_spec.rb" in result.created
    assert result.kept == ("spec/spec_helper.rb",)
    assert (tmp_path / "web/spec/spec_helper.rb").read_text() == (
        "require 'chefspec'\nrequire 'chefspec/policyfile'\n"
    )


def test_recipe_without_spec_folder_gets_no_specs(cookbook: Path) -> None:
    result = generate_code_file(CodeFile.recipe, cookbook, "web")

    assert not any(path.startswith("spec/") for path in result.created)
    assert not (cookbook / "spec").exists()


def test_recipe_header_carries_the_license(cookbook: Path) -> None:
    defaults = GeneratorDefaults("Acme", "ops@acme.test", License.mit)
    generate_code_file(CodeFile.recipe, cookbook, "web", defaults=defaults, year=2025)

    assert (
        (cookbook / "recipes/web.rb")
        .read_text()
        .endswith("#\n# Copyright:: 2025, Acme\n#\n# SPDX-License-Identifier: MIT\n")
    )


def test_attribute_is_an_empty_file(cookbook: Path) -> None:
    result = generate_code_file(CodeFile.attribute, cookbook, "default")

    assert result.created == ("attributes/default.rb",)
    assert (cookbook / "attributes/default.rb").read_text() == ""


@pytest.mark.parametrize("name", ["nginx.conf", "nginx.conf.erb"])
def test_template_gets_one_erb_suffix(cookbook: Path, name: str) -> None:
    result = generate_code_file(CodeFile.template, cookbook, name)

    assert result.created == ("templates/nginx.conf.erb",)
    assert (cookbook / "templates/nginx.conf.erb").read_text() == ""


def test_file_goes_under_files(cookbook: Path) -> None:
    result = generate_code_file(CodeFile.file, cookbook, "motd.txt")

    assert result.created == ("files/motd.txt",)


def test_resource_names_the_full_resource(cookbook: Path) -> None:
    result = generate_code_file(CodeFile.resource, cookbook, "site")

    assert result.created == ("resources/site.rb",)
    text = (cookbook / "resources/site.rb").read_text()
    assert text.startswith(
        "# To learn more about Custom Resources, see https://docs.chef.io/custom_resources/\n"
    )
    assert "containers_site" in text


def test_helpers_modules_are_camel_case(tmp_path: Path) -> None:
    generate_cookbook(tmp_path / "my-web_app", git=False)
    result = generate_code_file(CodeFile.helpers, tmp_path / "my-web_app", "file_tools")

    assert result.created == ("libraries/file_tools.rb",)
    text = (tmp_path / "my-web_app/libraries/file_tools.rb").read_text()
    assert "\nmodule MyWebApp\n  module FileToolsHelpers\n" in text
    assert "#     extend MyWebApp::FileToolsHelpers\n" in text


def test_helpers_name_ending_in_helpers_is_not_doubled(cookbook: Path) -> None:
    generate_code_file(CodeFile.helpers, cookbook, "app_helpers")

    assert "module AppHelpers\n" in (cookbook / "libraries/app_helpers.rb").read_text()


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (CodeFile.recipe, "web.app"),
        (CodeFile.recipe, "../escape"),
        (CodeFile.attribute, "a b"),
        (CodeFile.resource, "-x"),
        (CodeFile.template, "sub/dir.conf"),
        (CodeFile.file, "../../etc/passwd"),
    ],
)
def test_invalid_names_write_nothing(cookbook: Path, kind: CodeFile, name: str) -> None:
    before = sorted(cookbook.rglob("*"))
    with pytest.raises(UsageError):
        generate_code_file(kind, cookbook, name)
    assert sorted(cookbook.rglob("*")) == before


def test_a_folder_that_is_not_a_cookbook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        generate_code_file(CodeFile.recipe, tmp_path, "web")
    assert "is not a cookbook" in caught.value.message
    assert not (tmp_path / "recipes").exists()


def test_existing_recipe_is_kept_then_forced(cookbook: Path) -> None:
    (cookbook / "recipes/web.rb").parent.mkdir(exist_ok=True)
    (cookbook / "recipes/web.rb").write_text("package 'nginx'\n")

    kept = generate_code_file(CodeFile.recipe, cookbook, "web")
    assert kept.kept == ("recipes/web.rb",)
    assert (cookbook / "recipes/web.rb").read_text() == "package 'nginx'\n"

    forced = generate_code_file(CodeFile.recipe, cookbook, "web", force=True)
    assert forced.overwritten == (
        "recipes/web.rb",
        "test/integration/default/web_test.rb",
    )
    assert (cookbook / "recipes/web.rb").read_text().startswith("#\n# Cookbook::")


@pytest.mark.parametrize(
    ("kind", "name", "created"),
    [
        (CodeFile.template, "app.conf", "templates/app.conf.erb"),
        (CodeFile.file, "app.bin", "files/app.bin"),
    ],
)
def test_source_is_copied_verbatim(
    cookbook: Path, tmp_path: Path, kind: CodeFile, name: str, created: str
) -> None:
    # Jinja-looking text and non-UTF-8 bytes must arrive untouched.
    source = tmp_path / "source"
    source.write_bytes(b"listen {{ port }} <%= @port %>\n\xff\x00")

    result = generate_code_file(kind, cookbook, name, source=source)

    assert result.created == (created,)
    assert (cookbook / created).read_bytes() == source.read_bytes()


def test_source_only_for_templates_and_files(cookbook: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        generate_code_file(CodeFile.recipe, cookbook, "web", source=tmp_path)


def test_unreadable_source_is_reported(cookbook: Path, tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        generate_code_file(
            CodeFile.template, cookbook, "app.conf", source=tmp_path / "missing"
        )
    assert str(tmp_path / "missing") in caught.value.message
    assert not (cookbook / "templates").exists()


def test_helpers_module_from_a_dotted_cookbook_name(tmp_path: Path) -> None:
    (tmp_path / "metadata.rb").write_text("name 'acme.web'\nversion '1.0.0'\n")

    generate_code_file(CodeFile.helpers, tmp_path, "tools")

    assert "\nmodule AcmeWeb\n" in (tmp_path / "libraries/tools.rb").read_text()
