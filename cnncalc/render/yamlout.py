"""YAML output: the JSON object, written as YAML (block style, same keys)."""

from __future__ import annotations

import yaml

from cnncalc.render.jsonout import result_json
from cnncalc.result import Result

Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def render_yaml(result: Result) -> str:
    return yaml.dump(result_json(result), Dumper=Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=None, width=100)
