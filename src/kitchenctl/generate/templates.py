"""Finding the cookiecutter templates, overlaying the user's, and rendering them.

Each generator has one cookiecutter template, ``templates/<generator>/``, holding a
``cookiecutter.json`` and a single templated root folder. File names that render to
nothing (``{% if cookiecutter.specs %}spec_helper.rb{% endif %}``) are not created.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path

from kitchenctl.errors import ConfigError, InputFileError, LocalFileError

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def builtin_templates_dir() -> Path:
    """The built-in templates: ``kitchenctl/templates`` inside an installed wheel,
    else the top-level ``templates/`` of a source checkout (editable installs)."""
    candidates = (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent.parent / "templates")
    for candidate in candidates:
        if (candidate / "cookbook" / "cookiecutter.json").is_file():
            return candidate
    raise LocalFileError(
        f"kitchenctl's templates are missing (looked in {candidates[0]})",
        hint="reinstall kitchenctl",
    )


def prepare_template(generator: str, user_dir: Path | None, scratch: Path) -> Path:
    """The template folder to render: the built-in one, or, when ``user_dir`` has a
    ``<generator>/`` folder, a copy of it with the user's files laid over it, file by
    file (same relative path, templated names included)."""
    builtin = builtin_templates_dir() / generator
    if user_dir is None:
        return builtin
    if not user_dir.is_dir():
        raise ConfigError(
            f"template folder {user_dir} does not exist",
            hint="fix --templates or the cookbook_templates setting",
        )
    override = user_dir / generator
    if not override.is_dir():
        return builtin

    merged = scratch / "template" / generator
    shutil.copytree(builtin, merged)
    shutil.copytree(override, merged, dirs_exist_ok=True)
    return merged


def render(template: Path, values: Mapping[str, object], scratch: Path) -> Path:
    """Render ``template`` with ``values`` over its cookiecutter.json defaults into
    ``scratch``; returns the rendered root folder. Hooks never run: generating code
    must not execute code from a template folder."""
    # cookiecutter takes ~0.1 s to import; only generate commands pay for it.
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_files
    from jinja2 import TemplateError

    context = {"cookiecutter": {**_template_defaults(template), **values}}
    try:
        rendered = generate_files(
            repo_dir=template,
            context=context,
            output_dir=scratch / "rendered",
            accept_hooks=False,
        )
    except (CookiecutterException, TemplateError) as exc:
        raise InputFileError(
            f"template {template} cannot be rendered: {_describe(exc)}",
            hint="fix the template file it names",
        ) from exc
    return Path(rendered)


def _template_defaults(template: Path) -> dict[str, object]:
    """cookiecutter.json's values; a list (a cookiecutter choice) means its first."""
    path = template / "cookiecutter.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputFileError(f"{path}: {exc}", hint="fix the JSON") from exc
    if not isinstance(raw, dict):
        raise InputFileError(f"{path}: not a JSON object", hint="fix the JSON")
    return {
        key: value[0] if isinstance(value, list) and value else value
        for key, value in raw.items()
    }


def _describe(exc: Exception) -> str:
    """Jinja's errors know the file and line; cookiecutter wraps them."""
    cause = getattr(exc, "error", None) or exc
    filename = getattr(cause, "filename", None) or getattr(cause, "name", None)
    lineno = getattr(cause, "lineno", None)
    where = f"{filename}:{lineno}: " if filename and lineno else ""
    return f"{where}{getattr(cause, 'message', None) or cause}"
