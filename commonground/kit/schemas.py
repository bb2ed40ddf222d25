"""Pydantic building blocks for the API: bounded text without NUL bytes, plain error bodies.

A text field of a schema is never longer than the column it is stored in: PostgreSQL refuses an
over-long value (or a NUL byte) with an error, which would be a 500 instead of a 422.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def no_control_characters(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


_no_control_characters = no_control_characters  # the older private name


def text(max_length: int, min_length: int = 0) -> object:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=max_length, min_length=min_length),
        AfterValidator(no_control_characters),
    ]


ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=100), AfterValidator(no_control_characters)
]
NameText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(no_control_characters)
]
ReasonText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(no_control_characters)
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=300), AfterValidator(no_control_characters)
]
