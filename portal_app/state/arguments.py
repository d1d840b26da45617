"""What a handler may receive from the browser: declared plain types, checked values.

Handler arguments come from the browser as JSON and Reflex coerces them only on a best
effort basis, so every handler declares plain types and every call is checked here
before the guard asks the policy.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

import reflex as rx

# Handler arguments come from the browser as JSON. Only these plain types are allowed,
# so an ORM class can never be a handler argument, and each value is checked.
# The one exception is an upload handler's files: Reflex builds them itself from its
# upload endpoint (a JSON payload holds no UploadFile, so the check below refuses it).
UPLOAD_FILES = list[rx.UploadFile]
ARG_TYPES = (str, int, float, bool, dict, list, UPLOAD_FILES)


def _type_name(declared: Any) -> str:
    return declared.__name__ if isinstance(declared, type) else str(declared)


def arg_types(fn: Callable) -> dict[str, type]:
    """The declared type of every argument; refuses handlers that declare others."""
    hints = typing.get_type_hints(fn)
    params = list(inspect.signature(fn).parameters.values())[1:]
    types: dict[str, type] = {}
    for param in params:
        declared = hints.get(param.name)
        if declared not in ARG_TYPES:
            raise TypeError(
                f"{fn.__qualname__}: argument {param.name!r} must be annotated with one of "
                f"{', '.join(_type_name(t) for t in ARG_TYPES)}"
            )
        types[param.name] = declared
    return types


# Every integer a handler may receive fits the database's 64-bit columns; JSON from the
# browser is bounded in depth and size, so no argument can crash a handler by its shape.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
MAX_DEPTH = 6
MAX_TEXT = 256 * 1024


def _json_ok(value: object, depth: int = 0) -> bool:
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return True
    if isinstance(value, int):
        return INT_MIN <= value <= INT_MAX
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return len(value) <= 1000 and all(
            isinstance(k, str) and len(k) <= 200 and _json_ok(v, depth + 1)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return len(value) <= 10_000 and all(_json_ok(v, depth + 1) for v in value)
    return False


def args_ok(types: dict[str, type], args: tuple, kwargs: dict) -> bool:
    if len(args) + len(kwargs) != len(types) or set(kwargs) - set(types):
        return False
    values = dict(zip(types, args, strict=False)) | kwargs
    for name, expected in types.items():
        value = values.get(name)
        if expected != UPLOAD_FILES and not _json_ok(value):
            return False
        if expected == UPLOAD_FILES:
            if not isinstance(value, list) or not all(
                isinstance(item, rx.UploadFile) for item in value
            ):
                return False
            continue
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            return False
    return True
