#!/usr/bin/env python3
"""Create a new check: its module with the documentation sections, and pass/fail fixtures.

    python scripts/new_check.py FAMILY CHECK-ID --scope object [--kinds Deployment,StatefulSet]
        [--level warning] [--description "..."] [--remediation "..."]

The code is the family's next free one (for example SEC014). The module lands in
chartgen/checks/<family>/<check_id>.py and the fixtures in tests/checks/fixtures/<check-id>/;
the meta-tests and the fixture test then say what is left to write: the documentation,
the check's logic, and fixtures that really pass and fail. Then regenerate the docs:
``chartgen checks list --format markdown --output docs/checks.md``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
SCOPES = ("chart", "values", "render", "object", "matrix")
LEVELS = ("error", "warning", "info")

# What each scope's run function receives, and the imports it needs (standard library,
# then chartgen), in the order ruff sorts them.
SUBJECTS = {
    "chart": ("chart_dir: Path", ["from collections.abc import Iterator", "from pathlib import Path"], []),
    "values": (
        "scenario: Scenario",
        ["from collections.abc import Iterator"],
        ["from chartgen.scenario import Scenario"],
    ),
    "render": ("outcome: RenderOutcome", ["from collections.abc import Iterator"], []),
    "object": (
        "manifest: Manifest",
        ["from collections.abc import Iterator"],
        ["from chartgen.manifests import Manifest"],
    ),
    "matrix": ("records: Sequence[RenderRecord]", ["from collections.abc import Iterator, Sequence"], []),
}

MODULE = '''"""
## What it does
{description}

## Why is this bad?
Say what goes wrong in a cluster, and for whom.

## Example
```yaml
# the smallest template or object that shows the problem
```

## Use instead
```yaml
# the same, fixed
```

## References
- https://kubernetes.io/docs/
"""

from __future__ import annotations

{standard_imports}

{chartgen_imports}


@check(
    id="{id}",
    code="{code}",
    scope=Scope.{scope},
    level=Level.{level},{kinds}
    description="{description}",
    remediation="{remediation}",
)
def run({subject}, ctx: CheckContext) -> Iterator[Finding]:
    yield from ()
'''

FIXTURE = """description: {what}
render:
  templates:
    fixture/templates/objects.yaml: |
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: example
findings: {findings}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("family", help="the check's family: a directory under chartgen/checks/")
    parser.add_argument("id", help="kebab-case, naming the problem (e.g. dangling-service)")
    parser.add_argument("--scope", choices=SCOPES, required=True)
    parser.add_argument("--kinds", default="", help="object scope: comma-separated kinds it looks at")
    parser.add_argument("--level", choices=LEVELS, default="error")
    parser.add_argument("--description", default="Describe the problem in one sentence.")
    parser.add_argument("--remediation", default="Say how to fix it, in the imperative.")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    args = parser.parse_args()
    try:
        created = scaffold(args)
    except ValueError as exc:
        print(f"new_check: error: {exc}", file=sys.stderr)
        return 2
    for path in created:
        print(f"created {path.relative_to(args.root)}")
    return 0


def scaffold(args: argparse.Namespace) -> list[Path]:
    if not ID_PATTERN.match(args.id):
        raise ValueError(f"{args.id!r} is not a kebab-case id of two words or more")
    family_dir = args.root / "chartgen" / "checks" / args.family
    if not family_dir.is_dir():
        known = sorted(p.name for p in family_dir.parent.iterdir() if (p / "__init__.py").is_file())
        raise ValueError(f"no family {args.family!r} (known: {', '.join(known)})")
    module = family_dir / f"{args.id.replace('-', '_')}.py"
    fixtures = args.root / "tests" / "checks" / "fixtures" / args.id
    if module.exists() or fixtures.exists():
        raise ValueError(f"{args.id} exists already ({module.relative_to(args.root)})")
    for text in (args.description, args.remediation):
        if '"' in text or not text.endswith("."):
            raise ValueError(f"{text!r}: write one sentence ending with a period, without double quotes")
    subject, standard, extra = SUBJECTS[args.scope]
    context = {"render": "CheckContext, RenderOutcome", "matrix": "CheckContext, RenderRecord"}
    chartgen_imports = [
        "from chartgen.checks import Scope, check",
        f"from chartgen.checks.context import {context.get(args.scope, 'CheckContext')}",
        "from chartgen.findings import Finding, Level",
        *extra,
    ]
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    module.write_text(
        MODULE.format(
            id=args.id,
            code=next_code(family_dir),
            scope=args.scope.upper(),
            level=args.level.upper(),
            kinds=f"\n    kinds={kinds!r}," if kinds else "",
            description=args.description,
            remediation=args.remediation,
            subject=subject,
            standard_imports="\n".join(standard),
            chartgen_imports="\n".join(sorted(chartgen_imports)),
        ),
        encoding="utf-8",
    )
    fixtures.mkdir(parents=True)
    passing = fixtures / "pass-example.yaml"
    failing = fixtures / "fail-example.yaml"
    passing.write_text(FIXTURE.format(what="Replace with a case the check accepts.", findings="[]"))
    failing.write_text(
        FIXTURE.format(
            what="Replace with a case the check reports.",
            findings='\n  - {kind: ConfigMap, message: "the message the check gives"}',
        )
    )
    return [module, passing, failing]


def next_code(family_dir: Path) -> str:
    """The family's prefix and the next number after its highest code."""
    codes = re.findall(r'code="([A-Z][A-Z0-9]{2})(\d{3})"', _texts(family_dir))
    if not codes:
        raise ValueError(f"the family {family_dir.name!r} has no check to take its code prefix from")
    prefix = codes[0][0]
    return f"{prefix}{max(int(number) for _, number in codes) + 1:03d}"


def _texts(family_dir: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(family_dir.glob("*.py")))


if __name__ == "__main__":
    sys.exit(main())
