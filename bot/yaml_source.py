"""Load YAML and remember the line of every value, so problems can name file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a knowledge file, reported as `file:line: message`."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class YamlDocument:
    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of the value at `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(str(self.path), self.line_of(path), message)


class YamlError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


MAX_FILE_BYTES = 5 * 1024 * 1024
# Values in one file, counting every use of an alias: nine aliases of aliases ("billion laughs")
# would otherwise expand to 10^9 values, hanging the loader and the schema check. The shipped
# files hold under 1,000.
MAX_VALUES = 100_000
# PyYAML's scanner re-checks every open bracket at each token: 100,000 "[" take minutes to refuse.
MAX_FLOW_DEPTH = 100


class _SafeLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses absurdly deep [ and { nesting before it gets slow."""

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_FLOW_DEPTH:
            raise yaml.scanner.ScannerError(None, None, f"nested more than {MAX_FLOW_DEPTH} levels deep",
                                            self.get_mark())
        super().fetch_flow_collection_start(TokenClass)




def load_yaml(path: Path) -> YamlDocument:
    """Parse one file; raise YamlError (with file and line) if it is not valid YAML."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlError(Problem(str(path), None, f"file is too large ({size} bytes; the limit is {MAX_FILE_BYTES})"))
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(Problem(str(path), None, f"not UTF-8 text ({exc.reason})")) from None
    except OSError as exc:
        raise YamlError(Problem(str(path), None, f"cannot read: {exc.strerror}")) from None
    return parse_yaml(text, path)


# libyaml's parser when PyYAML has it: the same safe constructors, several times faster, and
# its own nesting limit; the pure-Python loader above otherwise.
_Loader: Any = type("_Loader", (yaml.CSafeLoader,), {}) if hasattr(yaml, "CSafeLoader") else _SafeLoader
# Dates stay text (`reviewed: 2026-11-29` is the string "2026-11-29"): the schemas check
# their format, and a date object would fail a `type: string` check with a confusing message.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _reader_problem(exc: yaml.reader.ReaderError, text: str, path: Path) -> YamlError:
    """A control character or bad byte: refused by the reader, reported with its line."""
    line = text.count("\n", 0, max(0, exc.position)) + 1 if isinstance(exc.position, int) else None
    return YamlError(Problem(str(path), line, f"invalid YAML: character #x{exc.character:04x} is not allowed"))


def parse_yaml(text: str, path: Path) -> YamlDocument:
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(exc, text, path) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(path, None, {(): 1})
        doc = YamlDocument(path, None)
        duplicate = _record_lines(node, (), doc.lines, [MAX_VALUES])
        if duplicate:
            raise YamlError(Problem(str(path), duplicate[1], f"duplicate key '{duplicate[0]}'"))
        doc.data = loader.construct_document(node)
        return doc
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(exc, text, path) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise YamlError(Problem(str(path), line, f"invalid YAML: {reason}")) from None
    except yaml.YAMLError as exc:
        raise YamlError(Problem(str(path), None, f"invalid YAML: {exc}")) from None
    except RecursionError:
        raise YamlError(Problem(str(path), None, "invalid YAML: nested too deeply")) from None
    except _TooManyValues:
        raise YamlError(Problem(str(path), None, f"too many values (more than {MAX_VALUES}, counting each use "
                                                 "of an alias)")) from None
    finally:
        loader.dispose()


class _TooManyValues(Exception):
    pass


def _record_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int], budget: list[int]) -> tuple[str, int] | None:
    """Fill `lines`; return (key, line) of the first duplicate mapping key, if any.

    `budget` ([values left]) is shared by the whole walk; running out raises _TooManyValues."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooManyValues
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                return key, key_node.start_mark.line + 1
            seen.add(key)
            found = _record_lines(value_node, (*path, key), lines, budget)
            lines[(*path, key)] = key_node.start_mark.line + 1 if not isinstance(
                value_node, yaml.ScalarNode) else value_node.start_mark.line + 1
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _record_lines(item, (*path, index), lines, budget)
            if found:
                return found
    return None
