"""From the global options to settings and a signed API client, for every command.

The library modules are imported inside the functions, so that merely registering a
command group costs nothing at startup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kitchenctl.cli.state import State

if TYPE_CHECKING:
    from kitchenctl.api import ChefServerAPI
    from kitchenctl.config import Settings


def settings_for(state: State) -> Settings:
    """The profile's settings with the global connection options applied."""
    from kitchenctl.config import Overrides, load_settings

    return load_settings(
        Overrides(
            profile=state.profile,
            server_url=state.server_url,
            client_name=state.client_name,
            key=state.key,
        )
    )


def api_for(state: State) -> ChefServerAPI:
    """A signed client for the configured Chef server; ConfigError if incomplete."""
    from kitchenctl.api import ChefServerAPI

    return ChefServerAPI.from_settings(settings_for(state))
