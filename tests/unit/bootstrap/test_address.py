from __future__ import annotations

import pytest

from kitchenctl.bootstrap.ssh import (
    ConnectOptions,
    HostAddress,
    parse_address,
    resolve_target,
)
from kitchenctl.errors import UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("web1", HostAddress("web1")),
        ("alice@web1", HostAddress("web1", "alice")),
        ("alice@web1:2222", HostAddress("web1", "alice", 2222)),
        ("10.0.0.5:22", HostAddress("10.0.0.5", None, 22)),
        ("[::1]:2200", HostAddress("::1", None, 2200)),
        ("bob@[fe80::1]", HostAddress("fe80::1", "bob")),
        ("fe80::1", HostAddress("fe80::1")),
    ],
)
def test_parse_address(text: str, expected: HostAddress) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["", "alice@", "web1:0", "web1:http", "web1:70000"])
def test_bad_addresses_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_address(text)


def test_address_beats_options_beats_ssh_config(isolated_home: object) -> None:
    from pathlib import Path

    config = Path(str(isolated_home)) / ".ssh" / "config"
    config.parent.mkdir()
    config.write_text(
        "Host web1\n  HostName 10.1.1.1\n  User carol\n  Port 2022\n"
        "  ProxyJump gw.example\n"
    )

    from_config = resolve_target(parse_address("web1"), ConnectOptions())
    from_options = resolve_target(
        parse_address("web1"), ConnectOptions(user="bob", port=2200, gateway="gw2")
    )
    from_address = resolve_target(
        parse_address("alice@web1:22"), ConnectOptions(user="bob", port=2200)
    )

    assert (from_config.hostname, from_config.user, from_config.port) == (
        "10.1.1.1",
        "carol",
        2022,
    )
    assert from_config.proxy_jump == "gw.example"
    assert (from_options.user, from_options.port, from_options.proxy_jump) == (
        "bob",
        2200,
        "gw2",
    )
    assert (from_address.user, from_address.port) == ("alice", 22)
    assert from_address.known_hosts_name == "10.1.1.1"
    assert from_options.known_hosts_name == "[10.1.1.1]:2200"


def test_proxy_command_is_refused_with_the_alternative(isolated_home: object) -> None:
    from pathlib import Path

    from kitchenctl.errors import SSHError

    config = Path(str(isolated_home)) / ".ssh" / "config"
    config.parent.mkdir()
    config.write_text("Host web1\n  ProxyCommand nc gw %h %p\n")

    with pytest.raises(SSHError, match="ProxyCommand") as caught:
        resolve_target(parse_address("web1"), ConnectOptions())

    assert "ProxyJump" in str(caught.value)
