"""YAML the project ships (lexicons, languages, triage signals, composer phrases), parsed by libyaml
when PyYAML was built with it: ten times faster than the pure-Python parser (4 ms against 38 ms for
one lexicon), and these files are read at every start. Trainers' knowledge files go through
`knowledge.yaml_lines` instead, which names the line of a problem and refuses aliases."""

from __future__ import annotations

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> object:
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C or Python
