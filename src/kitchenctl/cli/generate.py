"""``kitchenctl generate``: chef-cli's generators (repo, cookbook, recipe, ...)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from kitchenctl.cli.connect import settings_for
from kitchenctl.cli.state import get_state
from kitchenctl.errors import UsageError
from kitchenctl.generate import (
    CodeFile,
    DependencyTool,
    GeneratedFiles,
    GeneratorDefaults,
    KitchenDriver,
    generate_code_file,
    generate_cookbook,
    generate_policyfile,
    generate_repo,
    parse_license,
)
from kitchenctl.generate.defaults import defaults_from_settings

app = typer.Typer(
    name="generate",
    help="Create cookbooks, repositories, Policyfiles and cookbook files.",
    no_args_is_help=True,
)

Copyright = Annotated[
    str | None,
    typer.Option(
        "--copyright",
        "-C",
        help="Copyright holder [knife cookbook_copyright, else The Authors].",
    ),
]
Email = Annotated[
    str | None,
    typer.Option(
        "--email",
        "-m",
        help="Maintainer email [knife cookbook_email, else you@example.com].",
    ),
]
LicenseKey = Annotated[
    str | None,
    typer.Option(
        "--license",
        "-I",
        help="all_rights, apachev2 (apache2), mit, gplv2 or gplv3 "
        "[knife cookbook_license, else all_rights].",
    ),
]
Templates = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="Your templates folder; its files override the built-in ones "
        "[knife generator_templates].",
    ),
]
Force = Annotated[
    bool, typer.Option("--force", help="Overwrite files that already exist.")
]
CodeFileArguments = Annotated[
    list[str], typer.Argument(metavar="[COOKBOOK_DIR] NAME", show_default=False)
]


def _defaults(
    ctx: typer.Context,
    copyright_holder: str | None = None,
    email: str | None = None,
    license_key: str | None = None,
    templates: Path | None = None,
) -> GeneratorDefaults:
    """Options first, then the profile's knife table, then chef-cli's defaults."""
    configured = defaults_from_settings(settings_for(get_state(ctx)))
    return GeneratorDefaults(
        copyright_holder=copyright_holder or configured.copyright_holder,
        email=email or configured.email,
        license=parse_license(license_key) if license_key else configured.license,
        template_dir=templates or configured.template_dir,
    )


@app.command("cookbook")
def cookbook_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="NAME", help="Cookbook folder.")],
    berks: Annotated[
        bool, typer.Option("--berks", "-b", help="A Berksfile instead of a Policyfile.")
    ] = False,
    policy: Annotated[
        bool, typer.Option("--policy", "-P", help="A Policyfile (the default).")
    ] = False,
    kitchen: Annotated[
        KitchenDriver, typer.Option("--kitchen", help="Test Kitchen driver.")
    ] = KitchenDriver.vagrant,
    specs: Annotated[
        bool, typer.Option("--specs", "-s", help="Add ChefSpec unit tests.")
    ] = False,
    copyright_holder: Copyright = None,
    email: Email = None,
    license_key: LicenseKey = None,
    templates: Templates = None,
    force: Force = False,
) -> None:
    """Create a cookbook, then git init and commit it when git has an identity."""
    if berks and policy:
        raise UsageError("Berkshelf and Policyfiles are mutually exclusive.")
    result = generate_cookbook(
        path,
        dependency_tool=DependencyTool.berks if berks else DependencyTool.policy,
        kitchen=kitchen,
        specs=specs,
        defaults=_defaults(ctx, copyright_holder, email, license_key, templates),
        force=force,
    )
    ending = (
        f"Your cookbook is ready. Type `cd {path}` to enter it.\n"
        "The default recipe is recipes/default.rb; its InSpec tests are in "
        "test/integration/default/default_test.rb."
    )
    _report(ctx, result, ending)


@app.command("repo")
def repo_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="NAME", help="Repository folder.")],
    roles: Annotated[
        bool,
        typer.Option("--roles", "-r", help="Roles and environments, no Policyfiles."),
    ] = False,
    policy_only: Annotated[
        bool,
        typer.Option("--policy-only", "-p", help="Keep cookbooks/ out of git."),
    ] = False,
    copyright_holder: Copyright = None,
    email: Email = None,
    license_key: LicenseKey = None,
    templates: Templates = None,
    force: Force = False,
) -> None:
    """Create a Chef repository, then git init it when git has an identity."""
    result = generate_repo(
        path,
        roles=roles,
        policy_only=policy_only,
        defaults=_defaults(ctx, copyright_holder, email, license_key, templates),
        force=force,
    )
    ending = f"Your new Chef Infra repo is ready! Type `cd {path}` to enter it."
    _report(ctx, result, ending)


@app.command("policyfile")
def policyfile_command(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Policy name.")] = None,
    templates: Templates = None,
    force: Force = False,
) -> None:
    """Write Policyfile.rb, NAME.rb, or policyfiles/NAME.rb in a Chef repository."""
    result = generate_policyfile(
        Path.cwd(),
        name,
        defaults=GeneratorDefaults(template_dir=templates),
        force=force,
    )
    _report(ctx, result, "")


def _code_file_command(kind: CodeFile, summary: str) -> None:
    """Register ``generate KIND [COOKBOOK_DIR] NAME``; they differ only in kind."""

    def command(
        ctx: typer.Context,
        arguments: CodeFileArguments,
        specs: Annotated[
            bool | None,
            typer.Option(
                "--specs/--no-specs",
                help="Recipes: ChefSpec files [when the cookbook has spec/].",
            ),
        ] = None,
        source: Annotated[
            Path | None,
            typer.Option(
                "--source", "-s", help="Templates and files: copy this file's content."
            ),
        ] = None,
        copyright_holder: Copyright = None,
        email: Email = None,
        license_key: LicenseKey = None,
        templates: Templates = None,
        force: Force = False,
    ) -> None:
        cookbook_dir, name = _split_code_file_arguments(arguments)
        result = generate_code_file(
            kind,
            cookbook_dir,
            name,
            specs=specs,
            source=source,
            defaults=_defaults(ctx, copyright_holder, email, license_key, templates),
            force=force,
        )
        _report(ctx, result, "")

    command.__doc__ = summary
    app.command(kind.value)(command)


def _split_code_file_arguments(arguments: list[str]) -> tuple[Path, str]:
    if len(arguments) == 1:
        return Path.cwd(), arguments[0]
    if len(arguments) == 2:
        return Path(arguments[0]), arguments[1]
    raise UsageError(
        "too many arguments" if arguments else "missing NAME",
        hint="give [COOKBOOK_DIR] NAME",
    )


_code_file_command(CodeFile.recipe, "Add recipes/NAME.rb and its tests to a cookbook.")
_code_file_command(CodeFile.attribute, "Add an empty attributes/NAME.rb.")
_code_file_command(CodeFile.template, "Add an empty templates/NAME.erb.")
_code_file_command(CodeFile.file, "Add an empty files/NAME.")
_code_file_command(CodeFile.resource, "Add a custom resource, resources/NAME.rb.")
_code_file_command(CodeFile.helpers, "Add a helpers library, libraries/NAME.rb.")


def _report(ctx: typer.Context, result: GeneratedFiles, ending: str) -> None:
    console = get_state(ctx).console
    for warning in result.warnings:
        console.warn(warning)
    console.result(_human(result, ending), result.as_json())


def _human(result: GeneratedFiles, ending: str) -> str:
    where = _display_path(result.root)
    lines = [
        f"Created in {where}:" if result.created else f"Nothing created in {where}"
    ]
    lines += [f"  {path}" for path in result.created]
    if result.overwritten:
        lines.append("Overwritten (--force):")
        lines += [f"  {path}" for path in result.overwritten]
    if result.kept:
        lines.append("Kept, because they already exist (--force overwrites them):")
        lines += [f"  {path}" for path in result.kept]
    if result.git is not None:
        reason = f" ({result.git.reason})" if result.git.reason else ""
        lines.append(f"git: {result.git.action}{reason}")
    if ending:
        lines.append(ending)
    return "\n".join(lines)


def _display_path(path: Path) -> str:
    """Relative to the working folder when under it, as users typed it."""
    try:
        relative = path.relative_to(Path.cwd())
    except ValueError:
        return str(path)
    return "." if relative == Path() else f".{os.sep}{relative}"
