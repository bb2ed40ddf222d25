"""Pydantic building blocks for the API: bounded text without NUL bytes, plain error bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_control_characters(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def text(max_length: int, min_length: int = 0) -> object:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=max_length, min_length=min_length),
        AfterValidator(_no_control_characters),
    ]


ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=100), AfterValidator(_no_control_characters)
]
NameText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(_no_control_characters)
]
ReasonText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_no_control_characters)
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=300), AfterValidator(_no_control_characters)
]
