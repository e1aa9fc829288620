"""Records to JSON and back: aware datetimes as ISO strings, enums as values, tuples as lists."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, NoReturn, TypeVar, Union

T = TypeVar("T")

_NATIVE_SCALARS = (str, int, float, bool, type(None))


def encode(value: Any) -> Any:
    """A JSON-native copy of a record (or anything inside one).

    Naive datetimes are refused: a stored time without its zone is a bug waiting to happen.
    Values under `Any` (report values, prompt data, meta) must already be JSON-native, so that
    what a caller reads back is what it wrote, whichever backend stores it.
    """
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            msg = f"naive datetime {value!r}: the store keeps timezone-aware times only"
            raise ValueError(msg)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _encode_field(getattr(value, name), native) for name, native in _plan(kind)}
    if isinstance(value, (tuple, list)):
        return [encode(item) for item in value]
    msg = f"cannot store a {kind.__name__}"
    raise TypeError(msg)


def native(value: Any) -> Any:
    """Check that `value` is JSON-native and return it; TypeError otherwise."""
    kind = type(value)
    if kind in _NATIVE_SCALARS:
        return value
    if kind is list:
        return [native(item) for item in value]
    if kind is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                msg = f"dict keys must be str to be stored, not {type(key).__name__}"
                raise TypeError(msg)
            out[key] = native(item)
        return out
    return _refuse(value)


def _refuse(value: Any) -> NoReturn:
    msg = (
        f"cannot store a {type(value).__name__} where any JSON value is allowed; "
        "convert it (str, int, float, bool, None, list, dict) first"
    )
    raise TypeError(msg)


def _encode_field(value: Any, is_native: bool) -> Any:
    return native(value) if is_native else encode(value)


@cache
def _plan(cls: type) -> tuple[tuple[str, bool], ...]:
    """Field names of a dataclass, each flagged when its type lets in arbitrary JSON (Any)."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _admits_any(hints[f.name])) for f in dataclasses.fields(cls))


def _admits_any(tp: Any) -> bool:
    if tp is Any:
        return True
    return any(_admits_any(arg) for arg in typing.get_args(tp))


def decode(cls: type[T], data: Any) -> T:
    """The record of type `cls` that `encode` turned into `data`."""
    result: T = _decoder(cls)(data)
    return result


@cache
def _decoder(tp: Any) -> Callable[[Any], Any]:
    """A converter from JSON to `tp`, built once per type (decoding shards must be quick)."""
    if tp is Any or tp in (str, int, bool):
        return _same
    if tp is float:
        return float
    if tp is datetime:
        return datetime.fromisoformat
    if tp is date:
        return date.fromisoformat
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (Union, types.UnionType):
        others = [arg for arg in args if arg is not type(None)]
        if len(others) != 1:
            msg = f"the store decodes only `X | None` unions, not {tp!r}"
            raise TypeError(msg)
        inner = _decoder(others[0])
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        item = _decoder(args[0]) if args else _same
        return lambda value: tuple(item(v) for v in value)
    if origin is list:
        item = _decoder(args[0]) if args else _same
        return lambda value: [item(v) for v in value]
    if origin is dict:
        item = _decoder(args[1]) if args else _same
        if item is _same:
            return dict
        return lambda value: {k: item(v) for k, v in value.items()}
    msg = f"the store cannot decode {tp!r}"
    raise TypeError(msg)


def _same(value: Any) -> Any:
    return value


def _dataclass_decoder(cls: type) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(cls)
    converters = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}

    def build(data: dict[str, Any]) -> Any:
        # Unknown keys are skipped and missing ones take their defaults: adding a field with a
        # default to a record needs no migration.
        return cls(**{k: converters[k](v) for k, v in data.items() if k in converters})

    return build
