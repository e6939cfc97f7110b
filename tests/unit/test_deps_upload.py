"""Which locked cookbooks ``deps upload`` sends, and which may halt it."""

from __future__ import annotations

import pytest

from kitchenctl.deps_upload import select_locked
from kitchenctl.errors import InputFileError
from kitchenctl.lockfile import parse_lockfile

LOCK = parse_lockfile(
    "DEPENDENCIES\n"
    "  dockerhost\n"
    "    path: .\n"
    "    metadata: true\n"
    "  nginx (~> 2.0)\n"
    "\n"
    "GRAPH\n"
    "  apt (2.7.0)\n"
    "  docker (1.0.0)\n"
    "    apt (>= 2.0.0)\n"
    "  dockerhost (0.2.0)\n"
    "    apt (>= 0.0.0)\n"
    "    docker (~> 1.0)\n"
    "  nginx (2.1.0)\n"
    "    ohai (>= 0.0.0)\n"
    "  ohai (5.0.0)\n"
)


def _names(names: tuple[str, ...] = ()) -> list[str]:
    return [cookbook.name for cookbook in select_locked(LOCK, names).cookbooks]


def test_no_names_uploads_the_whole_graph_dependencies_first() -> None:
    selection = select_locked(LOCK)

    assert _names() == ["apt", "docker", "dockerhost", "ohai", "nginx"]
    assert selection.halt_names == {"dockerhost", "nginx"}


def test_names_upload_only_those_in_dependency_order() -> None:
    selection = select_locked(LOCK, ("dockerhost", "apt"))

    assert _names(("dockerhost", "apt")) == ["apt", "dockerhost"]
    assert selection.halt_names == {"dockerhost", "apt"}
    assert [str(c.version) for c in selection.cookbooks] == ["2.7.0", "0.2.0"]


def test_a_transitive_dependency_may_be_named() -> None:
    assert _names(("ohai",)) == ["ohai"]


def test_an_unknown_name_is_berkshelfs_dependency_not_found() -> None:
    with pytest.raises(InputFileError, match="Dependency 'reset' was not found"):
        select_locked(LOCK, ("reset",))
