"""Generate the chart files from Jinja2 sources and typed values; write them safely."""
