"""RSA key pairs the server makes for clients and users that ask for one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyPair:
    private_pem: str  # PKCS#1 ("BEGIN RSA PRIVATE KEY"), the form Chef tools read
    public_pem: str  # SubjectPublicKeyInfo ("BEGIN PUBLIC KEY")


def generate_key_pair(bits: int = 2048) -> KeyPair:
    """A fresh RSA key pair; costs tens of milliseconds."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    return KeyPair(private_pem.decode("ascii"), public_pem.decode("ascii"))


def check_public_key(pem: str) -> bool:
    """True when ``pem`` is an RSA public key the server can verify with."""
    from cryptography.exceptions import UnsupportedAlgorithm

    from kitchenctl.signing import load_public_key

    try:
        load_public_key(pem.encode("utf-8"))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True
