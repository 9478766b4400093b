"""The ``paretonas`` command.

Every user mistake surfaces as a :class:`~paretonas.errors.ParetonasError`, printed
as one line on stderr with exit code 2 and no traceback.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from paretonas.errors import ParetonasError

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Find the networks worth deploying: Pareto fronts of accuracy against measured cost.",
)
bench_app = typer.Typer(no_args_is_help=True, help="Run a strategy on a tabular benchmark under the evaluation protocol.")
app.add_typer(bench_app, name="bench")

console = Console(stderr=True)
out = Console()


@bench_app.command("nasbench-graph")
def bench_nasbench_graph(
    dataset: str = typer.Option("cora", help="One of: arxiv citeseer computers cora cs photo physics proteins pubmed."),
    strategy: str = typer.Option("default", help="default, hypervolume, spread, random, nsga2 or tpe; random always runs beside it."),
    budget: int = typer.Option(100, min=1, help="Unique architectures measured per run."),
    seeds: int = typer.Option(10, min=1, help="Number of seeds (0..N-1) per strategy."),
    objectives: str = typer.Option(
        "val_accuracy:max latency_ms:min",
        help="Space-separated NAME:max|min; add 'params_m:min' for a third objective.",
    ),
    constraint: list[str] = typer.Option(
        [], "--constraint", help="Feasibility constraint NAME<=X or NAME>=X, e.g. 'latency_ms<=5'; repeatable."
    ),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Write the results as JSON here."),
    out_dir: Path = typer.Option(Path("paretonas-out/bench"), "--out", help="Output folder (holds the default storage)."),
    storage: Optional[str] = typer.Option(
        None, help="SQLAlchemy URL of the Optuna storage; default: sqlite in the output folder."
    ),
) -> None:
    """Search NAS-Bench-Graph and compare with random search at the same budget and seeds."""
    from paretonas.bench.nasbench_graph import DATASETS, METRICS
    from paretonas.bench.protocol import BenchmarkSettings, run_benchmark, strategies_to_run
    from paretonas.search import default_storage, parse_constraints, parse_objectives
    from paretonas.search.samplers import STRATEGIES

    if dataset not in DATASETS:
        raise ParetonasError(f"unknown dataset {dataset!r} for --dataset; choose one of: {', '.join(DATASETS)}")
    if strategy not in STRATEGIES:
        raise ParetonasError(f"unknown strategy {strategy!r} for --strategy; choose one of: {', '.join(STRATEGIES)}")
    parsed = parse_objectives(objectives, allowed=[m for m in METRICS if m != "test_accuracy"])
    constraints = parse_constraints(constraint, allowed=METRICS)
    settings = BenchmarkSettings(
        dataset=dataset,
        strategy=strategy,
        budget=budget,
        seeds=seeds,
        objectives=parsed,
        constraints=constraints,
        storage=storage or default_storage(out_dir),
    )
    console.print(f"[bold]NAS-Bench-Graph[/] {dataset}: {strategy} vs random, budget {budget}, {seeds} seeds")
    console.print(f"storage: {settings.storage}")
    runs = strategies_to_run(strategy)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        overall = progress.add_task("all runs", total=len(runs) * seeds * budget)
        current = progress.add_task("", total=budget)
        done_before = {}

        def on_tick(name, seed, done, total):
            key = (name, seed)
            previous = done_before.get(key, 0)
            done_before[key] = done
            progress.update(current, description=f"{name} seed {seed}", completed=done, total=total)
            progress.advance(overall, done - previous)

        results = run_benchmark(settings, on_tick=on_tick)
    results["command"] = "paretonas " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    _print_bench_table(results)
    from paretonas.report import bench_plot

    out_dir.mkdir(parents=True, exist_ok=True)
    plot = bench_plot(out_dir / f"bench-{dataset}-{strategy}.png", results)
    console.print(f"plot written to [bold]{plot}[/]")
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(_ordered(results), indent=1))
        console.print(f"results written to [bold]{json_path}[/]")


def _rich_progress(progress: Progress):
    """Rich progress bars for the workflow's long steps (training, each study)."""
    from paretonas.workflow import ProgressSink

    class RichProgress(ProgressSink):
        def __init__(self, progress: Progress):
            self.progress, self.tasks = progress, {}

        def stage(self, text: str) -> None:
            self.progress.console.print(f"[bold]>[/] {text}", highlight=False)

        def start(self, label: str, total: int) -> None:
            what = "training supernet (steps)" if label == "train" else f"study {label!r} (subnets measured)"
            self.tasks[label] = self.progress.add_task(what, total=total)

        def update(self, label: str, done: int, info: str = "") -> None:
            self.progress.update(self.tasks[label], completed=done)
            if info:
                self.progress.console.print(f"  {info}", highlight=False)

        def finish(self, label: str) -> None:
            task = self.tasks[label]
            self.progress.update(task, completed=self.progress.tasks[task].total)

    return RichProgress(progress)


def _progress_bars() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


def _run_and_summarise(config) -> None:
    from paretonas.workflow import run_job

    with _progress_bars() as bars:
        result = run_job(config, _rich_progress(bars))
    table = Table(title=f"Pareto front of {result.study!r} ({len(result.front)} models; objectives {', '.join(result.objectives)})")
    for column in ("trial", "val acc", "test acc", "latency ms", "MACs", "params", "int8 layers"):
        table.add_column(column, justify="right")

    def row(label: str, m: dict) -> None:
        table.add_row(label, f"{m['val_accuracy']:.4f}", f"{m.get('test_accuracy', float('nan')):.4f}",
                      f"{m.get('latency_ms', float('nan')):.4f}", f"{m.get('macs', 0):,.0f}", f"{m.get('params', 0):,.0f}",
                      f"{m.get('int8_layers', 0):.0f}")

    for entry in result.front:
        mark = " (knee)" if result.knee is not None and entry["trial"] == result.knee["trial"] else ""
        row(f"{entry['trial']}{mark}", entry["metrics"])
    for name, reference in result.references.items():
        row(name.replace("_", " "), reference["metrics"])
    out.print(table)
    out.print(f"[bold]results in {result.out}[/]")
    for label, path in result.files.items():
        out.print(f"  {label:15s} {path}")
    out.print(f"  {'storage':15s} {result.storage} (studies {result.study!r}"
              f"{', ' + repr(result.baseline_study) if result.baseline_study else ''})")


def _config_with_out(config_path: Path, out_dir: Optional[Path]):
    from paretonas.workflow import load_config

    config = load_config(config_path)
    if out_dir is not None:
        config.out = str(out_dir)
    return config


@app.command()
def search(
    config_path: Path = typer.Argument(..., metavar="CONFIG", help="YAML config: task, supernet, train, measure, search, knee, out."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Output folder; overrides the config's 'out'."),
) -> None:
    """Train (or load) a supernet, search it against measured cost, write the report and export the knee."""
    _run_and_summarise(_config_with_out(config_path, out_dir))


@app.command()
def train(
    config_path: Path = typer.Argument(..., metavar="CONFIG", help="YAML config; its task, supernet and train sections are used."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Output folder; the checkpoint goes to OUT/supernet."),
) -> None:
    """Train a supernet with the sandwich rule; resumes from the checkpoint in OUT/supernet."""
    from paretonas.workflow import obtain_supernet
    from paretonas.workflow._run import load_run_task

    config = _config_with_out(config_path, out_dir)
    if config.supernet.checkpoint:
        raise ParetonasError(f"{config_path}: supernet.checkpoint is set, so there is nothing to train")

    task = load_run_task(config)
    console.print(task.summary())
    with _progress_bars() as bars:
        _, checkpoint = obtain_supernet(config, task, Path(config.out), _rich_progress(bars))
    out.print(f"checkpoint: {checkpoint} (use it with supernet.checkpoint in a search config)")


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("paretonas-out/demo"), "--out", help="Output folder."),
    epochs: int = typer.Option(25, min=1, help="Supernet training epochs."),
    budget: int = typer.Option(50, min=1, help="Subnets measured by the search (and by the random baseline)."),
    seed: int = typer.Option(0, help="Seed for data split, training and search."),
    pruning: list[str] = typer.Option([], "--pruning", help="Also search pruning: structured and/or unstructured; repeatable."),
) -> None:
    """The whole job on MNIST-1D, offline: train the 1D CNN supernet, search accuracy against
    ONNX Runtime latency jointly with a per-layer int8 policy, export the knee model, write the report."""
    from paretonas.compress import PRUNING_KINDS
    from paretonas.workflow import demo_config

    unknown = sorted(set(pruning) - set(PRUNING_KINDS))
    if unknown:
        raise ParetonasError(f"--pruning {unknown[0]!r} is not a pruning kind; choose from {list(PRUNING_KINDS)}")
    _run_and_summarise(demo_config(str(out_dir), epochs=epochs, budget=budget, seed=seed, pruning=tuple(pruning)))


@app.command("export")
def export_command(
    study: str = typer.Option(..., help="Study name (e.g. 'demo' or the config's search.study)."),
    trial: int = typer.Option(..., help="Trial number (see results.csv or front.json)."),
    fmt: str = typer.Option("onnx", "--format", help="onnx or torchscript."),
    storage: Optional[str] = typer.Option(None, help="Storage URL; default: sqlite in --run."),
    run_dir: Path = typer.Option(Path("paretonas-out/demo"), "--run", help="The search's output folder (holds studies.db)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Where to write the file; default RUN/export."),
) -> None:
    """Write one trial as a plain model file and verify its test accuracy from the file."""
    from paretonas.workflow import export_trial
    from paretonas.workflow._sidecar import sidecar_path

    if storage is None:
        database = run_dir / "studies.db"
        if not database.exists():
            raise ParetonasError(f"no studies.db in {str(run_dir)!r}; give --run (a search's output folder) or --storage")
        storage = f"sqlite:///{database.resolve()}"
    info = export_trial(storage, study, trial, fmt, out_dir or run_dir / "export")
    out.print(f"wrote {info['file']} (sidecar {sidecar_path(Path(info['file']))})")
    if info["recorded_test_accuracy"] is None:
        out.print(f"test accuracy from the file: {info['test_accuracy_from_file']:.4f} "
                  "(no recorded test accuracy to compare: the trial is not on the reported front)")
    elif info["verified"]:
        out.print(f"verified: test accuracy from the file {info['test_accuracy_from_file']:.4f} "
                  f"equals the recorded {info['recorded_test_accuracy']:.4f}")
    else:
        console.print(f"[red]verification failed:[/] test accuracy from the file {info['test_accuracy_from_file']:.6f} "
                      f"!= recorded {info['recorded_test_accuracy']:.6f}")
        raise typer.Exit(1)


@app.command()
def verify(
    model: Path = typer.Argument(..., metavar="MODEL.onnx", help="An ONNX file paretonas wrote, with its JSON sidecar beside it."),
    repeats: int = typer.Option(500, min=1, help="Timed runs (after warm-up) for the latency median."),
    accuracy_tolerance: float = typer.Option(0.0, min=0, help="Allowed test-accuracy difference, in points."),
    latency_tolerance: float = typer.Option(0.25, min=0, help="Allowed relative latency difference (0.25 = 25 %)."),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Also write the comparison as JSON here."),
) -> None:
    """Re-measure a model file's test accuracy and latency and compare them with its sidecar."""
    from paretonas.workflow import verify_file

    report = verify_file(model, repeats=repeats, accuracy_tolerance=accuracy_tolerance,
                         latency_tolerance=latency_tolerance)
    table = Table(title=f"{model.name}: re-measured against {Path(report['sidecar']).name}")
    for column in ("metric", "recorded", "re-measured", "tolerance", "agrees"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for check in report["checks"]:
        table.add_row(check["metric"], f"{check['recorded']:.6g}", f"{check['measured']:.6g}", check["tolerance"],
                      "[green]yes[/]" if check["agrees"] else "[red]no[/]")
    out.print(table)
    latency = report["latency"]
    out.print(f"latency: ONNX Runtime, {latency['threads']} thread(s), batch {latency['batch_size']}, median of "
              f"{latency['repeats']} runs (p10 {latency['latency_p10_ms']:.4g} ms, p90 {latency['latency_p90_ms']:.4g} ms)")
    if report["recorded_on"]:
        out.print(f"recorded on: {json.dumps(report['recorded_on'])}")
    if json_path:
        json_path.write_text(json.dumps(report, indent=1))
    if not report["agrees"]:
        console.print("[red]the file does not agree with its sidecar[/]")
        raise typer.Exit(1)
    out.print("[green]agrees with its sidecar[/]")


def _ordered(results: dict) -> dict:
    order = ["dataset", "objectives", "budget", "seeds", "command"]
    return {k: results[k] for k in order} | {k: v for k, v in results.items() if k not in order}


def _print_bench_table(results: dict) -> None:
    strategies = list(results["results"])
    points = list(results["results"][strategies[0]]["hv_ratio_at"])
    table = Table(title=f"HV ratio (found / exact front), {results['dataset']}, mean ± std over {len(results['seeds'])} seeds")
    table.add_column("strategy")
    for b in points:
        table.add_column(f"@{b}", justify="right")
    table.add_column("s / proposal", justify="right")
    for name in strategies:
        r = results["results"][name]
        cells = [f"{r['hv_ratio_at'][b]:.4f} ± {r['hv_ratio_std_at'][b]:.4f}" for b in points]
        table.add_row(name, *cells, f"{r['strategy_seconds_per_proposal']:.3f}")
    first = results["results"][strategies[0]]
    if "relative_improvement_over_random_at" in first:
        gains = first["relative_improvement_over_random_at"]
        table.add_row("vs random", *[f"{100 * gains[b]:+.2f} %" for b in points], "")
    out.print(table)


def main() -> None:
    """Entry point: run the app, turning user errors into one clear line."""
    try:
        app()
    except ParetonasError as error:
        console.print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
