"""Read config YAML into plain data, with the line of every key path and duplicate keys flagged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.config.models import ConfigError, Problem

# Keys whose values are area codes or lists of them: kept as the text written, because YAML
# would turn `code: 0042` into the number 34 (octal) and `code: 42` into an int.
_TEXT_KEYS = frozenset({"code", "area", "areas"})
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})


# The C parser is about ten times faster on a province-sized tree; same nodes and marks.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type, misc]
    """A safe loader that keeps area codes as written."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key not in _TEXT_KEYS:
                continue
            if isinstance(value_node, ScalarNode) and value_node.tag in _NUMBER_TAGS:
                mapping[key] = value_node.value
            elif isinstance(value_node, SequenceNode) and all(
                isinstance(item, ScalarNode) for item in value_node.value
            ):
                mapping[key] = [
                    item.value
                    if item.tag in _NUMBER_TAGS
                    else self.construct_object(item, deep=True)
                    for item in value_node.value
                ]
        return mapping

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        """A date that does not exist (2026-13-01) is a problem on its line, not a crash."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            problem = f"{node.value} is not a date ({exc}); write days as 2026-09-03"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def join_path(parent: str, key: object) -> str:
    """`areas` + `children` → `areas.children`; `areas.children` + 2 → `areas.children[2]`."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """Parsed YAML: the data, the 1-based line of each key path, and duplicate-key problems."""

    data: Any
    lines: Mapping[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def line_of(self, path: str) -> int | None:
        """The line of `path`, or of its nearest ancestor that appears in the file."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


def _walk(
    node: Node, path: str, lines: dict[str, int], problems: list[Problem], depth: int
) -> None:
    if depth > 64:  # a self-referencing alias would recurse forever
        return
    if isinstance(node, MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "?"
            key_path = join_path(path, key)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        key_path,
                        f"duplicate key (lines {seen[key]} and {line}); YAML would silently keep "
                        "only "
                        "the last one",
                    )
                )
            else:
                seen[key] = line
            lines[key_path] = line  # the last one wins, as in the loaded data
            _walk(value_node, key_path, lines, problems, depth + 1)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            item_path = join_path(path, index)
            lines[item_path] = item.start_mark.line + 1
            _walk(item, item_path, lines, problems, depth + 1)


def parse_yaml(text: str) -> YamlDoc:
    """Parse `text`; ConfigError for a syntax error (with its line) or an empty document."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        detail = " ".join(x for x in (exc.context, exc.problem) if x)
        lines_at = text.splitlines()[mark.line : mark.line + 1] if mark else []
        if mark and lines_at and "\t" in lines_at[0][: mark.column + 1]:
            detail += " (indent with spaces, not tabs)"
        raise ConfigError([Problem(where, f"YAML syntax error: {detail}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem("(file)", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None or data is None:
        msg = "the file is empty; start from the shipped config.yaml (it needs at least `areas:`)"
        raise ConfigError([Problem("(file)", msg)])
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    _walk(node, "", lines, problems, 0)
    return YamlDoc(data=data, lines=lines, problems=tuple(problems))
