"""Allow ``python -m tosanalyzer``."""

from tosanalyzer.cli import main

main()
