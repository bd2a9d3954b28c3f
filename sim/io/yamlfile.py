"""Reading a YAML mapping file (scenario, calibration spec, fitted values, sensitivity spec) safely.

One place for the checks every such file needs, so each error is one line naming the file: missing,
too large, not UTF-8 text, not valid YAML (with the line), a value YAML cannot build (``!!int 12x``),
a key given twice, aliases that expand past a small limit (a "billion laughs" file), empty, or not a
mapping. Nothing is evaluated as code. Dates are left as text (``2014-02-30`` is not turned into an
error by the YAML layer but by the field that reads it, which can name itself).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from sim.errors import InputError, shorten

MAX_BYTES = 1_000_000
"""Largest scenario or spec file read: real ones are a few KB; a cap keeps ``check`` quick on any input."""
MAX_ALIAS_NODES = 10_000
"""Most YAML nodes that aliases (``*name``) may stand for in one file, counted as if expanded."""


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing duplicate keys and alias bombs, and keeping dates as text."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._alias_nodes = 0
        self._sizes: dict[int, int] = {}
        self._open: set[str] = set()

    def compose_node(self, parent: Node | None, index: object) -> Node:
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent):
            if anchor in self._open:
                raise ConstructorError(None, None, f"alias *{shorten(anchor)} inside its own anchor", event.start_mark)
            node = super().compose_node(parent, index)
            self._alias_nodes += self._size(node)
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise ConstructorError(None, None, f"aliases expand to more than {MAX_ALIAS_NODES} values",
                                       event.start_mark)
            return node
        if anchor is None:
            return super().compose_node(parent, index)
        self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.discard(anchor)

    def _size(self, node: Node) -> int:
        """Values a node stands for when every alias in it is expanded (memoised: aliases share nodes)."""
        key = id(node)
        if key not in self._sizes:
            if isinstance(node, MappingNode):
                size = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
            elif isinstance(node, ScalarNode):
                size = 1
            else:
                size = 1 + sum(self._size(v) for v in node.value)
            self._sizes[key] = size
        return self._sizes[key]

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError, IndexError, KeyError) as exc:  # !!int 12x, !!int ''
            raise ConstructorError(None, None, f"{node.tag.rsplit(':', 1)[-1]} value "
                                   f"{shorten(getattr(node, 'value', ''))} cannot be read ({shorten(exc)})",
                                   node.start_mark) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        if isinstance(node, MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:
                    raise ConstructorError(None, None, "a key that is a list or mapping", key_node.start_mark) from None
                if duplicate:
                    raise ConstructorError(None, None, f"key {shorten(key)} given twice", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)


# dates and times stay text: the field reading them says which one is wrong, and no year-0 or 2014-02-30
# can fail inside YAML
StrictLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    """Parse YAML text with :class:`StrictLoader`; raises ``yaml.YAMLError`` (with a mark) on any problem."""
    loader = StrictLoader(text)
    try:
        return loader.get_single_data()
    except RecursionError:  # thousands of nested [[[...]]]
        raise yaml.YAMLError("nested too deeply") from None
    finally:
        loader.dispose()


def read_mapping(path: Path, what: str, keys: str = "") -> tuple[dict[str, Any], str]:
    """The file's top-level mapping and the SHA-256 of its bytes; ``what`` names the file in errors."""
    try:
        if not path.is_file():
            raise InputError(f"{path}: {what} not found")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path}: {what} of {size:,} bytes; at most {MAX_BYTES:,} are read")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {what} cannot be read ({exc.strerror})") from None
    try:
        doc = load_yaml(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text (UTF-8) YAML file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) if isinstance(exc, yaml.MarkedYAMLError) else str(exc)
        detail = f": {shorten(problem, 100)}" if problem else ""
        raise InputError(f"{path}: not valid YAML{where}{detail}") from None
    expected = f"expected a mapping with keys {keys}" if keys else "expected a mapping of keys"
    if doc is None:
        raise InputError(f"{path}: the file is empty: {expected}")
    if not isinstance(doc, dict):
        raise InputError(f"{path}: {expected}, got a {type(doc).__name__}")
    return doc, hashlib.sha256(raw).hexdigest()
