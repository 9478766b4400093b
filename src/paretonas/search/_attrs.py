"""Names of the user attributes paretonas stores on every Optuna trial.

Kept in one place because the loop writes them, samplers and reports read them, and
they are the on-disk format of a study.
"""

METRICS_ATTR = "metrics"  # every measured metric, by name
KEY_ATTR = "key"  # identity of the network (canonical config hash): the cache key
CACHE_HIT_ATTR = "cache_hit"  # True when values were copied from an earlier trial
FAILURE_ATTR = "failure"  # why a trial failed, for the user to read
INTERRUPTED_ATTR = "interrupted"  # a trial that was running when its process died
STUDY_SPEC_ATTR = "paretonas_spec"  # objectives, constraints and space of the study
