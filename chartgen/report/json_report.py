"""The machine-readable report: ``Report.to_dict`` as stable JSON.

Keys are sorted and the findings keep the engine's order, so two runs of the
same matrix produce byte-identical files that diff cleanly. ``chartgen lint
report merge`` reads this format back (see ``merge.load_report``). Named
``json_report`` so it never shadows the standard library's ``json``.
"""

from __future__ import annotations

import json

from chartgen.findings import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n"
