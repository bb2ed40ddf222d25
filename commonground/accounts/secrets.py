"""Making and hashing the secrets we hand out: link tokens, printed codes, API tokens.

They are long random values, so a plain SHA-256 is the right hash (a slow KDF is for passwords).
"""

from __future__ import annotations

import hashlib
import secrets

# No 0/O, 1/I/L: a printed code is read aloud and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
API_TOKEN_PREFIX = "cg_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


def new_printed_code() -> str:
    """Twelve characters in three groups (about 59 bits), e.g. `K7QM-3XPA-9RTW`."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{cleaned[0:4]}-{cleaned[4:8]}-{cleaned[8:12]}" if len(cleaned) == 12 else cleaned


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)
