"""The product's jobs, wiring the rooms together: search, export, verify, demo."""

from paretonas.workflow._config import RunConfig, load_config, parse_config
from paretonas.workflow._demo import demo_config
from paretonas.workflow._evaluator import SubnetEvaluator
from paretonas.workflow._export import FORMATS, export_trial
from paretonas.workflow._progress import ProgressSink
from paretonas.workflow._run import RunResult, obtain_supernet, run_job, select_knee
from paretonas.workflow._verify import verify_file

__all__ = [
    "FORMATS",
    "ProgressSink",
    "RunConfig",
    "RunResult",
    "SubnetEvaluator",
    "demo_config",
    "export_trial",
    "load_config",
    "obtain_supernet",
    "parse_config",
    "run_job",
    "select_knee",
    "verify_file",
]
