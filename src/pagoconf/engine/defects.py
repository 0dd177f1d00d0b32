"""Named defects of a reference implementation (the station, the client): small subclasses of the conformant
model, each breaking one catalogue rule, collected into a catalogue by name, and layered over the model on
request. The meta-tests prove each is caught by its rule and by no unrelated one (`also` lists the rules a
defect cannot help breaking too)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

T = TypeVar("T")


class Named:
    """What a defect class says of itself: its name, the rule it breaks, what it does, what else it breaks."""

    defect: ClassVar[str] = ""
    rule: ClassVar[str] = ""
    description: ClassVar[str] = ""
    also: ClassVar[tuple[str, ...]] = ()


@dataclass(frozen=True, slots=True)
class Defect:
    """A named defect: the rule it breaks, what it does, the rules it unavoidably breaks too."""

    name: str
    rule: str
    description: str
    also: tuple[str, ...]
    cls: type[Named]


def collect(root: type[Named], order: Callable[[type[Named]], Any]) -> dict[str, Defect]:
    """Every direct subclass of `root`, by defect name, in `order`."""
    classes = sorted(root.__subclasses__(), key=order)
    return {c.defect: Defect(c.defect, c.rule, c.description, c.also, c) for c in classes}


def chosen(
    names: Iterable[str], catalogue: Mapping[str, Defect], *, what: str, listing: str
) -> frozenset[str]:
    """The given names as a frozenset; a ValueError naming the first unknown one and where to list them."""
    picked = frozenset(names)
    unknown = sorted(picked - catalogue.keys())
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r}; see `{listing}`")
    return picked


def layered(model: type[T], catalogue: Mapping[str, Defect], names: Iterable[str], title: str) -> type[T]:
    """The conformant `model` with the named defects layered over it (the model itself when none)."""
    picked = sorted(names)
    if not picked:
        return model
    bases = tuple(catalogue[n].cls for n in picked)
    return type(title, (*bases, model), {"defects": frozenset(picked)})
