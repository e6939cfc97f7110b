"""The version text, importable without typer so ``kitchenctl --version`` is instant."""

from __future__ import annotations

from kitchenctl import __version__

SIGNING_PROTOCOLS = ("1.0", "1.1", "1.3")
DEFAULT_SIGNING_PROTOCOL = "1.3"
SERVER_API_VERSIONS = (0, 1, 2)


def version_data() -> dict[str, object]:
    """The same facts as ``version_text``, for ``--format json``."""
    return {
        "kitchenctl": __version__,
        "signing_protocols": list(SIGNING_PROTOCOLS),
        "default_signing_protocol": DEFAULT_SIGNING_PROTOCOL,
        "server_api_versions": list(SERVER_API_VERSIONS),
    }


def version_text() -> str:
    """kitchenctl's version and the Chef API features it speaks, as ``chef -v`` does."""
    return (
        f"kitchenctl version: {__version__}\n"
        f"Chef Server API signing protocols: {', '.join(SIGNING_PROTOCOLS)} "
        f"(default {DEFAULT_SIGNING_PROTOCOL})\n"
        f"Chef Server API versions: {', '.join(map(str, SERVER_API_VERSIONS))}"
    )
