"""tosanalyzer: read vendors' terms with evidence — tag risky clauses, grade them, diff versions."""

__version__ = "0.1.0"
