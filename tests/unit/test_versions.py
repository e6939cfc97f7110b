"""Versions and constraints: the table in berkshelf.md §7, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kitchenctl.versions import ANY, Constraint, Version, VersionFormatError


@pytest.mark.parametrize(
    ("constraint", "version", "expected"),
    [
        ("~> 2.7.0", "2.6.9", False),
        ("~> 2.7.0", "2.7.0", True),
        ("~> 2.7.0", "2.7.9", True),
        ("~> 2.7.0", "2.8.0", False),
        ("~> 2.7", "2.6.9", False),
        ("~> 2.7", "2.7.0", True),
        ("~> 2.7", "2.9.9", True),
        ("~> 2.7", "3.0.0", False),
        ("~> 2", "1.9.9", False),
        ("~> 2", "2.0.0", True),
        ("~> 2", "2.9.9", True),
        ("~> 2", "3.0.0", False),
        ("2.7", "2.7.0", True),
        ("2.7", "2.7.1", False),
        ("> 2.7", "2.7.0", False),
        ("> 2.7", "2.7.1", True),
        ("~2.7", "2.8.0", True),
        ("!= 1.0.0", "1.0.1", True),
        ("!= 1.0.0", "1.0.0", False),
        ("<= 1.0", "1.0.0", True),
        ("< 1.0", "1.0.0-rc.1", True),
        # A pre-release only matches a constraint that names one, or < / <= / zero.
        ("~> 2.7.0", "2.7.1-rc.1", False),
        (">= 0.0.0", "2.7.1-rc.1", True),
        (">= 1.0.0-rc.1", "1.0.0-rc.2", True),
        (">= 1.0.0", "2.0.0-rc.1", False),
        ("~> 1.0.0-rc", "1.0.0-rc.9", True),
    ],
)
def test_berkshelf_constraint_table(
    constraint: str, version: str, expected: bool
) -> None:
    assert Constraint.parse(constraint).satisfies(Version.parse(version)) is expected


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("1.3", "1.3.0"),
        ("20140206", "20140206.0.0"),
        ("11.0.1388269389", "11.0.1388269389"),
        ("1.2.", "1.2.0"),
        ("1.0.0-rc.1+build.5", "1.0.0-rc.1+build.5"),
        ("2.0.0\n", "2.0.0"),
    ],
)
def test_versions_fill_missing_parts(text: str, printed: str) -> None:
    assert str(Version.parse(text)) == printed


@pytest.mark.parametrize(
    ("text", "printed"),
    [("2.7", "= 2.7.0"), ("~> 2.7", "~> 2.7"), (">=1", ">= 1.0.0"), ("", ">= 0.0.0")],
)
def test_constraints_print_as_berkshelf_writes_them(text: str, printed: str) -> None:
    assert str(Constraint.parse(text)) == printed


@pytest.mark.parametrize("text", ["", "a", "1.2.3-", "1..2", "v1.0.0", "1.2.3.4"])
def test_invalid_versions_are_rejected(text: str) -> None:
    with pytest.raises(VersionFormatError, match="not a valid cookbook version"):
        Version.parse(text)


@pytest.mark.parametrize("text", ["=>1.0", ">=", " >= 1.0", "~> 1.0 ", "1.0.0.0", "[]"])
def test_invalid_constraints_are_rejected(text: str) -> None:
    with pytest.raises(VersionFormatError, match="not a valid cookbook constraint"):
        Constraint.parse(text)


def test_release_order_and_prerelease_quirks() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-rc.1", "1.0.0", "1.0.0+build"]
    versions = [Version.parse(text) for text in ordered]
    assert sorted(reversed(versions)) == versions
    # semverse's quirk: an extra textual identifier sorts *below* the shorter version.
    assert Version.parse("1.0.0-rc.a") < Version.parse("1.0.0-rc")
    assert Version.parse("1.3") == Version.parse("1.3.0")
    assert ANY.is_any and not Constraint.parse("> 0.0.0").is_any


numbers = st.integers(min_value=0, max_value=30)
identifiers = st.sampled_from(["rc", "1", "0", "2", "alpha", "beta", "10"])
parts = st.lists(identifiers, min_size=1, max_size=3).map(".".join)
versions = st.builds(
    Version,
    numbers,
    numbers,
    numbers,
    st.none() | parts,
    st.none() | parts,
)
releases = st.builds(Version, numbers, numbers, numbers)


@settings(deadline=None)  # a loaded CI machine must not fail a timing
@given(versions)
def test_printing_and_parsing_round_trip(version: Version) -> None:
    assert Version.parse(str(version)) == version
    assert str(Version.parse(str(version))) == str(version)


@settings(deadline=None)  # a loaded CI machine must not fail a timing
@given(versions, versions)
def test_comparison_is_antisymmetric_and_agrees_with_equality(
    left: Version, right: Version
) -> None:
    assert left.compare(right) == -right.compare(left)
    assert (left == right) == (left.compare(right) == 0)
    if left == right:
        assert hash(left) == hash(right)


@settings(deadline=None)  # a loaded CI machine must not fail a timing
@given(releases, releases, releases)
def test_release_order_is_transitive(a: Version, b: Version, c: Version) -> None:
    if a <= b and b <= c:
        assert a <= c


@settings(deadline=None)  # a loaded CI machine must not fail a timing
@given(releases, releases)
def test_pessimistic_matches_its_expansion_for_releases(
    base: Version, candidate: Version
) -> None:
    with_patch = Constraint.parse(f"~> {base.major}.{base.minor}.{base.patch}")
    upper = Version(base.major, base.minor + 1, 0)
    assert with_patch.satisfies(candidate) == (base <= candidate < upper)

    without_patch = Constraint.parse(f"~> {base.major}.{base.minor}")
    lower, upper = Version(base.major, base.minor), Version(base.major + 1)
    assert without_patch.satisfies(candidate) == (lower <= candidate < upper)


@settings(deadline=None)  # a loaded CI machine must not fail a timing
@given(versions, st.sampled_from(["=", "!=", ">", "<", ">=", "<="]), releases)
def test_plain_operators_compare_releases(
    candidate: Version, operator: str, bound: Version
) -> None:
    constraint = Constraint.parse(f"{operator} {bound}")
    expected = {
        "=": candidate == bound,
        "!=": candidate != bound,
        ">": candidate > bound,
        "<": candidate < bound,
        ">=": candidate >= bound,
        "<=": candidate <= bound,
    }[operator]
    if candidate.is_prerelease and operator not in ("<", "<=") and not bound.is_zero:
        expected = False
    assert constraint.satisfies(candidate) is expected
