"""The generators: chef-cli's ``chef generate`` as data in, files and data out.

Every generator renders its cookiecutter template into a scratch folder, then copies
the files into place, keeping any file that exists unless ``force`` is given.
"""

from __future__ import annotations

import datetime
import logging
import re
import tempfile
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from kitchenctl.errors import InputFileError, UsageError
from kitchenctl.generate import names
from kitchenctl.generate.gitinit import init_repository
from kitchenctl.generate.install import install
from kitchenctl.generate.model import (
    DependencyTool,
    GeneratedFiles,
    GeneratorDefaults,
    GitOutcome,
    KitchenDriver,
    License,
)
from kitchenctl.generate.templates import prepare_template, render

logger = logging.getLogger(__name__)

COOKBOOK_COMMIT_MESSAGE = "Add generated cookbook content"

# chef-cli's own defaults, used when nothing is configured.
CHEF_DEFAULTS = GeneratorDefaults()


class CodeFile(StrEnum):
    """The generators that add one file (and its tests) to an existing cookbook."""

    recipe = "recipe"
    attribute = "attribute"
    template = "template"
    file = "file"
    resource = "resource"
    helpers = "helpers"


def generate_cookbook(
    path: Path,
    *,
    dependency_tool: DependencyTool = DependencyTool.policy,
    kitchen: KitchenDriver = KitchenDriver.vagrant,
    specs: bool = False,
    defaults: GeneratorDefaults = CHEF_DEFAULTS,
    force: bool = False,
    year: int | None = None,
    git: bool = True,
) -> GeneratedFiles:
    """Create the cookbook folder ``path``, named after its last component, as
    ``chef generate cookbook`` does; then git init and commit it when possible."""
    root = path.resolve()
    name = root.name
    names.check_code_name("cookbook", name)

    values = {
        "cookbook_name": name,
        **_owner_values(defaults, year),
        "dependency_tool": dependency_tool.value,
        "kitchen": kitchen.value,
        "specs": specs,
    }
    result = _generate("cookbook", name, values, root, defaults=defaults, force=force)
    outcome = (
        init_repository(root, commit_message=COOKBOOK_COMMIT_MESSAGE) if git else None
    )
    return _with(result, names.hyphen_warnings(name), outcome)


def generate_repo(
    path: Path,
    *,
    roles: bool = False,
    policy_only: bool = False,
    defaults: GeneratorDefaults = CHEF_DEFAULTS,
    force: bool = False,
    year: int | None = None,
    git: bool = True,
) -> GeneratedFiles:
    """Create a Chef repository at ``path`` as ``chef generate repo`` does, with
    roles and environments when ``roles``; git init (without a commit) when possible."""
    if roles and policy_only:
        raise UsageError("Roles and Policyfiles are exclusive. Please only select one.")
    root = path.resolve()
    names.check_file_name("repository", root.name)

    values = {
        "repo_name": root.name,
        **_owner_values(defaults, year),
        "roles": roles,
        "policy_only": policy_only,
    }
    result = _generate("repo", root.name, values, root, defaults=defaults, force=force)
    outcome = init_repository(root, commit_message=None) if git else None
    return _with(result, (), outcome)


def generate_code_file(
    kind: CodeFile,
    cookbook_dir: Path,
    name: str,
    *,
    specs: bool | None = None,
    source: Path | None = None,
    defaults: GeneratorDefaults = CHEF_DEFAULTS,
    force: bool = False,
    year: int | None = None,
) -> GeneratedFiles:
    """Add a recipe, attributes file, template, cookbook file, custom resource or
    helpers library named ``name`` to the cookbook in ``cookbook_dir``.

    The cookbook's name comes from its metadata. A recipe gets ChefSpec files when
    ``specs`` is true, or, when ``specs`` is None, when the cookbook has a spec/
    folder; the spec_helper matches the cookbook's Policyfile.rb or Berksfile. A
    template or cookbook file holds a copy of ``source`` when given, else nothing.
    """
    if source is not None and kind not in (CodeFile.template, CodeFile.file):
        raise UsageError(
            f"--source is for templates and cookbook files, not {kind.value}s"
        )
    root = cookbook_dir.resolve()
    cookbook = names.cookbook_name(root)
    if kind is CodeFile.template:
        name = name.removesuffix(".erb")

    values: dict[str, object] = {
        "cookbook_name": cookbook,
        **_owner_values(defaults, year),
        **_code_file_values(kind, root, cookbook, name, specs),
    }
    contents = {} if source is None else {_code_file_path(kind, name): _read(source)}
    return _generate(
        kind.value,
        name,
        values,
        root,
        defaults=defaults,
        force=force,
        contents=contents,
    )


def _code_file_values(
    kind: CodeFile, root: Path, cookbook: str, name: str, specs: bool | None
) -> dict[str, object]:
    """The template values of one file generator, after checking ``name``."""
    if kind is CodeFile.recipe:
        return _recipe_values(root, name, specs)
    if kind in (CodeFile.template, CodeFile.file):
        names.check_file_name(kind.value, name)
        return {f"{kind.value}_name": name}
    names.check_code_name(kind.value, name)
    if kind is CodeFile.helpers:
        return {"helpers_name": name, **_helpers_modules(cookbook, name)}
    return {f"{kind.value}_name": name}


def _code_file_path(kind: CodeFile, name: str) -> str:
    """Where a template or cookbook file lands, relative to the cookbook."""
    return f"templates/{name}.erb" if kind is CodeFile.template else f"files/{name}"


def _read(source: Path) -> bytes:
    try:
        return source.read_bytes()
    except OSError as exc:
        raise InputFileError(
            f"cannot read {source}: {exc.strerror or exc}",
            hint="give an existing file to --source",
        ) from exc


def generate_policyfile(
    directory: Path,
    name: str | None = None,
    *,
    defaults: GeneratorDefaults = CHEF_DEFAULTS,
    force: bool = False,
) -> GeneratedFiles:
    """Write a Policyfile as ``chef generate policyfile`` does: ``Policyfile.rb``
    without a name, ``NAME.rb`` with one, and ``policyfiles/NAME.rb`` (with the
    repository as its default source) inside a Chef repository."""
    root = directory.resolve()
    in_repo = (root / ".chef-repo.txt").is_file()
    if in_repo and name is None:
        raise UsageError(
            "You must give a policy name when generating a policy in a chef-repo.",
            hint="kitchenctl generate policyfile NAME",
        )

    if name is None:
        policy, file_name, run_list_item = (
            "example-application-service",
            "Policyfile.rb",
            "example_cookbook::default",
        )
    else:
        names.check_policy_name(name)
        policy, file_name, run_list_item = name, f"{name}.rb", f"{name}::default"
    values = {
        "policy_name": policy,
        "file_name": file_name,
        "run_list_item": run_list_item,
        "in_repo": in_repo,
    }
    destination = root / "policyfiles" if in_repo else root
    return _generate(
        "policyfile", policy, values, destination, defaults=defaults, force=force
    )


def license_header(license: License, holder: str, year: int) -> str:
    """The Ruby comment lines under a generated file's Cookbook:: header."""
    if license is License.all_rights:
        return f"# Copyright:: {year}, {holder}, All Rights Reserved."
    if license is License.apachev2:
        return "\n".join([f"# Copyright:: {year}, {holder}", "#", *_APACHE_NOTICE])
    return "\n".join(
        [
            f"# Copyright:: {year}, {holder}",
            "#",
            f"# SPDX-License-Identifier: {license.metadata_name}",
        ]
    )


_APACHE_NOTICE = [
    '# Licensed under the Apache License, Version 2.0 (the "License");',
    "# you may not use this file except in compliance with the License.",
    "# You may obtain a copy of the License at",
    "#",
    "#     http://www.apache.org/licenses/LICENSE-2.0",
    "#",
    "# Unless required by applicable law or agreed to in writing, software",
    '# distributed under the License is distributed on an "AS IS" BASIS,',
    "# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.",
    "# See the License for the specific language governing permissions and",
    "# limitations under the License.",
]


def _owner_values(defaults: GeneratorDefaults, year: int | None) -> dict[str, object]:
    """Copyright, email and license, as every owned template takes them."""
    this_year = year or datetime.date.today().year
    return {
        "copyright_holder": defaults.copyright_holder,
        "email": defaults.email,
        "license": defaults.license.metadata_name,
        "license_key": defaults.license.value,
        "license_header": license_header(
            defaults.license, defaults.copyright_holder, this_year
        ),
        "year": str(this_year),
    }


def _recipe_values(root: Path, name: str, specs: bool | None) -> dict[str, object]:
    names.check_code_name("recipe", name)
    # chef-cli always writes the Berkshelf spec_helper; match what the cookbook uses.
    uses_berks = (root / "Berksfile").is_file() and not (
        root / "Policyfile.rb"
    ).is_file()
    return {
        "recipe_name": name,
        "dependency_tool": "berks" if uses_berks else "policy",
        "specs": (root / "spec").is_dir() if specs is None else specs,
    }


def _helpers_modules(cookbook: str, name: str) -> dict[str, object]:
    helpers_module = _camel(name)
    if not helpers_module.endswith("Helpers"):
        helpers_module += "Helpers"
    return {"cookbook_module": _camel(cookbook), "helpers_module": helpers_module}


def _camel(name: str) -> str:
    """my_cookbook, my-cookbook and my.cookbook become MyCookbook: a Ruby constant."""
    words = [word for word in re.split(r"[^A-Za-z0-9]+", name) if word]
    camel = "".join(word[0].upper() + word[1:] for word in words)
    return camel if camel[:1].isalpha() else f"Cookbook{camel}"


def _generate(
    generator: str,
    name: str,
    values: Mapping[str, object],
    destination: Path,
    *,
    defaults: GeneratorDefaults,
    force: bool,
    contents: Mapping[str, bytes] | None = None,
) -> GeneratedFiles:
    """Render ``generator``'s template with ``values`` and install it in
    ``destination``; ``contents`` replaces rendered files (relative paths) verbatim."""
    if destination.exists() and not destination.is_dir():
        raise UsageError(
            f"{destination} exists and is not a folder",
            hint="choose another name, or move the file away",
        )
    with tempfile.TemporaryDirectory(prefix="kitchenctl-generate-") as scratch_name:
        scratch = Path(scratch_name)
        template = prepare_template(generator, defaults.template_dir, scratch)
        rendered = render(template, values, scratch)
        for relative, data in (contents or {}).items():
            (rendered / relative).parent.mkdir(parents=True, exist_ok=True)
            (rendered / relative).write_bytes(data)
        installed = install(rendered, destination, force=force)
    logger.info(
        "generate %s %s in %s: %d created, %d overwritten, %d kept",
        generator,
        name,
        destination,
        len(installed.created),
        len(installed.overwritten),
        len(installed.kept),
    )
    return GeneratedFiles(
        generator=generator,
        name=name,
        root=destination,
        created=installed.created,
        overwritten=installed.overwritten,
        kept=installed.kept,
    )


def _with(
    result: GeneratedFiles, warnings: tuple[str, ...], git: GitOutcome | None
) -> GeneratedFiles:
    if git is not None and git.action == "failed":
        warnings = (*warnings, f"{git.reason} (the generated files are in place)")
    return GeneratedFiles(
        generator=result.generator,
        name=result.name,
        root=result.root,
        created=result.created,
        overwritten=result.overwritten,
        kept=result.kept,
        warnings=(*result.warnings, *warnings),
        git=git,
    )
