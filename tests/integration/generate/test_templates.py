"""The built-in templates, the user's overrides, and template errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchenctl.errors import ConfigError, InputFileError
from kitchenctl.generate import (
    CodeFile,
    GeneratorDefaults,
    builtin_templates_dir,
    generate_code_file,
    generate_cookbook,
)

REPOSITORY = Path(__file__).resolve().parents[3]
GENERATORS = [
    "attribute",
    "cookbook",
    "file",
    "helpers",
    "policyfile",
    "recipe",
    "repo",
    "resource",
    "template",
]


def test_source_checkout_templates_are_found() -> None:
    assert builtin_templates_dir() == REPOSITORY / "templates"
    found = sorted(
        path.parent.name for path in builtin_templates_dir().glob("*/cookiecutter.json")
    )
    assert found == GENERATORS


@pytest.mark.parametrize("generator", GENERATORS)
def test_templates_are_plain_cookiecutter_templates(
    generator: str, tmp_path: Path
) -> None:
    # Users can render them with cookiecutter itself, from cookiecutter.json's defaults.
    from cookiecutter.main import cookiecutter

    output = cookiecutter(
        str(builtin_templates_dir() / generator),
        no_input=True,
        output_dir=str(tmp_path / "out"),
        accept_hooks=False,
    )
    assert any(path.is_file() for path in Path(output).rglob("*"))


def _user_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "my-templates"
    cookbook = folder / "cookbook" / "{{cookiecutter.cookbook_name}}"
    cookbook.mkdir(parents=True)
    (cookbook / "README.md").write_text(
        "# {{ cookiecutter.cookbook_name }}\n\nOwned by {{ cookiecutter.email }}.\n"
    )
    (cookbook / "Rakefile").write_text("task default: []\n")
    return folder


def test_user_templates_override_file_by_file(tmp_path: Path) -> None:
    defaults = GeneratorDefaults(
        email="ops@acme.test", template_dir=_user_templates(tmp_path)
    )
    result = generate_cookbook(tmp_path / "web", defaults=defaults, git=False)
    web = tmp_path / "web"

    assert (web / "README.md").read_text() == "# web\n\nOwned by ops@acme.test.\n"
    assert (web / "Rakefile").read_text() == "task default: []\n"
    # Every file the user did not override is the built-in one.
    assert (
        (web / "metadata.rb")
        .read_text()
        .startswith("name 'web'\nmaintainer 'The Authors'\n")
    )
    assert {"Rakefile", "Policyfile.rb", "kitchen.yml"} <= set(result.created)


def test_user_templates_without_this_generator_use_the_builtin(tmp_path: Path) -> None:
    defaults = GeneratorDefaults(template_dir=_user_templates(tmp_path))
    generate_cookbook(tmp_path / "web", defaults=defaults, git=False)
    result = generate_code_file(
        CodeFile.attribute, tmp_path / "web", "default", defaults=defaults
    )

    assert result.created == ("attributes/default.rb",)


def test_a_missing_user_template_folder_is_a_config_error(tmp_path: Path) -> None:
    defaults = GeneratorDefaults(template_dir=tmp_path / "nowhere")
    with pytest.raises(ConfigError) as caught:
        generate_cookbook(tmp_path / "web", defaults=defaults, git=False)
    assert str(tmp_path / "nowhere") in caught.value.message
    assert not (tmp_path / "web").exists()


def test_a_broken_user_template_names_the_file_and_line(tmp_path: Path) -> None:
    folder = _user_templates(tmp_path)
    broken = folder / "cookbook" / "{{cookiecutter.cookbook_name}}" / "metadata.rb"
    broken.write_text("name '{{ cookiecutter.cookbook_name }}'\n{% if %}\n")

    defaults = GeneratorDefaults(template_dir=folder)
    with pytest.raises(InputFileError) as caught:
        generate_cookbook(tmp_path / "web", defaults=defaults, git=False)
    assert "metadata.rb:2" in caught.value.message
    assert not (tmp_path / "web").exists()


def test_hooks_in_user_templates_never_run(tmp_path: Path) -> None:
    folder = _user_templates(tmp_path)
    hooks = folder / "cookbook" / "hooks"
    hooks.mkdir()
    marker = tmp_path / "hook-ran"
    (hooks / "pre_gen_project.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"
    )

    generate_cookbook(
        tmp_path / "web", defaults=GeneratorDefaults(template_dir=folder), git=False
    )
    assert not marker.exists()


def test_installed_layout_uses_the_packaged_templates(tmp_path: Path) -> None:
    # A wheel holds the templates as kitchenctl/templates (pyproject's force-include).
    import shutil
    import subprocess
    import sys

    site = tmp_path / "site"
    shutil.copytree(REPOSITORY / "src" / "kitchenctl", site / "kitchenctl")
    shutil.copytree(REPOSITORY / "templates", site / "kitchenctl" / "templates")

    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kitchenctl.generate import builtin_templates_dir as f; print(f())",
        ],
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert found == str(site / "kitchenctl" / "templates")


def test_no_template_file_is_a_live_gitignore() -> None:
    # A template file named .gitignore would apply to kitchenctl's own repository and
    # hide template files from git (it hid cookbooks/example once): such files are
    # named {{'.gitignore'}}, which renders to .gitignore.
    live = [
        path.relative_to(REPOSITORY)
        for path in builtin_templates_dir().rglob(".gitignore")
    ]
    assert live == []


def test_file_generator_templates_see_the_owner(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    attributes = folder / "attribute/{{cookiecutter.cookbook_name}}/attributes"
    attributes.mkdir(parents=True)
    (attributes / "{{cookiecutter.attribute_name}}.rb").write_text(
        "# {{ cookiecutter.cookbook_name }}: {{ cookiecutter.copyright_holder }}, "
        "{{ cookiecutter.year }}, {{ cookiecutter.license }}\n"
    )
    generate_cookbook(tmp_path / "web", git=False)

    defaults = GeneratorDefaults(copyright_holder="Acme", template_dir=folder)
    generate_code_file(
        CodeFile.attribute, tmp_path / "web", "default", defaults=defaults, year=2027
    )

    assert (tmp_path / "web/attributes/default.rb").read_text() == (
        "# web: Acme, 2027, All Rights Reserved\n"
    )
