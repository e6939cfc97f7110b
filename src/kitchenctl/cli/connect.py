"""From the global options to settings and a signed API client, for every command."""

from __future__ import annotations

from kitchenctl.cli.state import State
from kitchenctl.config import Overrides, Settings, load_settings


def settings_for(state: State) -> Settings:
    """The profile's settings with the global connection options applied."""
    return load_settings(
        Overrides(
            profile=state.profile,
            server_url=state.server_url,
            client_name=state.client_name,
            key=state.key,
        )
    )
