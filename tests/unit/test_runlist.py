"""Run-list items and edits: what knife understands, and what kitchenctl rejects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kitchenctl.runlist import (
    RunListError,
    RunListItem,
    add,
    parse_item,
    parse_items,
    remove,
    render,
    split_items,
    unique,
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("dockerhost", "recipe[dockerhost]"),
        ("cookbook::recipe", "recipe[cookbook::recipe]"),
        ("recipe[foo]", "recipe[foo]"),
        ("recipe[foo@1.0.0]", "recipe[foo@1.0.0]"),
        ("foo@1.0", "recipe[foo@1.0]"),
        ("recipe[a::b@2.3]", "recipe[a::b@2.3]"),
        ("role[web]", "role[web]"),
        ("role[web-front_end]", "role[web-front_end]"),
        ("my_cookbook.v2", "recipe[my_cookbook.v2]"),
    ],
)
def test_valid_items(text: str, canonical: str) -> None:
    assert str(parse_item(text)) == canonical


def test_versioned_recipe_fields() -> None:
    assert parse_item("recipe[a::b@2.3]") == RunListItem("recipe", "a::b", "2.3")
    assert parse_item("x@1.2") == RunListItem("recipe", "x", "1.2")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Recipe[x]", "write recipe[NAME], role[NAME]"),
        ("roles[x]", "write recipe[NAME], role[NAME]"),
        ("recipe[]", "the name is empty"),
        ("role[]", "the name is empty"),
        ("recipe[foo bar]", "names cannot contain spaces"),
        ("foo bar", "names cannot contain spaces"),
        ("x@1", "a version is X.Y or X.Y.Z"),
        ("recipe[foo@1]", "a version is X.Y or X.Y.Z"),
        ("x@1.2.3.4", "a version is X.Y or X.Y.Z"),
        ("role[web@1.0]", "roles have no version"),
        ("", "it is empty"),
        ("recipe[x", "write recipe[NAME], role[NAME]"),
        ("cook$book", "names use letters"),
        ("a:::b", "names use letters"),
    ],
)
def test_invalid_items_are_rejected_by_name(text: str, reason: str) -> None:
    with pytest.raises(RunListError) as caught:
        parse_item(text)

    assert caught.value.item == text
    assert f"invalid run-list item {text!r}: {reason}" in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("arguments", "tokens"),
    [
        (["recipe[a],role[b]"], ["recipe[a]", "role[b]"]),
        (["recipe[a], role[b]"], ["recipe[a]", "role[b]"]),
        (["recipe[a]", "role[b]"], ["recipe[a]", "role[b]"]),
        (["a b,c", "d"], ["a", "b", "c", "d"]),
        (["recipe[foo bar]"], ["recipe[foo bar]"]),
    ],
)
def test_split_on_commas_and_spaces(arguments: list[str], tokens: list[str]) -> None:
    assert split_items(arguments) == tokens


def test_duplicates_are_kept_once() -> None:
    assert [str(i) for i in parse_items(["a,recipe[a]", "role[x]", "a"])] == [
        "recipe[a]",
        "role[x]",
    ]


def test_empty_argument_is_rejected() -> None:
    with pytest.raises(RunListError, match="it is empty"):
        parse_items(["a", " , "])


def items(*texts: str) -> list[RunListItem]:
    return [parse_item(text) for text in texts]


def strings(run_list: list[RunListItem]) -> list[str]:
    return [str(item) for item in run_list]


@pytest.mark.parametrize(
    ("current", "new", "after", "before", "expected"),
    [
        (["a", "b"], ["c"], None, None, ["a", "b", "c"]),
        (["a", "b"], ["a", "role[x]", "a"], None, None, ["a", "b", "role[x]"]),
        (["a", "b"], ["c"], "a", None, ["a", "c", "b"]),
        (["a", "b"], ["c"], None, "a", ["c", "a", "b"]),
        (["a", "b"], ["c", "d"], "recipe[b]", None, ["a", "b", "c", "d"]),
        (["a", "b", "c"], ["c"], "a", None, ["a", "c", "b"]),
        (["a", "b", "c"], ["a"], None, "c", ["b", "a", "c"]),
        (["a", "b"], ["b"], "b", None, ["a", "b"]),
    ],
)
def test_add(
    current: list[str],
    new: list[str],
    after: str | None,
    before: str | None,
    expected: list[str],
) -> None:
    result = add(
        items(*current),
        items(*new),
        after=parse_item(after) if after else None,
        before=parse_item(before) if before else None,
    )

    assert strings(result) == strings(items(*expected))


def test_add_with_a_missing_anchor_is_an_error() -> None:
    with pytest.raises(RunListError, match=r"recipe\[zz\] is not in the run list"):
        add(items("a"), items("b"), after=parse_item("zz"))


def test_add_with_both_anchors_is_an_error() -> None:
    with pytest.raises(RunListError, match="not both"):
        add(items("a"), items("b"), after=parse_item("a"), before=parse_item("a"))


def test_remove_normalises_bare_names_and_reports_missing() -> None:
    kept, missing = remove(items("a", "role[web]", "b"), items("a", "role[web]", "z"))

    assert strings(kept) == ["recipe[b]"]
    assert strings(missing) == ["recipe[z]"]


@pytest.mark.parametrize(
    ("entries", "text"),
    [
        (["dockerhost"], "dockerhost:\n  run_list: recipe[dockerhost]"),
        (
            ["base", "role[web]"],
            "dockerhost:\n  run_list:\n    recipe[base]\n    role[web]",
        ),
        ([], "dockerhost:\n  run_list:"),
    ],
)
def test_render_as_knife(entries: list[str], text: str) -> None:
    assert render("dockerhost", items(*entries)) == text


_word = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("abz_09"),
    st.text(alphabet="abz_09.-", max_size=8),
)
_names = st.builds(
    lambda cookbook, recipe: f"{cookbook}::{recipe}" if recipe else cookbook,
    _word,
    st.none() | _word,
)
_versions = st.builds(
    lambda parts: ".".join(str(part) for part in parts),
    st.lists(st.integers(0, 999), min_size=2, max_size=3),
)
_roles = st.text(alphabet="abz_-09", min_size=1, max_size=10)
_items = st.one_of(
    st.builds(RunListItem, st.just("recipe"), _names, st.none() | _versions),
    st.builds(RunListItem, st.just("role"), _roles),
)


@given(st.lists(_items, min_size=1, max_size=8))
def test_canonical_text_parses_back_to_the_same_items(
    run_list: list[RunListItem],
) -> None:
    text = ",".join(str(item) for item in run_list)

    assert parse_items([text]) == unique(run_list)


@given(st.lists(_items, max_size=8), st.lists(_items, min_size=1, max_size=4))
def test_add_then_remove_keeps_the_rest_in_order(
    current: list[RunListItem], new: list[RunListItem]
) -> None:
    current = unique(current)
    added = add(current, new)
    kept, missing = remove(added, new)

    assert set(added) == set(current) | set(new)
    assert kept == [item for item in current if item not in new]
    assert missing == []
