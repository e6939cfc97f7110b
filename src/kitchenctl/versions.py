"""Cookbook versions and version constraints, with exactly Berkshelf's semantics.

Berkshelf, Chef's universe endpoint and the solve gem all compare versions with the
``semverse`` gem, so kitchenctl copies its rules instead of those of SemVer or PEP 440:

- A version is ``x``, ``x.y`` or ``x.y.z`` with an optional ``-pre`` and ``+build``;
  missing parts are 0 (``1.3`` is ``1.3.0``). ``1.`` and ``1.2.`` are accepted too.
- Order: major, minor, patch; then a pre-release < a plain release < a release with a
  build part; then pre-release identifiers, then build identifiers. Identifiers compare
  as numbers when both are numeric. semverse's quirks are kept on purpose: a numeric
  identifier sorts below a textual one, a version with an extra *numeric* identifier
  sorts above the shorter one, but one with an extra *textual* identifier sorts below
  it (``1.0.0-rc.a < 1.0.0-rc``). The order is therefore not transitive for such
  pre-releases; real universes do not contain them.
- Constraints: ``=`` (the default), ``!=``, ``>``, ``<``, ``>=``, ``<=``, ``~>`` and its
  alias ``~``. Except for ``~>``, missing parts are filled with 0. A pre-release version
  only satisfies a constraint that names a pre-release itself, unless the operator is
  ``<``/``<=`` or the constraint's version is ``0.0.0``.

Parsing costs a regular expression match; comparing two plain releases costs a tuple
comparison, so sorting the 30,000 versions of Supermarket takes milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from kitchenctl.errors import InputFileError

# Ruby's \d is ASCII only, and [[:space:]] is Unicode White_Space, which Python's \s
# also accepts (plus four control characters, not worth a difference here).
_IDENTIFIERS = r"[0-9A-Za-z\-.]+"
# semverse's four accepted shapes, tried in order. Ruby's ^ and $ match at line breaks,
# so "2.0.0\n" (as Supermarket serves four versions) is 2.0.0: re.MULTILINE keeps that.
_VERSION_SHAPES = (
    re.compile(
        rf"^([0-9]+)\.([0-9]+)\.([0-9]+)(?:-({_IDENTIFIERS}))?(?:\+({_IDENTIFIERS}))?$",
        re.MULTILINE,
    ),
    re.compile(r"^([0-9]+)\.([0-9]+)\.([0-9]+)?$", re.MULTILINE),
    re.compile(r"^([0-9]+)\.([0-9]+)?$", re.MULTILINE),
    re.compile(r"^([0-9]+)$", re.MULTILINE),
)

OPERATORS: Final = ("=", "!=", ">", "<", ">=", "<=", "~", "~>")
_CONSTRAINT = re.compile(
    r"\A(?:(?P<operator>=|!=|>|<|>=|<=|~|~>)\s*)?"
    r"(?P<major>[0-9]+)(?:\.(?P<minor>[0-9]+))?(?:\.(?P<patch>[0-9]+))?"
    rf"(?:-(?P<pre>{_IDENTIFIERS}))?(?:\+(?P<build>{_IDENTIFIERS}))?\Z"
)
_INTEGER = re.compile(r"-?[0-9]+")

Identifier = int | str


class VersionFormatError(InputFileError):
    """A version or constraint string that semverse would reject too."""

    def __init__(self, text: str, *, kind: str = "version") -> None:
        super().__init__(
            f"'{text}' is not a valid cookbook {kind}",
            hint="use x.y.z, optionally with -pre and +build"
            if kind == "version"
            else "use an operator (=, !=, >, <, >=, <=, ~>) and a version: '~> 2.7'",
        )
        self.text = text


def _identifiers(part: str | None) -> tuple[Identifier, ...]:
    """Split a pre-release or build part as Ruby does: dots, numbers made ints.

    Ruby's ``String#split`` drops trailing empty strings, and ``"01".to_i.to_s`` is not
    ``"01"``, so ``01`` stays textual while ``-1`` becomes the number -1.
    """
    if not part:
        return ()
    pieces = part.split(".")
    while pieces and pieces[-1] == "":
        pieces.pop()
    return tuple(_identifier(piece) for piece in pieces)


def _identifier(piece: str) -> Identifier:
    if _INTEGER.fullmatch(piece) and str(int(piece)) == piece:
        return int(piece)
    return piece


def _type_name(identifier: Identifier | None) -> str:
    """The Ruby class name semverse compares when identifier types differ."""
    if identifier is None:
        return "NilClass"
    return "Integer" if isinstance(identifier, int) else "String"


def _compare_identifiers(
    mine: tuple[Identifier, ...], theirs: tuple[Identifier, ...]
) -> int:
    for index in range(max(len(mine), len(theirs))):
        left = mine[index] if index < len(mine) else None
        right = theirs[index] if index < len(theirs) else None
        if type(left) is type(right):
            if left != right:
                # Same type (both int or both str), which mypy cannot see from here.
                return -1 if left < right else 1  # type: ignore[operator]
        elif left is not None and right is not None:
            return _ruby_cmp(_type_name(left), _type_name(right))
        else:
            # Note the swapped operands: semverse compares the other side's class name.
            return _ruby_cmp(_type_name(right), _type_name(left))
    return 0


def _ruby_cmp(left: str, right: str) -> int:
    return (left > right) - (left < right)


@dataclass(frozen=True, eq=False)
class Version:
    """One cookbook version: compare with ``<`` and ``==``, print with str()."""

    major: int
    minor: int = 0
    patch: int = 0
    prerelease: str | None = None
    build: str | None = None
    _pre_ids: tuple[Identifier, ...] = field(init=False, repr=False)
    _build_ids: tuple[Identifier, ...] = field(init=False, repr=False)
    _equality: tuple[object, ...] = field(init=False, repr=False)
    _hash: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pre_ids", _identifiers(self.prerelease))
        object.__setattr__(self, "_build_ids", _identifiers(self.build))
        equality = (
            self.major,
            self.minor,
            self.patch,
            self.prerelease is not None,
            self._pre_ids,
            self.build is not None,
            self._build_ids,
        )
        object.__setattr__(self, "_equality", equality)
        object.__setattr__(self, "_hash", hash(equality))

    @classmethod
    def parse(cls, text: str) -> Version:
        """Parse ``text`` as semverse does (a trailing newline is accepted).

        Raises VersionFormatError for anything semverse rejects.
        """
        for shape in _VERSION_SHAPES:
            match = shape.search(text)
            if match:
                groups = match.groups() + (None,) * (5 - len(match.groups()))
                major, minor, patch, prerelease, build = groups
                return cls(
                    int(major or 0), int(minor or 0), int(patch or 0), prerelease, build
                )
        raise VersionFormatError(text)

    @property
    def is_prerelease(self) -> bool:
        return self.prerelease is not None

    @property
    def is_zero(self) -> bool:
        return self.major == 0 and self.minor == 0 and self.patch == 0

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease is not None:
            text += f"-{self.prerelease}"
        if self.build is not None:
            text += f"+{self.build}"
        return text

    def compare(self, other: Version) -> int:
        """-1, 0 or 1, as semverse's ``<=>``."""
        mine = (self.major, self.minor, self.patch)
        theirs = (other.major, other.minor, other.patch)
        if mine != theirs:
            return -1 if mine < theirs else 1
        plain = self.prerelease is None and self.build is None
        if plain and other.prerelease is None and other.build is None:
            return 0

        # A pre-release sorts below the release, a build part above it.
        score = _presence_score(self) - _presence_score(other)
        if score:
            return -1 if score < 0 else 1
        answer = _compare_identifiers(self._pre_ids, other._pre_ids)
        if answer:
            return answer
        if self.build is not None and other.build is not None:
            return _compare_identifiers(self._build_ids, other._build_ids)
        return _ruby_cmp(self.build or "", other.build or "")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._equality == other._equality

    def __hash__(self) -> int:
        return self._hash

    def __lt__(self, other: Version) -> bool:
        return self.compare(other) < 0

    def __le__(self, other: Version) -> bool:
        return self.compare(other) <= 0

    def __gt__(self, other: Version) -> bool:
        return self.compare(other) > 0

    def __ge__(self, other: Version) -> bool:
        return self.compare(other) >= 0


def _presence_score(version: Version) -> int:
    if version.prerelease is not None:
        return 0
    return 1 if version.build is None else 2


@dataclass(frozen=True)
class Constraint:
    """A version constraint such as ``~> 2.7``; ``satisfies(version)`` checks one.

    ``minor`` and ``patch`` stay ``None`` only for ``~>``/``~``, where their absence
    moves the upper bound; str() prints the constraint as Berkshelf writes it
    (``>= 0.0.0``, ``~> 2.7``).
    """

    operator: str
    major: int
    minor: int | None = None
    patch: int | None = None
    prerelease: str | None = None
    build: str | None = None
    version: Version = field(init=False, repr=False, compare=False)
    _upper: Version | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise VersionFormatError(str(self), kind="constraint")
        if self.operator not in ("~>", "~"):
            object.__setattr__(self, "minor", self.minor or 0)
            object.__setattr__(self, "patch", self.patch or 0)
        version = Version(
            self.major, self.minor or 0, self.patch or 0, self.prerelease, self.build
        )
        object.__setattr__(self, "version", version)
        upper = self._pessimistic_upper() if self.operator in ("~>", "~") else None
        object.__setattr__(self, "_upper", upper)

    @classmethod
    def parse(cls, text: str) -> Constraint:
        """Parse ``text`` as semverse does; an empty string means ``>= 0.0.0``.

        Raises VersionFormatError for anything semverse rejects.
        """
        if text == "":
            return ANY
        match = _CONSTRAINT.match(text)
        if match is None:
            raise VersionFormatError(text, kind="constraint")
        return cls(
            match["operator"] or "=",
            int(match["major"]),
            int(match["minor"]) if match["minor"] is not None else None,
            int(match["patch"]) if match["patch"] is not None else None,
            match["pre"],
            match["build"],
        )

    def __str__(self) -> str:
        text = f"{self.operator} {self.major}"
        if self.minor is not None:
            text += f".{self.minor}"
        if self.patch is not None:
            text += f".{self.patch}"
        if self.prerelease is not None:
            text += f"-{self.prerelease}"
        if self.build is not None:
            text += f"+{self.build}"
        return text

    @property
    def is_any(self) -> bool:
        """True for ``>= 0.0.0``, the constraint Berkshelf leaves out of lockfiles."""
        return self.operator == ">=" and self.version == ANY.version

    def satisfies(self, version: Version) -> bool:
        """Whether ``version`` meets this constraint, pre-release rule included."""
        if (
            not self.version.is_zero
            and version.prerelease is not None
            and self.operator not in ("<", "<=")
            and self.prerelease is None
        ):
            return False
        answer = version.compare(self.version)
        operator = self.operator
        if operator == ">=":
            return answer >= 0
        if operator == "=":
            return answer == 0
        if operator in ("~>", "~"):
            assert self._upper is not None
            return answer >= 0 and version.compare(self._upper) < 0
        if operator == ">":
            return answer > 0
        if operator == "<":
            return answer < 0
        if operator == "<=":
            return answer <= 0
        return answer != 0

    def _pessimistic_upper(self) -> Version:
        """The exclusive upper bound of ``~>``, bumped as semverse bumps it.

        semverse builds the bound with a pre-release of the integer 0, so ``~> 2.7.0``
        really means ``< 2.8.0-0``; with a pre-release or build part its last
        identifier is replaced ("-" after a number, nothing after text).
        """
        base = self.version
        if self.patch is None:
            return Version(base.major + 1, 0, 0, "0")
        if self.build is not None:
            return Version(
                base.major, base.minor, base.patch, base.prerelease, _bump(self.build)
            )
        if self.prerelease is not None:
            return Version(base.major, base.minor, base.patch, _bump(self.prerelease))
        return Version(base.major, base.minor + 1, 0, "0")


def _bump(part: str) -> str:
    """semverse's ``identifiers.fill(replace, -1).join('.')`` on a pre or build."""
    identifiers = list(_identifiers(part))
    if not identifiers:
        return ""
    replacement = "-" if isinstance(identifiers[-1], int) else ""
    return ".".join([str(piece) for piece in identifiers[:-1]] + [replacement])


ANY: Final = Constraint(">=", 0, 0, 0)
