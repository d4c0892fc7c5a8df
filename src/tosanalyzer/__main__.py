"""Allow ``python -m tosanalyzer``."""

from tosanalyzer.cli import main

if __name__ == "__main__":  # the TUI's helper processes import this module again ("spawn")
    main()
