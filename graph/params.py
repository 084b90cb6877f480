"""Parameters described once: the typed fields of a dataclass, with their help, default, choices and bounds.

One description drives every face: the command line builds its options from
it, the HTTP routes parse their query strings with it, and the OpenAPI
document shows its JSON Schema. Text (a query string, an option) is converted
here, once, and a value that does not fit raises
:class:`~detente.errors.ParameterError` naming the parameter.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Example:
...     k: int | None = param(None, "Sampled betweenness from N pivots.", minimum=1)
...     method: str = param("louvain", "The algorithm.", choices=("louvain", "greedy"))
>>> [(p.name, p.kind, p.default) for p in parameters(Example)]
[('k', 'integer', None), ('method', 'string', 'louvain')]
>>> parse_params(Example, {"k": "5"})
Example(k=5, method='louvain')
>>> parse_params(Example, {"k": "0"})
Traceback (most recent call last):
...
detente.errors.ParameterError: k: must be at least 1, got 0
>>> parameters(Example)[1].json_schema()
{'type': 'string', 'enum': ['louvain', 'greedy'], 'default': 'louvain'}
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any, Literal, NewType, TypeVar

from detente.errors import ParameterError

#: An entity reference (IRI, CURIE, ``state/UKR`` path, code, label or alias), resolved by
#: :class:`detente.graph.entities.EntityNames` where the store is at hand.
EntityRef = NewType("EntityRef", str)

Kind = Literal["integer", "number", "boolean", "string", "date", "entity"]
_KINDS: dict[object, Kind] = {int: "integer", float: "number", bool: "boolean", str: "string", date: "date",
                              EntityRef: "entity"}
_META = "detente.param"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")

T = TypeVar("T")


def param(default: Any, help: str, *, minimum: float | None = None, maximum: float | None = None,
          choices: Iterable[str] = (), required: bool = False, name: str | None = None,
          aliases: Iterable[str] = (), separator: str | None = None, metavar: str | None = None) -> Any:
    """A dataclass field that describes a parameter (see :class:`Parameter` for the arguments)."""
    meta = {"help": help, "minimum": minimum, "maximum": maximum, "choices": tuple(choices), "required": required,
            "name": name, "aliases": tuple(aliases), "separator": separator, "metavar": metavar}
    return dataclasses.field(default=default, metadata={_META: meta})


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One parameter: what it is called, what it holds, and what values fit.

    Attributes
    ----------
    name:
        Its public name (query string; ``--name`` with ``-`` for ``_`` on the command line).
    field:
        The dataclass field it fills.
    type:
        ``int``, ``float``, ``bool``, ``str``, ``date`` or :data:`EntityRef`.
    help:
        One sentence for ``--help`` and the OpenAPI document.
    default:
        The value when it is not given.
    choices:
        The values allowed (text parameters).
    minimum, maximum:
        Bounds (numbers).
    required:
        Whether it must be given.
    multiple:
        Whether it takes several values (a tuple field): repeated, or split at ``separator``.
    aliases:
        Other names it is accepted under.
    metavar:
        How ``--help`` shows its value.
    """

    name: str
    field: str
    type: type
    help: str
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    multiple: bool = False
    aliases: tuple[str, ...] = ()
    separator: str | None = None
    metavar: str | None = None

    @property
    def kind(self) -> Kind:
        """``integer``, ``number``, ``boolean``, ``string``, ``date`` or ``entity``."""
        return _KINDS[self.type]

    def parse(self, value: object) -> Any:
        """Convert a native value or text (a one-item list, as query strings give, is unwrapped).

        >>> Parameter("start", "start", date, "From this date.").parse("2024")
        datetime.date(2024, 1, 1)
        """
        if self.multiple:
            return tuple(self._one(item) for item in self._items(value))
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                raise ParameterError(self.name, f"expected one value, got {len(value)}")
            value = value[0]
        if value is None or value == "":
            return self.default
        return self._one(value)

    def _items(self, value: object) -> list[object]:
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        out: list[object] = []
        for item in items:
            if item is None or item == "":
                continue
            if self.separator is not None and isinstance(item, str):
                out.extend(part.strip() for part in item.split(self.separator) if part.strip())
            else:
                out.append(item)
        return out

    def _one(self, value: object) -> Any:
        if self.type is bool:
            return self._bool(value)
        if self.type is int:
            number: int | float = self._number(value, int, "an integer")
        elif self.type is float:
            number = self._number(value, float, "a number")
        elif self.type is date:
            return self._date(value)
        else:
            text = str(value).strip() if self.type is EntityRef else str(value)
            if self.choices and text not in self.choices:
                raise ParameterError(self.name, f"{text!r} is not one of {', '.join(self.choices)}")
            return text
        if self.minimum is not None and number < self.minimum:
            raise ParameterError(self.name, f"must be at least {_plain(self.minimum)}, got {_plain(number)}")
        if self.maximum is not None and number > self.maximum:
            raise ParameterError(self.name, f"must be at most {_plain(self.maximum)}, got {_plain(number)}")
        return number

    def _number(self, value: object, kind: Callable[[Any], Any], what: str) -> Any:
        if isinstance(value, bool):
            raise ParameterError(self.name, f"not {what}: {value!r}")
        try:
            number = kind(value)
        except (TypeError, ValueError, OverflowError):
            raise ParameterError(self.name, f"not {what}: {value!r}") from None
        if kind is float and (number != number or number in (float("inf"), float("-inf"))):
            raise ParameterError(self.name, f"not {what}: {value!r}")
        return number

    def _bool(self, value: object) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ParameterError(self.name, f"not a yes/no value: {value!r}")

    def _date(self, value: object) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        # Years and year-months are accepted as the start of that period.
        if re.fullmatch(r"\d{4}", text):
            text += "-01-01"
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            text += "-01"
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise ParameterError(self.name, f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}") from None

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of the parameter's value (an array of them when it takes several)."""
        schema: dict[str, Any] = {"type": {"entity": "string", "date": "string"}.get(self.kind, self.kind)}
        if self.kind == "date":
            schema["format"] = "date"
        if self.kind == "entity":
            schema["minLength"] = 1
        if self.choices:
            schema["enum"] = list(self.choices)
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.multiple:
            if self.kind == "string":
                schema["minLength"] = 1
            return {"type": "array", "items": schema}
        if self.default is not None:
            schema["default"] = self.default
        return schema



def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


@cache
def parameters(cls: type) -> tuple[Parameter, ...]:
    """The parameters a dataclass describes with :func:`param` fields, in field order."""
    hints = typing.get_type_hints(cls)
    out = []
    for item in dataclasses.fields(cls):
        meta = item.metadata.get(_META)
        if meta is None:
            continue
        kind, multiple, literal_choices = _unwrap(hints[item.name])
        out.append(Parameter(
            name=meta["name"] or item.name, field=item.name, type=kind, help=meta["help"], default=item.default,
            choices=meta["choices"] or literal_choices, minimum=meta["minimum"], maximum=meta["maximum"],
            required=meta["required"], multiple=multiple, aliases=meta["aliases"], separator=meta["separator"],
            metavar=meta["metavar"]))
    return tuple(out)


def _unwrap(hint: Any) -> tuple[type, bool, tuple[str, ...]]:
    """(value type, takes several, Literal choices) of a field's annotation."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _unwrap(args[0]) if len(args) == 1 else (str, False, ())
    if origin is tuple:
        inner, _multiple, choices = _unwrap(args[0])
        return inner, True, choices
    if origin is Literal:
        return str, False, tuple(str(a) for a in typing.get_args(hint))
    if hint not in _KINDS:
        raise TypeError(f"no parameter kind for {hint!r}")
    return hint, False, ()


def parse_params(cls: type[T], values: Mapping[str, object], *, context: str | None = None) -> T:
    """An instance of the parameter dataclass ``cls`` from loose values (text or native).

    Values given as None are taken as absent; a parameter taking several values
    collects them under its name and aliases, in the order given.

    Raises
    ------
    ParameterError
        A name ``cls`` does not describe, a required parameter missing, or a value that does not fit.
    """
    described = parameters(typing.cast(type, cls))
    by_name = {name: p for p in described for name in (p.name, *p.aliases)}
    unknown = sorted(name for name, value in values.items() if value is not None and name not in by_name)
    if unknown:
        accepted = ", ".join(p.name for p in described) or "none"
        where = f" of {context}" if context else ""
        raise ParameterError(", ".join(unknown), f"unknown parameter{'s' if len(unknown) > 1 else ''}{where}; "
                                                 f"accepted: {accepted}")
    given: dict[str, list[object]] = {}
    for name, loose in values.items():
        if loose is not None:
            given.setdefault(by_name[name].name, []).append(loose)
    fields: dict[str, Any] = {}
    for p in described:
        raw = given.get(p.name)
        value: Any
        if p.multiple:
            flat = [item for one in raw or () for item in (one if isinstance(one, (list, tuple)) else [one])]
            value = p.parse(flat) if raw else p.default
        elif raw is None:
            value = p.default
        elif len(raw) > 1:
            names = ", ".join((p.name, *p.aliases))
            raise ParameterError(p.name, f"given {len(raw)} times under {names}; give it once")
        else:
            value = p.parse(raw[0])
        if p.required and value in (None, "", ()):
            raise ParameterError(p.name, f"required{f' by {context}' if context else ''}")
        fields[p.field] = value
    return cls(**fields)


__all__ = ["EntityRef", "Parameter", "param", "parameters", "parse_params"]
