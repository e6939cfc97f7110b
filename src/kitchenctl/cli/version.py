"""The version text, importable without typer so ``kitchenctl --version`` is instant."""

from __future__ import annotations

from kitchenctl import __version__


def version_text() -> str:
    """kitchenctl's version and the Chef API features it speaks, as ``chef -v`` does."""
    return (
        f"kitchenctl version: {__version__}\n"
        "Chef Server API signing protocols: 1.0, 1.1, 1.3 (default 1.3)\n"
        "Chef Server API versions: 0, 1, 2"
    )
