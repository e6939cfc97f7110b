"""Ruby values as kitchenctl holds them, and the few Ruby spellings errors need.

Ruby's strings, integers, floats, true/false/nil, arrays and hashes map onto
Python's ``str``, ``int``, ``float``, ``bool``, ``None``, ``list`` and ``dict``. A Ruby
symbol has no Python twin, so it is a :class:`Symbol`. JSON writes a symbol as its
name, as Chef does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Symbol:
    """A Ruby symbol such as ``:chef_version``."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Site:
    """Where something is in a Ruby file: 1-based line and column."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def ruby_inspect(value: object) -> str:
    """The value as Ruby's ``inspect`` writes it (for error messages)."""
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Symbol):
        return f":{value.name}"
    if isinstance(value, list):
        return "[" + ", ".join(ruby_inspect(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{ruby_inspect(k)}=>{ruby_inspect(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return str(value)


def ruby_class_name(value: object) -> str:
    """The Ruby class of a value, as Ruby's error messages name it."""
    names: list[tuple[type, str]] = [
        (bool, "TrueClass" if value is True else "FalseClass"),
        (str, "String"),
        (Symbol, "Symbol"),
        (int, "Integer"),
        (float, "Float"),
        (list, "Array"),
        (dict, "Hash"),
    ]
    if value is None:
        return "NilClass"
    for python_type, ruby_name in names:
        if isinstance(value, python_type):
            return ruby_name
    return type(value).__name__


def ruby_to_s(value: object) -> str:
    """The value as Ruby's ``to_s`` and string interpolation write it."""
    if value is None:
        return ""
    if isinstance(value, str | Symbol):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return ruby_inspect(value)


def truthy(value: object) -> bool:
    """Ruby truth: only ``nil`` and ``false`` are false."""
    return value is not None and value is not False


def to_json_value(value: object) -> object:
    """A Ruby value as Ruby's JSON writes it: symbols become strings, keys too."""
    if isinstance(value, Symbol):
        return value.name
    if isinstance(value, list):
        return [to_json_value(item) for item in value]
    if isinstance(value, dict):
        return {ruby_to_s(k): to_json_value(v) for k, v in value.items()}
    return value
