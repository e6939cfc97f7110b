"""The subset of Chef's Lucene search syntax that Chef users type every day.

Supported: ``field:value`` terms with ``*`` and ``?`` wildcards and backslash escapes
(``run_list:recipe\\[hello\\]``), quoted values, ``*:*``, ``AND`` / ``OR`` / ``NOT``
(also ``&&``, ``||``, ``-term``), parentheses; adjacent terms mean OR, as in Lucene.
Range queries and fuzzy or boosted terms raise ``QueryError``.

Objects are flattened the way Chef indexes them: every attribute leaf under its own key
and under its path joined with ``_`` (``kernel_machine``). Nodes also get ``name``,
``chef_environment``, ``run_list``, ``recipe`` / ``recipes`` and ``role`` / ``roles``
(from the run list and the automatic attributes) and ``tags``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Index = dict[str, set[str]]
Matcher = Callable[[Index], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<open>\() | (?P<close>\)) |
        (?P<and>AND\b|&&) | (?P<or>OR\b|\|\|) | (?P<not>NOT\b|-(?=\S)) |
        (?P<plus>\+(?=\S)) |
        (?P<term>(?:"(?:[^"\\]|\\.)*"|\\.|[^\s()"\\])+)
    )""",
    re.VERBOSE,
)
_UNSUPPORTED = re.compile(r"^[\[{]|(^|[^\\])[~^]")


class QueryError(ValueError):
    """The query is outside the supported subset or malformed."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    query = query.strip()
    while position < len(query):
        found = _TOKEN.match(query, position)
        if found is None or found.end() == position:
            raise QueryError(f"cannot parse the query near {query[position:]!r}")
        kind = found.lastgroup or "term"
        tokens.append(Token(kind, found.group(kind)))
        position = found.end()
    return tokens


def parse(query: str) -> Matcher:
    """A predicate over an object's index; raise QueryError when unsupported."""
    tokens = tokenize(query)
    if not tokens:
        raise QueryError("the query is empty")
    parser = _Parser(tokens)
    matcher = parser.expression()
    if parser.position != len(tokens):
        raise QueryError(f"unexpected {tokens[parser.position].text!r} in the query")
    return matcher


class _Parser:
    """Recursive descent: OR of ANDs of (optionally negated) terms and groups."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.position = 0

    def _peek(self) -> Token | None:
        if self.position < len(self.tokens):
            return self.tokens[self.position]
        return None

    def _next(self) -> Token:
        token = self._peek()
        if token is None:
            raise QueryError("the query ends too early")
        self.position += 1
        return token

    def expression(self) -> Matcher:
        alternatives = [self._conjunction()]
        while (token := self._peek()) is not None and token.kind != "close":
            if token.kind == "or":
                self._next()
            alternatives.append(self._conjunction())
        if len(alternatives) == 1:
            return alternatives[0]
        return lambda index: any(match(index) for match in alternatives)

    def _conjunction(self) -> Matcher:
        parts = [self._unary()]
        while (token := self._peek()) is not None and token.kind == "and":
            self._next()
            parts.append(self._unary())
        if len(parts) == 1:
            return parts[0]
        return lambda index: all(match(index) for match in parts)

    def _unary(self) -> Matcher:
        token = self._next()
        if token.kind == "not":
            inner = self._unary()
            return lambda index: not inner(index)
        if token.kind == "plus":
            return self._unary()
        if token.kind == "open":
            inner = self.expression()
            if self._next().kind != "close":
                raise QueryError("a parenthesis is not closed")
            return inner
        if token.kind == "term":
            return _term(token.text)
        raise QueryError(f"unexpected {token.text!r} in the query")


def _term(text: str) -> Matcher:
    field, value = _split_field(text)
    if _UNSUPPORTED.search(value):
        raise QueryError(f"{text!r}: ranges, fuzzy and boosted terms are not supported")
    field_pattern = _pattern(field) if field != "*" else None
    value_pattern = _pattern(value)
    match_any_value = value == "*"

    def matches(index: Index) -> bool:
        for name, values in index.items():
            if field_pattern is not None and not field_pattern.fullmatch(name):
                continue
            if match_any_value and values:
                return True
            if any(value_pattern.fullmatch(item) for item in values):
                return True
        return False

    return matches


def _split_field(text: str) -> tuple[str, str]:
    """Split ``field:value`` on the first unescaped colon; bare values: any field."""
    escaped = False
    for position, character in enumerate(text):
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == ":":
            return text[:position], text[position + 1 :]
    return "*", text


def _pattern(text: str) -> re.Pattern[str]:
    """Lucene wildcards to a regular expression; escapes and quotes become literals."""
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    parts: list[str] = []
    escaped = False
    for character in text:
        if escaped:
            parts.append(re.escape(character))
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == "*":
            parts.append(".*")
        elif character == "?":
            parts.append(".")
        else:
            parts.append(re.escape(character))
    return re.compile("".join(parts), re.DOTALL)


# Building the index of an object.


def flatten(data: Any, index: Index | None = None, prefix: str = "") -> Index:
    """Every leaf under its own key and under its ``_``-joined path."""
    index = {} if index is None else index
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}_{key}" if prefix else str(key)
            for name in {str(key), path}:
                _add_values(index, name, value)
            if isinstance(value, dict | list):
                flatten(value, index, path)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                flatten(item, index, prefix)
    return index


def _add_values(index: Index, name: str, value: Any) -> None:
    for leaf in _leaves(value):
        index.setdefault(name, set()).add(leaf)


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, bool):
        yield "true" if value else "false"
    elif isinstance(value, str | int | float):
        yield str(value)
    elif isinstance(value, list):
        for item in value:
            if not isinstance(item, dict | list):
                yield from _leaves(item)


def merged_attributes(node: dict[str, Any]) -> dict[str, Any]:
    """default < normal < override < automatic, merged deeply as Chef does."""
    merged: dict[str, Any] = {}
    for level in ("default", "normal", "override", "automatic"):
        _deep_merge(merged, node.get(level) or {})
    return merged


def _deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value


def node_index(node: dict[str, Any]) -> Index:
    attributes = merged_attributes(node)
    index = flatten(attributes)
    run_list = [str(item) for item in node.get("run_list") or []]
    recipes = [item[7:-1] for item in run_list if item.startswith("recipe[")]
    roles = [item[5:-1] for item in run_list if item.startswith("role[")]

    index["name"] = {str(node.get("name", ""))}
    index["chef_environment"] = {str(node.get("chef_environment", "_default"))}
    index["run_list"] = set(run_list)
    for field, values in (("recipe", recipes), ("role", roles)):
        index[field] = set(values)
        index[f"{field}s"] = index.get(f"{field}s", set()) | set(values)
    for key in ("policy_name", "policy_group"):
        if node.get(key):
            index[key] = {str(node[key])}
    return index


def object_index(body: dict[str, Any]) -> Index:
    """Roles, environments, clients, data bag items: their JSON flattened."""
    return flatten(body)


def partial(source: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    """Partial search: each alias's ``["a","b"]`` path looked up in ``source``."""
    result: dict[str, Any] = {}
    for alias, path in paths.items():
        value: Any = source
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        result[alias] = value
    return result
