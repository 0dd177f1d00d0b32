"""Valid instances of a schema's global elements, inferred from the xmlschema model (from_xsd)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy
from lxml import etree
from xmlschema.validators import XsdAnyElement, XsdElement, XsdGroup

from pagoconf.sync import soap as wire
from pagoconf.sync.strategies.lexical import XSD, XsdUnsupported, checked, simple_values

# Each complex type may appear this many times on one path before optional recursion stops.
_RECURSION = 2


def _no_overrides() -> Mapping[str, SearchStrategy[str]]:
    return {}


@dataclass(eq=False)
class Attribute:
    """One attribute use of a complex type."""

    tag: str
    path: tuple[str, ...]
    required: bool
    xsd_type: Any
    fixed: str | None
    values: SearchStrategy[str]


@dataclass(eq=False)
class ElementNode:
    """A compiled element declaration: its tag, attributes and either simple values or a content model."""

    tag: str
    path: tuple[str, ...]
    decl: Any
    attributes: tuple[Attribute, ...] = ()
    simple_type: Any = None  # simple content (simple type, or a complex type with simple content)
    fixed: str | None = None
    values: SearchStrategy[str] | None = None
    content: Particle | None = None
    children: dict[str, Child] = field(default_factory=dict)
    wildcard: bool = False

    @property
    def local_name(self) -> str:
        """The element's local name."""
        return self.path[-1]

    @property
    def is_leaf(self) -> bool:
        """True for simple content (text only)."""
        return self.values is not None


@dataclass(eq=False)
class Particle:
    """An element or a group with its (capped) occurrence bounds."""

    node: ElementNode | Group
    lo: int
    hi: int
    count: SearchStrategy[int] | None = None


@dataclass(eq=False)
class Group:
    """A sequence, choice or all group of particles."""

    model: str
    particles: tuple[Particle, ...]
    pick: SearchStrategy[int] | None = None
    order: SearchStrategy[list[Particle]] | None = None


@dataclass(frozen=True, eq=False)
class Child:
    """What a parent's content model says about one child name (the facts mutations rely on)."""

    node: ElementNode
    min_occurs: int
    max_occurs: int | None
    required: bool  # dropping an occurrence when there are min_occurs of them makes the parent invalid
    single: bool  # a second occurrence makes the parent invalid
    ordered: bool  # its position relative to other ordered siblings is fixed


@dataclass(eq=False)
class Plan:
    """The compiled model walk of one global element (cached per schema, element and max_occurs)."""

    root: ElementNode
    nsmap: dict[str | None, str]
    leaves: tuple[ElementNode | Attribute, ...]
    elements: tuple[ElementNode, ...]


# --- compiling the model ------------------------------------------------------------------------------


class _Compiler:
    def __init__(self, max_occurs: int) -> None:
        self.max_occurs = max_occurs
        self.stack: list[Any] = []

    def cap(self, lo: int, hi: int | None) -> int:
        top = max(lo, self.max_occurs)
        return top if hi is None else min(hi, top)

    def element(self, decl: Any, parent: tuple[str, ...]) -> ElementNode | None:
        if getattr(decl, "abstract", False):
            raise XsdUnsupported(f"element {decl.name} is abstract (substitution groups are not generated)")
        path = (*parent, decl.local_name)
        xsd_type = decl.type
        fixed = decl.fixed
        if xsd_type.is_simple():
            values = st.just(fixed) if fixed is not None else simple_values(xsd_type)
            return ElementNode(decl.name, path, decl, simple_type=xsd_type, fixed=fixed, values=values)
        if getattr(xsd_type, "abstract", False):
            raise XsdUnsupported(f"the type of element {decl.name} is abstract (xsi:type is not generated)")
        if self.stack.count(xsd_type) >= _RECURSION:
            return None
        self.stack.append(xsd_type)
        try:
            node = ElementNode(decl.name, path, decl, attributes=self.attributes(xsd_type, path))
            if xsd_type.has_simple_content():
                node.simple_type = xsd_type.content
                node.fixed = fixed
                node.values = st.just(fixed) if fixed is not None else simple_values(xsd_type.content)
                return node
            content = xsd_type.content
            if isinstance(content, XsdGroup):
                node.content = self.group(content, path, node)
                node.children = self.children(content, node.content)
            return node
        finally:
            self.stack.pop()

    def attributes(self, xsd_type: Any, path: tuple[str, ...]) -> tuple[Attribute, ...]:
        out = []
        for name, attr in xsd_type.attributes.items():
            if name is None or attr.use == "prohibited":
                continue
            fixed = attr.fixed
            values = st.just(fixed) if fixed is not None else simple_values(attr.type)
            out.append(
                Attribute(
                    attr.name,
                    (*path, "@" + attr.local_name),
                    attr.use == "required",
                    attr.type,
                    fixed,
                    values,
                )
            )
        return tuple(out)

    def group(self, group: Any, path: tuple[str, ...], owner: ElementNode) -> Particle:
        particles: list[Particle] = []
        for item in group:
            if isinstance(item, XsdAnyElement):
                owner.wildcard = True
                if item.min_occurs > 0:
                    raise XsdUnsupported(f"{'/'.join(path)}: a required xs:any wildcard is not generated")
                continue
            if isinstance(item, XsdGroup):
                particles.append(self.group(item, path, owner))
                continue
            node = self.element(item, path)
            if node is None:
                if item.min_occurs > 0:
                    raise XsdUnsupported(f"{'/'.join(path)}: required recursion through {item.name}")
                continue
            particles.append(self.particle(node, item.min_occurs, item.max_occurs))
        if group.model == "choice" and not particles and group.min_occurs > 0:
            raise XsdUnsupported(f"{'/'.join(path)}: no branch of a required choice can be generated")
        body = Group(group.model, tuple(particles))
        if group.model == "choice" and len(particles) > 1:
            body.pick = st.integers(0, len(particles) - 1)
        if group.model == "all" and len(particles) > 1:
            body.order = st.permutations(particles)
        return self.particle(body, group.min_occurs, group.max_occurs)

    def particle(self, node: ElementNode | Group, lo: int, hi: int | None) -> Particle:
        top = self.cap(lo, hi)
        return Particle(node, lo, top, None if lo == top else st.integers(lo, top))

    @staticmethod
    def children(content: Any, compiled: Particle) -> dict[str, Child]:
        nodes: dict[str, ElementNode] = {}

        def collect(p: Particle) -> None:
            if isinstance(p.node, ElementNode):
                nodes.setdefault(p.node.tag, p.node)
            else:
                for q in p.node.particles:
                    collect(q)

        collect(compiled)
        names = Counter(e.name for e in content.iter_elements() if isinstance(e, XsdElement))
        out: dict[str, Child] = {}

        def walk(group: Any, ancestors: list[Any]) -> None:
            for item in group:
                if isinstance(item, XsdGroup):
                    walk(item, [*ancestors, item])
                elif isinstance(item, XsdElement) and item.name in nodes:
                    all_once = all(a.max_occurs == 1 for a in ancestors)
                    required = (
                        item.min_occurs >= 1
                        and all_once
                        and all(a.min_occurs >= 1 for a in ancestors)
                        and not any(
                            a.model == "choice" and any(b.is_emptiable() for b in a) for a in ancestors
                        )
                    )
                    out.setdefault(
                        item.name,
                        Child(
                            node=nodes[item.name],
                            min_occurs=item.min_occurs,
                            max_occurs=item.max_occurs,
                            required=required and names[item.name] == 1,
                            single=item.max_occurs == 1 and all_once and names[item.name] == 1,
                            ordered=all_once
                            and names[item.name] == 1
                            and all(a.model != "all" for a in ancestors),
                        ),
                    )

        walk(content, [content])
        return out


# Plans live as long as the process, like the schemas they come from (compiled nodes refer to the model).
_PLANS: dict[tuple[int, str, int], tuple[Any, Plan]] = {}
_PLANS_LOCK = threading.Lock()


def as_xmlschema(schema: Any) -> Any:
    """The xmlschema model behind `schema` (an XMLSchema, or an object with an `.xmlschema`)."""
    return getattr(schema, "xmlschema", schema)


def global_element(schema: Any, element: str) -> Any:
    """The global element declaration named `element` (local name or {namespace}name)."""
    xs = as_xmlschema(schema)
    decl = xs.elements.get(element) or xs.maps.elements.get(element)
    if decl is None:
        known = ", ".join(sorted(xs.elements))
        raise ValueError(
            f"{element!r} is not a global element of {xs.name}; its global elements are: {known}"
        )
    return decl


def _prefix(xs: Any, namespace: str) -> str:
    if namespace == wire.PAFN:
        return "pafn"
    for prefix, uri in xs.namespaces.items():
        if uri == namespace and prefix and prefix not in ("tns",):
            return prefix
    return "ns0"


def plan(schema: Any, element: str, *, max_occurs: int = 5) -> Plan:
    """The compiled model walk of a global element, built once per (schema, element, max_occurs)."""
    if max_occurs < 1:
        raise ValueError(f"max_occurs must be at least 1, not {max_occurs}")
    xs = as_xmlschema(schema)
    key = (id(xs), element, max_occurs)
    with _PLANS_LOCK:
        found = _PLANS.get(key)
    if found is not None and found[0] is xs:
        return found[1]
    decl = global_element(xs, element)
    root = _Compiler(max_occurs).element(decl, ())
    if root is None:  # pragma: no cover - a global element cannot recurse before it starts
        raise XsdUnsupported(f"{element}: cannot be generated")
    namespace = etree.QName(root.tag).namespace
    nsmap: dict[str | None, str] = {_prefix(xs, namespace): namespace} if namespace else {}
    elements = tuple(_walk(root))
    leaves: list[ElementNode | Attribute] = []
    for node in elements:
        leaves.extend(node.attributes)
        if node.is_leaf:
            leaves.append(node)
    built = Plan(root, nsmap, tuple(leaves), elements)
    with _PLANS_LOCK:
        _PLANS[key] = (xs, built)
    return built


def _walk(node: ElementNode) -> Iterator[ElementNode]:
    yield node
    if node.content is not None:
        yield from _walk_particle(node.content)


def _walk_particle(p: Particle) -> Iterator[ElementNode]:
    if isinstance(p.node, ElementNode):
        yield from _walk(p.node)
    else:
        for q in p.node.particles:
            yield from _walk_particle(q)


# --- overrides ----------------------------------------------------------------------------------------


def _key_parts(key: str) -> tuple[str, ...]:
    return tuple(part for part in key.split("/" if "/" in key else ".") if part)


def resolve_overrides(
    built: Plan, overrides: Mapping[str, SearchStrategy[str]]
) -> dict[int, SearchStrategy[str]]:
    """Map override keys to the leaves they name (the most specific key wins); unknown keys: ValueError."""
    table: dict[int, SearchStrategy[str]] = {}
    specificity: dict[int, int] = {}
    for key, strategy in overrides.items():
        if not isinstance(strategy, SearchStrategy):
            raise TypeError(
                f"override {key!r} must be a hypothesis strategy of str, not {type(strategy).__name__}"
            )
        parts = _key_parts(key)
        matched = [leaf for leaf in built.leaves if parts and leaf.path[-len(parts) :] == parts]
        if not matched:
            complex_ = [n for n in built.elements if parts and n.path[-len(parts) :] == parts]
            if complex_:
                raise ValueError(
                    f"override {key!r} names {'/'.join(complex_[0].path)}, which has element content; "
                    "overrides replace the text of simple elements only"
                )
            names = sorted({leaf.path[-1] for leaf in built.leaves})
            raise ValueError(
                f"unknown override key {key!r} for {built.root.local_name}: use the local name of a simple "
                f"element (or a dotted path ending in one, e.g. 'transfer.IBAN'); valid names are: "
                + ", ".join(names)
            )
        for leaf in matched:
            if specificity.get(id(leaf), -1) < len(parts):
                specificity[id(leaf)] = len(parts)
                where = f"{'/'.join(leaf.path)} (key {key!r})"
                xsd_type = leaf.simple_type if isinstance(leaf, ElementNode) else leaf.xsd_type
                table[id(leaf)] = checked(strategy, xsd_type, where, leaf.fixed)
    return table


# --- drawing ------------------------------------------------------------------------------------------

_BOOL = st.booleans()


def _draw_element(
    draw: Any,
    node: ElementNode,
    parent: Any,
    table: dict[int, SearchStrategy[str]],
    nsmap: dict[str | None, str] | None = None,
) -> Any:
    el = etree.Element(node.tag, nsmap=nsmap) if parent is None else etree.SubElement(parent, node.tag)
    for attr in node.attributes:
        if attr.required or draw(_BOOL):
            el.set(attr.tag, draw(table.get(id(attr), attr.values)))
    if node.values is not None:
        el.text = draw(table.get(id(node), node.values))
    elif node.content is not None:
        _draw_particle(draw, node.content, el, table)
    return el


def _draw_particle(draw: Any, p: Particle, el: Any, table: dict[int, SearchStrategy[str]]) -> None:
    count = p.lo if p.count is None else draw(p.count)
    node = p.node
    for _ in range(count):
        if isinstance(node, ElementNode):
            _draw_element(draw, node, el, table)
            continue
        if node.pick is not None:
            items: Any = (node.particles[draw(node.pick)],)
        elif node.order is not None:
            items = draw(node.order)
        else:
            items = node.particles
        for q in items:
            _draw_particle(draw, q, el, table)


def from_xsd(
    schema: Any,
    element: str,
    *,
    overrides: Mapping[str, SearchStrategy[str]] = _no_overrides(),  # noqa: B008 - read-only, never mutated
    max_occurs: int = 5,
) -> SearchStrategy[etree._Element]:
    """Valid instances of a global element of `schema` as lxml elements, inferred from the xmlschema model.

    `overrides` maps the local name of a simple element ("IBAN") or a dotted path ending in one
    ("transfer.IBAN", the most specific key wins) to a strategy of its text; unknown keys raise ValueError
    here, drawn values the XSD refuses raise InvalidArgument at draw time. Repetitions stop at
    max(minOccurs, max_occurs): maxOccurs="unbounded" and finite bounds above max_occurs alike (pass
    max_occurs=15 to reach ctMetadata's fifteen mapEntry).
    """
    built = plan(schema, element, max_occurs=max_occurs)
    table = resolve_overrides(built, overrides)

    @st.composite
    def instances(draw: Any) -> etree._Element:
        return _draw_element(draw, built.root, None, table, built.nsmap)

    return instances()


# --- simple types -------------------------------------------------------------------------------------


def resolve_type(schema: Any, type_name: str) -> Any:
    """A global simple type by local name, prefixed name (xs:int, common:stAmount) or {namespace}name."""
    xs = as_xmlschema(schema)
    types = xs.maps.types
    if type_name.startswith("{"):
        found = types.get(type_name)
    elif ":" in type_name:
        prefix, local = type_name.split(":", 1)
        uri = XSD if prefix in ("xs", "xsd") else xs.namespaces.get(prefix)
        found = types.get(f"{{{uri}}}{local}") if uri else None
    else:
        found = xs.types.get(type_name)
        if found is None:
            same = [
                t
                for qn, t in types.items()
                if qn.split("}")[-1] == type_name and not qn.startswith(f"{{{XSD}}}")
            ]
            if len(same) > 1:
                raise ValueError(
                    f"type {type_name!r} is ambiguous in {xs.name}: qualify it ({{namespace}}name)"
                )
            found = same[0] if same else types.get(f"{{{XSD}}}{type_name}")
    if found is None or not found.is_simple():
        simple = sorted(
            t.local_name
            for qn, t in types.items()
            if t.is_simple() and not qn.startswith(f"{{{XSD}}}") and t.local_name
        )
        what = "unknown" if found is None else "not a simple type"
        raise ValueError(
            f"type {type_name!r} is {what} in {xs.name}; its simple types are: {', '.join(simple)}"
        )
    return found


def from_xsd_type(
    schema: Any,
    type_name: str,
    *,
    overrides: Mapping[str, SearchStrategy[str]] = _no_overrides(),  # noqa: B008 - read-only, never mutated
) -> SearchStrategy[str]:
    """Lexical values of one XSD simple type, honouring its facets (pattern, length, range, enumeration).

    `overrides` maps simple type names (of this type or of a union/list member) to strategies of str.
    """
    xsd_type = resolve_type(schema, type_name)
    table = {}
    for key, strategy in overrides.items():
        if not isinstance(strategy, SearchStrategy):
            raise TypeError(
                f"override {key!r} must be a hypothesis strategy of str, not {type(strategy).__name__}"
            )
        target = resolve_type(schema, key)
        table[target] = checked(strategy, target, f"type {key!r}")
    return simple_values(xsd_type, table or None)
