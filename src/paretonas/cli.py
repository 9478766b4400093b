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
    strategy: str = typer.Option("default", help="default, random, nsga2 or tpe; random always runs beside it."),
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
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(_ordered(results), indent=1))
        console.print(f"results written to [bold]{json_path}[/]")


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
        console.print(f"[red]error:[/] {error}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
