"""The search query subset, checked against hand-built node indexes."""

from __future__ import annotations

import pytest

from kitchenctl.server.search import QueryError, node_index, parse, partial

WEB = node_index(
    {
        "name": "web1.example.com",
        "chef_environment": "prod",
        "run_list": ["recipe[nginx::default]", "role[base]"],
        "normal": {"tags": ["frontend"]},
        "default": {"app": {"port": 80}},
        "automatic": {"platform": "debian", "recipes": ["nginx", "apt"]},
    }
)


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("*:*", True),
        ("name:web1.example.com", True),
        ("name:web1", False),
        ("name:web*", True),
        ("name:web?.example.com", True),
        ("chef_environment:prod", True),
        ("chef_environment:_default", False),
        ("run_list:recipe\\[nginx\\:\\:default\\]", True),
        ("run_list:role\\[base\\]", True),
        ("recipe:nginx\\:\\:default", True),
        ("recipes:apt", True),
        ("role:base AND roles:base", True),
        ("tags:frontend", True),
        ("app_port:80", True),
        ("port:80", True),
        ('platform:"debian"', True),
        ("platform:debian AND name:db*", False),
        ("platform:debian && name:web*", True),
        ("name:db* OR tags:frontend", True),
        ("name:db* || tags:backend", False),
        ("NOT name:db*", True),
        ("-name:web*", False),
        ("(name:db* OR name:web*) AND chef_environment:prod", True),
        ("frontend", True),
        ("nosuchfield:*", False),
        ("tags:*", True),
    ],
)
def test_queries(query: str, matches: bool) -> None:
    assert parse(query)(WEB) is matches


@pytest.mark.parametrize(
    "query",
    ["name:[a TO b]", "name:{a TO b}", "name:web~", "name:web^2", "(name:a", "", "AND"],
)
def test_unsupported_or_malformed_queries(query: str) -> None:
    with pytest.raises(QueryError):
        parse(query)


def test_partial_search_paths() -> None:
    source = {"name": "web1", "kernel": {"machine": "x86_64"}}

    data = partial(source, {"n": ["name"], "m": ["kernel", "machine"], "x": ["no"]})

    assert data == {"n": "web1", "m": "x86_64", "x": None}
