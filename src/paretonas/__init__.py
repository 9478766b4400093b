"""paretonas: find the networks worth deploying.

The package is split into rooms with one job each (see ``DESIGN.md``):
``space`` (search dimensions), ``search`` (studies, strategies, Pareto fronts),
``predict`` (objective predictors), ``bench`` (tabular benchmarks and the evaluation
protocol) and ``cli`` (the ``paretonas`` command).
"""

__version__ = "0.1.0"
