"""What the generators take and what they return, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kitchenctl.errors import UsageError


class License(StrEnum):
    """The licenses chef-cli's generators know, by their chef-cli keys."""

    all_rights = "all_rights"
    apachev2 = "apachev2"
    mit = "mit"
    gplv2 = "gplv2"
    gplv3 = "gplv3"

    @property
    def metadata_name(self) -> str:
        """The text metadata.rb's ``license`` gets: SPDX ids, as chef-cli writes."""
        return _METADATA_NAMES[self]


_METADATA_NAMES = {
    License.all_rights: "All Rights Reserved",
    License.apachev2: "Apache-2.0",
    License.mit: "MIT",
    License.gplv2: "GPL-2.0",
    License.gplv3: "GPL-3.0",
}

# chef-cli accepts apache2 as well as apachev2.
_LICENSE_ALIASES = {"apache2": License.apachev2}


def parse_license(text: str) -> License:
    """A license key as given on the command line or in config; raises UsageError."""
    key = text.strip().lower()
    if key in _LICENSE_ALIASES:
        return _LICENSE_ALIASES[key]
    try:
        return License(key)
    except ValueError:
        choices = ", ".join(member.value for member in License)
        raise UsageError(
            f"unknown license {text!r}", hint=f"use one of {choices} (or apache2)"
        ) from None


class DependencyTool(StrEnum):
    policy = "policy"
    berks = "berks"


class KitchenDriver(StrEnum):
    vagrant = "vagrant"
    dokken = "dokken"


@dataclass(frozen=True)
class GeneratorDefaults:
    """Who owns generated code, and where the user's own templates are.

    The CLI fills this from its options, then the knife table of the credentials
    profile (cookbook_copyright, cookbook_email, cookbook_license), then chef-cli's
    defaults written here.
    """

    copyright_holder: str = "The Authors"
    email: str = "you@example.com"
    license: License = License.all_rights
    template_dir: Path | None = None


@dataclass(frozen=True)
class GitOutcome:
    """What generation did with git: ``committed``, ``initialized``, ``skipped``, or
    ``failed`` (never fatal), and why."""

    action: str
    reason: str = ""


@dataclass(frozen=True)
class GeneratedFiles:
    """The result of one generator: files are POSIX paths relative to ``root``."""

    generator: str
    name: str
    root: Path
    created: tuple[str, ...]
    overwritten: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    git: GitOutcome | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "generator": self.generator,
            "name": self.name,
            "root": str(self.root),
            "created": list(self.created),
            "overwritten": list(self.overwritten),
            "kept": list(self.kept),
            "warnings": list(self.warnings),
            "git": None
            if self.git is None
            else {"action": self.git.action, "reason": self.git.reason},
        }
