"""Reports of a search: results.csv, front.json, pareto.png and a sortable report.html."""

from paretonas.report._write import write_reports

__all__ = ["write_reports"]
