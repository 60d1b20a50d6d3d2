"""One line per finding, like ruff's concise output, for terminals and editors:

    deploy/helm/certctl/templates/server-deployment.yaml:42: SEC001 container "server" may run as root [Deployment/certctl-server] (all 37 × 2)

then the per-check summary and the verdict (counting the lines printed).
"""

from __future__ import annotations

from chartgen.findings import Report
from chartgen.report import (
    describe_location,
    group_by_root_cause,
    per_check_lines,
    summary_lines,
    where_parts,
)
from chartgen.report.colour import bold, level


def render(report: Report, colour: bool = False) -> str:
    groups = group_by_root_cause(report.results)
    lines = []
    for group in groups:
        result = group.result
        location = describe_location(result) or "(chart)"
        subject = "/".join(part for part in (result.kind, result.name) if part)
        message = " ".join(result.message.split())  # one line, whatever the message holds
        where = "; ".join(where_parts(group.occurrences, report.evaluated))
        lines.append(
            f"{bold(location + ':', colour)} {level(result.code, result.level, colour)} {message}"
            + (f" [{subject}]" if subject else "")
            + f" ({where})"
        )
    if len(groups) > 1:
        lines += ["", *per_check_lines(groups)]
    return "\n".join([*lines, "", *summary_lines(report.summary, groups)]).lstrip("\n") + "\n"
