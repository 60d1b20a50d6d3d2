"""Allow ``python -m chartgen``."""

from chartgen.cli import main

main()
