"""Reports of a search (results.csv, front.json, pareto.png, a sortable report.html) and the benchmark plot."""

from paretonas.report._bench_plot import bench_plot
from paretonas.report._write import write_reports

__all__ = ["bench_plot", "write_reports"]
