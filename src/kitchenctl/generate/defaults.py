"""Generator defaults from the credentials profile's knife table.

Chef users already keep these in ``[PROFILE.knife]``::

    [default.knife]
    cookbook_copyright = "Acme Ops"
    cookbook_email = "ops@acme.example"
    cookbook_license = "apachev2"
    generator_templates = "~/chef/templates"   # kitchenctl's own key

Unset keys keep chef-cli's defaults (The Authors, you@example.com, all_rights).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kitchenctl.config import Settings
from kitchenctl.errors import ConfigError, UsageError
from kitchenctl.generate.model import GeneratorDefaults, parse_license

COPYRIGHT_KEY = "cookbook_copyright"
EMAIL_KEY = "cookbook_email"
LICENSE_KEY = "cookbook_license"
TEMPLATES_KEY = "generator_templates"


def defaults_from_settings(settings: Settings) -> GeneratorDefaults:
    """The profile's generator defaults; ConfigError names a bad key and its file."""
    knife = settings.knife
    chef = GeneratorDefaults()
    where = _where(settings)
    license_text = _text(knife, LICENSE_KEY, where)
    try:
        license = parse_license(license_text) if license_text else chef.license
    except UsageError as exc:
        raise ConfigError(
            f"{where}: {LICENSE_KEY} = {license_text!r} is not a license",
            hint=exc.hint,
        ) from exc

    templates = _text(knife, TEMPLATES_KEY, where)
    return GeneratorDefaults(
        copyright_holder=_text(knife, COPYRIGHT_KEY, where) or chef.copyright_holder,
        email=_text(knife, EMAIL_KEY, where) or chef.email,
        license=license,
        template_dir=_templates_path(templates, settings) if templates else None,
    )


def _text(knife: Mapping[str, Any], key: str, where: str) -> str | None:
    value = knife.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string", hint="quote the value")
    return value


def _templates_path(value: str, settings: Settings) -> Path:
    """``~`` expands; a relative path is relative to the credentials file."""
    path = Path(value).expanduser()
    if path.is_absolute() or settings.credentials_file is None:
        return path
    return settings.credentials_file.parent / path


def _where(settings: Settings) -> str:
    table = f"[{settings.profile}.knife]"
    if settings.credentials_file is None:
        return table
    return f"{settings.credentials_file} {table}"
