"""YAML that remembers where things are, so errors can name the line."""

from __future__ import annotations

import yaml


class LineDict(dict):
    """A mapping read from YAML with the line of the mapping and of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class AliasRefused(yaml.MarkedYAMLError):
    pass


class _LineLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        # an alias repeats an anchored part; nested ones expand exponentially (a 1 KB "billion laughs"
        # file takes gigabytes), and trainers' files never need them
        if self.check_event(yaml.AliasEvent):
            raise AliasRefused(
                problem="an alias (*name) repeats an earlier part of the file; write that part out instead "
                "(aliases are refused: a few can expand into gigabytes)",
                problem_mark=self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise DuplicateKey(problem=f'the key "{key}" appears twice in one entry', problem_mark=key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(text: str) -> object:
    """Parse YAML; raises yaml.YAMLError (with a line mark) on bad syntax."""
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass


def error_line(error: yaml.YAMLError, offset: int = 0) -> int | None:
    # the context mark is where the broken construct began (an unclosed bracket), the problem
    # mark is where the parser gave up (often the end of the file): the first is the useful one
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    return mark.line + 1 + offset if mark is not None else None


def error_text(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    return f"{context}, {problem}" if context else str(problem)
