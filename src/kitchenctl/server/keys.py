"""Checking the public keys that clients and users send to the server."""

from __future__ import annotations


def check_public_key(pem: str) -> bool:
    """True when ``pem`` is an RSA public key the server can verify with."""
    from cryptography.exceptions import UnsupportedAlgorithm

    from kitchenctl.signing import load_public_key

    try:
        load_public_key(pem.encode("utf-8"))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True
