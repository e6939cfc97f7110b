"""Cookbook metadata: metadata.rb evaluated safely, or metadata.json read, as Chef 18.

:func:`load_metadata` reads a cookbook folder and returns a :class:`CookbookMetadata`,
whose :meth:`~CookbookMetadata.to_json_dict` is exactly the document Chef 18's
``Chef::Cookbook::Metadata#to_h`` produces (what ``knife cookbook metadata`` writes as
metadata.json). The validations are Chef's, with Chef's wording: a cookbook that
depends on itself, more than one constraint in one ``depends``, a missing name, a bad
version or constraint. Methods Chef 13-15 removed (``attribute``, ``recommends``,
``suggests``, ``conflicts``, ``replaces``, ``grouping``) are accepted and recorded in
the ``legacy`` fields, which Chef 18 leaves out of metadata.json.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from kitchenctl.errors import InputFileError, UsageError
from kitchenctl.fileutil import write_atomic
from kitchenctl.ruby import Call, Receiver, evaluate_file, symbol_or_string
from kitchenctl.ruby.values import ruby_inspect, ruby_to_s, to_json_value

DEFAULT_CONSTRAINT = ">= 0.0.0"
DEFAULT_LICENSE = "All rights reserved"
METADATA_DOCS = "https://docs.chef.io/config_rb_metadata/"

# Chef::VersionConstraint::PATTERN, and the versions Chef::Version(::Platform) accepts.
# Chef checks metadata.rb with these, not with semverse, so kitchenctl.versions (which
# follows semverse for Berkshelf) is not used here: `supports 'windows', '>= 6'` and
# FreeBSD's `10.1-RELEASE` are valid for Chef, and Chef keeps the text as written.
CONSTRAINT_PATTERN = re.compile(r"^(<|>|=|<=|>=|~>) *([0-9].*)$")
COOKBOOK_VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")
PLATFORM_VERSION_PATTERN = re.compile(
    r"^(\d+)\.(\d+)\.(\d+)$|^(\d+)\.(\d+)$|^(\d+)$|^(\d+).(\d+)-[a-z]+\d?(-p(\d+))?$",
    re.IGNORECASE,
)
# Gem::Requirement::PATTERN, used by chef_version and ohai_version.
GEM_REQUIREMENT_PATTERN = re.compile(
    r"^\s*(=|!=|>|<|>=|<=|~>)?\s*"
    r"([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\s*$"
)

LEGACY_METHODS = {
    "recommends": "recommendations",
    "suggests": "suggestions",
    "conflicts": "conflicting",
    "replaces": "replacing",
}


@dataclass(frozen=True)
class CookbookMetadata:
    """A cookbook's metadata, as Chef 18 holds it.

    The legacy mappings hold what Chef 13-15 removed; they are not part of
    :meth:`to_json_dict` but :meth:`to_legacy_json_dict` includes them.
    ``ignored_calls`` lists the methods Chef ignores (``method_missing``), with their
    ``file:line:column``, so a caller can warn about typos.
    """

    name: str
    version: str = "0.0.0"
    description: str = ""
    long_description: str = ""
    maintainer: str = ""
    maintainer_email: str = ""
    license: str = DEFAULT_LICENSE
    platforms: dict[str, str] = field(default_factory=dict)
    dependencies: dict[str, str] = field(default_factory=dict)
    providing: dict[str, str] = field(default_factory=dict)
    recipes: dict[str, Any] = field(default_factory=dict)
    source_url: str = ""
    issues_url: str = ""
    privacy: bool = False
    chef_versions: list[list[str]] = field(default_factory=list)
    ohai_versions: list[list[str]] = field(default_factory=list)
    gems: list[list[Any]] = field(default_factory=list)
    eager_load_libraries: bool | str | list[str] = True
    attributes: dict[str, Any] = field(default_factory=dict)
    recommendations: dict[str, str] = field(default_factory=dict)
    suggestions: dict[str, str] = field(default_factory=dict)
    conflicting: dict[str, str] = field(default_factory=dict)
    replacing: dict[str, str] = field(default_factory=dict)
    groupings: dict[str, Any] = field(default_factory=dict)
    ignored_calls: tuple[str, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        """The metadata.json document Chef 18 writes, keys in Chef's order."""
        return {
            "name": self.name,
            "description": self.description,
            "long_description": self.long_description,
            "maintainer": self.maintainer,
            "maintainer_email": self.maintainer_email,
            "license": self.license,
            "platforms": dict(self.platforms),
            "dependencies": dict(self.dependencies),
            "providing": dict(self.providing),
            "recipes": dict(self.recipes),
            "version": self.version,
            "source_url": self.source_url,
            "issues_url": self.issues_url,
            "privacy": self.privacy,
            "chef_versions": [list(group) for group in self.chef_versions],
            "ohai_versions": [list(group) for group in self.ohai_versions],
            "gems": [list(gem) for gem in self.gems],
            "eager_load_libraries": self.eager_load_libraries,
        }

    def to_legacy_json_dict(self) -> dict[str, Any]:
        """Chef 18's document plus the keys older Chef releases also wrote."""
        return {
            **self.to_json_dict(),
            "recommendations": dict(self.recommendations),
            "suggestions": dict(self.suggestions),
            "conflicting": dict(self.conflicting),
            "replacing": dict(self.replacing),
            "attributes": dict(self.attributes),
            "groupings": dict(self.groupings),
        }

    def to_json(self) -> str:
        """metadata.json's text, byte for byte as Chef's ``to_json_pretty`` has it."""
        return chef_pretty_json(self.to_json_dict()) + "\n"


def chef_pretty_json(value: object, depth: int = 0) -> str:
    """JSON laid out as ffi-yajl's pretty encoder does (what Chef writes).

    Two-space indentation, ``"key": value``, and empty objects and arrays written
    over three lines (``{``, a blank line, ``}``), unlike Python's ``json.dumps``.
    """
    outer = "  " * depth
    inner = "  " * (depth + 1)
    if isinstance(value, dict):
        items = [
            f"{inner}{json.dumps(str(key), ensure_ascii=False)}: "
            f"{chef_pretty_json(item, depth + 1)}"
            for key, item in value.items()
        ]
        return _container("{", "}", items, outer)
    if isinstance(value, list):
        elements = [f"{inner}{chef_pretty_json(item, depth + 1)}" for item in value]
        return _container("[", "]", elements, outer)
    return json.dumps(value, ensure_ascii=False)


def _container(opening: str, closing: str, lines: list[str], outer: str) -> str:
    if not lines:
        return f"{opening}\n\n{outer}{closing}"
    return opening + "\n" + ",\n".join(lines) + "\n" + outer + closing


def load_metadata(cookbook_dir: Path) -> CookbookMetadata:
    """The metadata of the cookbook in ``cookbook_dir``.

    metadata.rb is evaluated when present (without running Ruby); a folder with only
    metadata.json is read from it. Raises InputFileError when neither exists or the
    metadata is invalid, RubyEvalError when metadata.rb leaves the supported subset.
    """
    ruby_file = cookbook_dir / "metadata.rb"
    json_file = cookbook_dir / "metadata.json"
    if ruby_file.is_file():
        return metadata_from_ruby(ruby_file)
    if json_file.is_file():
        return metadata_from_json(json_file)
    raise InputFileError(
        f"{cookbook_dir} has neither metadata.rb nor metadata.json",
        hint="a cookbook folder needs a metadata.rb with at least `name` and `version`",
    )


@dataclass(frozen=True)
class CompiledMetadata:
    """What ``cookbook metadata`` produced: the metadata, and the file it wrote."""

    metadata: CookbookMetadata
    written: Path | None = None


def compile_cookbook_metadata(path: Path, *, write: bool = False) -> CompiledMetadata:
    """Compile the metadata of the cookbook at ``path`` (a folder or its metadata.rb).

    With ``write``, metadata.json is written next to metadata.rb atomically, as
    ``knife cookbook metadata`` does. Raises UsageError when there is nothing to
    compile, and the errors of :func:`load_metadata`.
    """
    folder = path.parent if path.name == "metadata.rb" else path
    if not folder.is_dir():
        raise UsageError(f"{path} is not a cookbook folder")
    metadata = load_metadata(folder)
    if not write:
        return CompiledMetadata(metadata)

    if not (folder / "metadata.rb").is_file():
        raise UsageError(
            f"{folder} has no metadata.rb to compile",
            hint="metadata.json is already the compiled form",
        )
    target = folder / "metadata.json"
    write_atomic(target, metadata.to_json())
    return CompiledMetadata(metadata, target)


def metadata_from_ruby(path: Path) -> CookbookMetadata:
    """Evaluate a metadata.rb file; reads are confined to its cookbook folder."""
    builder = MetadataBuilder()
    evaluate_file(path, builder)
    return builder.build(path)


def metadata_from_json(path: Path) -> CookbookMetadata:
    """Read a metadata.json file as Chef's ``Metadata.from_hash`` does."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputFileError(f"{path}: cannot read metadata.json: {error}") from error
    if not isinstance(document, dict):
        raise InputFileError(f"{path}: metadata.json must hold a JSON object")
    return metadata_from_dict(document, str(path))


def metadata_from_dict(document: Mapping[str, Any], where: str) -> CookbookMetadata:
    """Build metadata from a metadata.json document; unknown keys are ignored."""
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise _missing_name(where)
    known = {
        key: document[key]
        for key in CookbookMetadata.__dataclass_fields__
        if key in document and key not in ("name", "ignored_calls")
    }
    if "dependencies" in known and isinstance(known["dependencies"], dict):
        known["dependencies"] = _single_constraints(known["dependencies"])
    return CookbookMetadata(name=name, **known)


def _single_constraints(dependencies: Mapping[str, Any]) -> dict[str, Any]:
    """Chef's ``handle_incorrect_constraints``: lists of several become ``[]``."""
    result: dict[str, Any] = {}
    for cookbook, constraints in dependencies.items():
        if isinstance(constraints, list):
            result[cookbook] = constraints[0] if len(constraints) == 1 else []
        else:
            result[cookbook] = constraints
    return result


def _missing_name(where: str) -> InputFileError:
    return InputFileError(
        f"{where}: The `name' attribute is required in cookbook metadata",
        hint="add `name 'my_cookbook'` to metadata.rb",
    )


# Validation helpers, with Chef's messages.


def cookbook_version(raw: object, call: Call) -> str:
    """Chef::Version: ``x.y`` or ``x.y.z``, written back as ``x.y.z``."""
    text = ruby_to_s(raw)
    match = COOKBOOK_VERSION_PATTERN.match(text)
    if match is None:
        raise call.error(
            f"'{text}' does not match 'x.y.z' or 'x.y'",
            hint="cookbook versions are two or three numbers: 1.2 or 1.2.3",
        )
    major, minor, patch = match.group(1), match.group(2), match.group(3) or "0"
    return f"{int(major)}.{int(minor)}.{int(patch)}"


def version_constraint(call: Call, subject: str, args: tuple[object, ...]) -> str:
    """Chef's ``new_args_format`` + ``validate_version_constraint``; returns to_s."""
    if len(args) > 1:
        listed = ", ".join(ruby_inspect(arg) for arg in args)
        raise call.error(
            "The dependency specification syntax you are using is no longer valid. "
            "You may not specify more than one version constraint for a particular "
            f"cookbook. Called by: {call.name} '{subject}', {listed}",
            hint=f"use one constraint such as '~> 2.0'; see {METADATA_DOCS}",
        )
    text = DEFAULT_CONSTRAINT if not args or args[0] is None else args[0]
    if not isinstance(text, str) or not _valid_constraint(text):
        raise call.error(
            "The version constraint syntax you are using is not valid. "
            f"Called by: {call.name} '{subject}', '{ruby_to_s(text)}'",
            hint="write an operator (<, >, =, <=, >=, ~>) and a version, e.g. '>= 1.2'",
        )
    return _constraint_to_s(text)


def _valid_constraint(text: str) -> bool:
    if " " not in text and text[:1].isdigit():
        return PLATFORM_VERSION_PATTERN.match(text) is not None
    match = CONSTRAINT_PATTERN.match(text)
    return match is not None and PLATFORM_VERSION_PATTERN.match(match[2]) is not None


def _constraint_to_s(text: str) -> str:
    if " " not in text and text[:1].isdigit():
        return f"= {text}"
    match = CONSTRAINT_PATTERN.match(text)
    assert match is not None
    return f"{match[1]} {match[2]}"


def gem_requirement(call: Call, args: tuple[object, ...]) -> list[str]:
    """Gem::Requirement's requirements as Chef writes them: ``op version``, sorted."""
    flat: list[object] = []
    for arg in args:
        flat.extend(arg if isinstance(arg, list) else [arg])
    unique: list[object] = []
    for arg in flat:
        if arg is not None and arg not in unique:
            unique.append(arg)
    rendered = [_gem_requirement_to_s(call, arg) for arg in unique]
    return sorted(rendered) if rendered else [">= 0"]


def _gem_requirement_to_s(call: Call, arg: object) -> str:
    text = ruby_to_s(arg)
    match = GEM_REQUIREMENT_PATTERN.match(text)
    if match is None:
        raise call.error(
            f"Illformed requirement [{ruby_inspect(arg)}]",
            hint="write a requirement such as '>= 15.3'",
        )
    operator = match[1] or "="
    return f"{operator} {match[2].replace('-', '.pre.')}"


class MetadataBuilder(Receiver):
    """The metadata.rb DSL of Chef 18 (``Chef::Cookbook::Metadata``)."""

    dsl_methods: ClassVar[frozenset[str]] = frozenset(
        {
            "name",
            "version",
            "description",
            "long_description",
            "maintainer",
            "maintainer_email",
            "license",
            "source_url",
            "issues_url",
            "privacy",
            "supports",
            "depends",
            "provides",
            "recipe",
            "chef_version",
            "ohai_version",
            "gem",
            "eager_load_libraries",
        }
    )
    file_kind: ClassVar[str] = "metadata.rb"

    STRING_FIELDS: ClassVar[tuple[str, ...]] = (
        "description",
        "long_description",
        "maintainer",
        "maintainer_email",
        "license",
        "source_url",
        "issues_url",
    )

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.name: str | None = None
        self.version = "0.0.0"
        self.platforms: dict[str, str] = {}
        self.dependencies: dict[str, str] = {}
        self.providing: dict[str, str] = {}
        self.recipes: dict[str, Any] = {}
        self.chef_versions: list[list[str]] = []
        self.ohai_versions: list[list[str]] = []
        self.gems: list[list[Any]] = []
        self.legacy: dict[str, Any] = {
            key: {} for key in (*LEGACY_METHODS.values(), "attributes", "groupings")
        }
        self.ignored: list[str] = []

    def build(self, path: Path) -> CookbookMetadata:
        if self.name is None:
            raise _missing_name(str(path))
        return CookbookMetadata(
            name=self.name,
            version=self.version,
            platforms=self.platforms,
            dependencies=self.dependencies,
            providing=self.providing,
            recipes=self.recipes,
            chef_versions=self.chef_versions,
            ohai_versions=self.ohai_versions,
            gems=self.gems,
            ignored_calls=tuple(self.ignored),
            **self.fields,
            **self.legacy,
        )

    def call(self, call: Call) -> object:
        if call.name in self.STRING_FIELDS:
            return self._set_or_return(call, call.name, (str,))
        return super().call(call)

    def method_missing(self, call: Call) -> object:
        """Chef ignores unknown methods without a block, and fails on one with."""
        if call.block is not None:
            raise call.error(
                f"undefined method `{call.name}' for Chef::Cookbook::Metadata",
                hint="metadata.rb takes no blocks except around a loop",
            )
        if call.name in LEGACY_METHODS:
            return self._legacy_constraint(call)
        if call.name == "attribute":
            return self._legacy_attribute(call)
        if call.name == "grouping":
            return self._legacy_grouping(call)
        self.ignored.append(f"{call.site}: {call.name}")
        return None

    # Plain values.

    def _set_or_return(
        self, call: Call, key: str, kinds: tuple[type, ...], default: object = ""
    ) -> object:
        """Chef's ``set_or_return``: no argument (or nil) reads, one argument sets."""
        if not call.args or call.args[0] is None:
            return self.fields.get(key, default)
        value = call.args[0]
        if not isinstance(value, kinds) or (
            bool not in kinds and isinstance(value, bool)
        ):
            names = ", ".join(_ruby_kind(kind) for kind in kinds)
            raise call.error(
                f"Option {key} must be a kind of [{names}]!  "
                f"You passed {ruby_inspect(value)}."
            )
        self.fields[key] = to_json_value(value)
        return value

    def dsl_name(self, call: Call) -> object:
        if not call.args or call.args[0] is None:
            return self.name
        if not isinstance(call.args[0], str):
            raise call.error(
                "Option name must be a kind of [String]!  "
                f"You passed {ruby_inspect(call.args[0])}."
            )
        self.name = call.args[0]
        return self.name

    def dsl_version(self, call: Call) -> object:
        if call.args and call.args[0] is not None:
            self.version = cookbook_version(call.args[0], call)
        return self.version

    def dsl_privacy(self, call: Call) -> object:
        return self._set_or_return(call, "privacy", (bool,), False)

    def dsl_eager_load_libraries(self, call: Call) -> object:
        return self._set_or_return(
            call, "eager_load_libraries", (list, str, bool), True
        )

    # Constraints.

    def dsl_depends(self, call: Call) -> object:
        cookbook = self._subject(call)
        if cookbook == self.name:
            raise call.error(
                f"Cookbook depends on itself in cookbook {self.name}, please remove "
                "the this unnecessary self-dependency",
                hint=f"remove `depends '{cookbook}'` from metadata.rb",
            )
        self.dependencies[cookbook] = version_constraint(call, cookbook, call.args[1:])
        return self.dependencies[cookbook]

    def dsl_supports(self, call: Call) -> object:
        platform = self._subject(call)
        self.platforms[platform] = version_constraint(call, platform, call.args[1:])
        return self.platforms[platform]

    def dsl_provides(self, call: Call) -> object:
        thing = self._subject(call)
        self.providing[thing] = version_constraint(call, thing, call.args[1:])
        return self.providing[thing]

    def _legacy_constraint(self, call: Call) -> object:
        subject = self._subject(call)
        table = self.legacy[LEGACY_METHODS[call.name]]
        table[subject] = version_constraint(call, subject, call.args[1:])
        return table[subject]

    def _subject(self, call: Call) -> str:
        subject = symbol_or_string(call.args[0]) if call.args else None
        if subject is None:
            raise call.error(f"`{call.name}` needs a name as its first argument")
        return subject

    # Lists.

    def dsl_recipe(self, call: Call) -> object:
        if len(call.args) != 2:
            raise call.error(
                f"wrong number of arguments (given {len(call.args)}, expected 2) "
                "for `recipe`"
            )
        name = ruby_to_s(call.args[0])
        self.recipes[name] = to_json_value(call.args[1])
        return self.recipes[name]

    def dsl_chef_version(self, call: Call) -> object:
        if call.args:
            self.chef_versions.append(gem_requirement(call, call.args))
        return self.chef_versions

    def dsl_ohai_version(self, call: Call) -> object:
        if call.args:
            self.ohai_versions.append(gem_requirement(call, call.args))
        return self.ohai_versions

    def dsl_gem(self, call: Call) -> object:
        arguments = call.ruby_args()
        if arguments:
            self.gems.append([to_json_value(argument) for argument in arguments])
        return self.gems

    # Removed from Chef, kept as data.

    def _legacy_attribute(self, call: Call) -> object:
        if not call.args:
            raise call.error("`attribute` needs a name")
        options = to_json_value(
            call.keywords or (call.args[1] if len(call.args) > 1 else {})
        )
        if not isinstance(options, dict):
            raise call.error("`attribute` takes a name and a hash of options")
        defaults = {
            "choice": [],
            "calculated": False,
            "type": "string",
            "required": "optional",
            "recipes": [],
        }
        for key, default in defaults.items():
            options.setdefault(key, default)
        if options["required"] is True or options["required"] is False:
            options["required"] = "required" if options["required"] else "optional"
        self.legacy["attributes"][ruby_to_s(call.args[0])] = options
        return options

    def _legacy_grouping(self, call: Call) -> object:
        if not call.args:
            raise call.error("`grouping` needs a name")
        options = to_json_value(
            call.keywords or (call.args[1] if len(call.args) > 1 else {})
        )
        self.legacy["groupings"][ruby_to_s(call.args[0])] = options
        return options


def _ruby_kind(kind: type) -> str:
    names = {str: "String", bool: "TrueClass, FalseClass", list: "Array"}
    return names.get(kind, kind.__name__)
