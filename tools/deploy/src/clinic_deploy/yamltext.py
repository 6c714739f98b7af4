"""YAML as the derived files write it: keys in order, lists indented, multi-line text as blocks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # `- item` under its key, indented


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(documents: Iterable[Any]) -> str:
    """Each document after `---`, as a person would write it."""
    return "".join(
        "---\n" + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=100) for doc in documents
    )
