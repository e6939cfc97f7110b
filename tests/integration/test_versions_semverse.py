"""Differential test: kitchenctl.versions answers exactly as Ruby's semverse does."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kitchenctl.versions import Constraint, Version, VersionFormatError
from tests.fixtures.ruby_oracle import RubyOracle

pytestmark = pytest.mark.ruby

identifier = st.sampled_from(
    ["rc", "1", "0", "01", "2", "10", "-1", "-", "a", "alpha", "beta", "X", ""]
)
part = st.lists(identifier, min_size=1, max_size=3).map(".".join)
number = st.sampled_from(["0", "1", "2", "3", "9", "10", "007"])


@st.composite
def version_texts(draw: st.DrawFn) -> str:
    count = draw(st.integers(min_value=1, max_value=3))
    text = ".".join(draw(number) for _ in range(count))
    text += draw(st.sampled_from(["", "", "", "."]))
    if draw(st.booleans()):
        text += "-" + draw(part)
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        text += "+" + draw(part)
    return text + draw(st.sampled_from(["", "", "", "", "\n", " "]))


@st.composite
def constraint_texts(draw: st.DrawFn) -> str:
    operator = draw(st.sampled_from(["", "=", "!=", ">", "<", ">=", "<=", "~", "~>"]))
    space = draw(st.sampled_from(["", " ", "  "]))
    return operator + space + draw(version_texts())


def ours_version(text: str) -> str | None:
    try:
        return str(Version.parse(text))
    except VersionFormatError:
        return None


def ours_satisfies(constraint: str, version: str) -> bool | None:
    try:
        return Constraint.parse(constraint).satisfies(Version.parse(version))
    except VersionFormatError:
        return None


def ours_compare(left: str, right: str) -> int | None:
    try:
        return Version.parse(left).compare(Version.parse(right))
    except VersionFormatError:
        return None


def theirs(reply: dict[str, object]) -> object:
    return reply.get("ok")


BATCH = settings(
    max_examples=15,
    # Each example is a whole batch, and the assertion names the failing pair, so
    # shrinking would cost minutes and add nothing.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)


@BATCH
@given(
    st.lists(st.tuples(constraint_texts(), version_texts()), min_size=50, max_size=400)
)
def test_satisfies_agrees_with_semverse(
    ruby_oracle: RubyOracle, pairs: list[tuple[str, str]]
) -> None:
    replies = ruby_oracle.ask(
        [{"op": "satisfies", "constraint": c, "version": v} for c, v in pairs]
    )
    for (constraint, version), reply in zip(pairs, replies, strict=True):
        assert ours_satisfies(constraint, version) == theirs(reply), (
            constraint,
            version,
        )


@BATCH
@given(st.lists(st.tuples(version_texts(), version_texts()), min_size=50, max_size=400))
def test_order_agrees_with_semverse(
    ruby_oracle: RubyOracle, pairs: list[tuple[str, str]]
) -> None:
    replies = ruby_oracle.ask(
        [{"op": "compare", "left": left, "right": right} for left, right in pairs]
    )
    for (left, right), reply in zip(pairs, replies, strict=True):
        assert ours_compare(left, right) == theirs(reply), (left, right)


@BATCH
@given(st.lists(constraint_texts() | version_texts(), min_size=50, max_size=200))
def test_parsing_and_printing_agree_with_semverse(
    ruby_oracle: RubyOracle, texts: list[str]
) -> None:
    requests = [{"op": "version", "text": text} for text in texts]
    requests += [{"op": "constraint", "text": text} for text in texts]
    replies = ruby_oracle.ask(requests)
    for text, reply in zip(texts, replies[: len(texts)], strict=True):
        assert ours_version(text) == theirs(reply), text
    for text, reply in zip(texts, replies[len(texts) :], strict=True):
        try:
            ours: str | None = str(Constraint.parse(text))
        except VersionFormatError:
            ours = None
        assert ours == theirs(reply), text


def test_every_interesting_pair_agrees(ruby_oracle: RubyOracle) -> None:
    """An exhaustive grid over the shapes real universes hold, pre-releases included."""
    versions = ["0.0.0", "0.0.1-rc", "1.0", "1.0.0-rc.1", "1.0.0", "1.0.0+b.1", "1.2.3"]
    versions += ["2.0.0-0", "2.0.0-rc", "2.7.9", "3.0.0-alpha.beta", "20140206"]
    bounds = ["0", "0.0.0", "1", "1.0", "1.0.0", "1.0.0-rc", "1.0.0+b", "2.0.0-rc.1"]
    operators = ["", "= ", "!= ", "> ", "< ", ">= ", "<= ", "~ ", "~> "]
    constraints = [op + bound for op, bound in itertools.product(operators, bounds)]
    pairs = list(itertools.product(constraints, versions))
    replies = ruby_oracle.ask(
        [{"op": "satisfies", "constraint": c, "version": v} for c, v in pairs]
    )
    for (constraint, version), reply in zip(pairs, replies, strict=True):
        assert ours_satisfies(constraint, version) == theirs(reply), (
            constraint,
            version,
        )
