"""Fixtures every test gets: an isolated HOME, config and cache, and plain output."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.fixtures.chef_servers",
    "tests.fixtures.ruby_oracle",
    "tests.fixtures.supermarket",
    "tests.fixtures.git_identity",
    "tests.fixtures.sshd",
    "tests.fixtures.client_installer",
    "tests.fixtures.embedded_server",
]

CHEF_VARIABLES = (
    "CHEF_CREDENTIALS_FILE",
    "CHEF_PROFILE",
    "KNIFE_HOME",
    "BERKSHELF_PATH",
    "EDITOR",
    "VISUAL",
    "SSH_AUTH_SOCK",
)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test has its own HOME, so no real ~/.chef, ~/.ssh or cache is touched."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "dumb")
    for name in CHEF_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield home
