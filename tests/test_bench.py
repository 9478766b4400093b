import json
import signal
import sqlite3
import subprocess
import time

import numpy as np
import pytest
from nas_bench_graph import light_read
from pymoo.indicators.hv import HV

from conftest import paretonas_cmd
from paretonas.bench.nasbench_graph import DATASETS, DEFAULT_OBJECTIVES, NasBenchGraph
from paretonas.bench.protocol import BenchmarkSettings, run_benchmark


def independent_hv_ratio(dataset, keys):
    """Recompute the protocol's HV ratio from table keys with nothing but the table and pymoo."""
    table = light_read(dataset)
    everything = np.array([[-v["valid_perf"], v["latency"]] for v in table.values()])
    lo, hi = everything.min(0), everything.max(0)
    hv = HV(ref_point=np.array([1.0, 1.0]))
    found = np.array([[-table[k]["valid_perf"], table[k]["latency"]] for k in keys])
    return hv((found - lo) / (hi - lo)) / hv((everything - lo) / (hi - lo))


def test_benchmark_small_budget_shape_and_recomputable(tmp_path):
    settings = BenchmarkSettings(dataset="citeseer", strategy="default", budget=26, seeds=2,
                                 objectives=DEFAULT_OBJECTIVES, storage=f"sqlite:///{tmp_path / 'b.db'}")
    results = run_benchmark(settings)
    assert results["dataset"] == "citeseer" and results["budget"] == 26 and results["seeds"] == [0, 1]
    assert set(results["results"]) == {"default", "random"}
    for strategy, r in results["results"].items():
        assert set(r["hv_ratio_at"]) == {"25", "26"} == set(r["hv_ratio_std_at"])
        assert len(r["per_seed"]) == 2 and len(r["test_accuracy_of_front"]) == 2
        for run in r["per_seed"]:
            assert len(run["evaluated"]) == len(set(run["evaluated"])) == 26
            assert run["hv_ratio"] == pytest.approx(independent_hv_ratio("citeseer", run["evaluated"]), rel=1e-9)
            assert run["hv_ratio_at"]["25"] == pytest.approx(independent_hv_ratio("citeseer", run["evaluated"][:25]), rel=1e-9)
        assert r["hv_ratio_at"]["26"] == pytest.approx(np.mean([run["hv_ratio"] for run in r["per_seed"]]))
        for run in r["per_seed"]:  # the plotted curve: one HV ratio per prefix, agreeing with the checkpoints
            curve = dict(zip(results["curve_evaluations"], run["hv_ratio_curve"]))
            assert curve[25] == run["hv_ratio_at"]["25"] and curve[26] == run["hv_ratio"]
            assert curve[7] == pytest.approx(independent_hv_ratio("citeseer", run["evaluated"][:7]), rel=1e-9)
            assert all(a <= b for a, b in zip(run["hv_ratio_curve"], run["hv_ratio_curve"][1:]))
    assert results["curve_evaluations"] == list(range(1, 27))
    exact = NasBenchGraph("citeseer").reference(DEFAULT_OBJECTIVES)
    assert sorted(row["key"] for row in results["exact_front"]) == sorted(exact.front_keys)
    # the same seeds for both strategies, random's initial draws are not the strategy's
    assert results["results"]["default"]["per_seed"][0]["seed"] == results["results"]["random"]["per_seed"][0]["seed"]


def test_exact_front_has_hv_ratio_one_everywhere():
    for dataset in DATASETS:
        bench = NasBenchGraph(dataset)
        exact = bench.reference(DEFAULT_OBJECTIVES)
        assert exact.hv_ratio(bench.objective_matrix(exact.front_keys, DEFAULT_OBJECTIVES)) == pytest.approx(1.0)
        assert len(bench.keys) == (2021 if dataset == "proteins" else 26206)


def test_proteins_uses_its_own_op_list():
    bench = NasBenchGraph("proteins")
    assert list(bench.space["op1"].choices) == ["gcn", "sage", "arma", "fc", "skip"]
    config = {"link": "0123", "op1": "gcn", "op2": "sage", "op3": "arma", "op4": "fc"}
    assert bench.table_key(config) in bench.table


def run_cli(*args, env=None, timeout=300):
    return subprocess.run([*paretonas_cmd(), *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dataset", "imagenet"], "unknown dataset 'imagenet' for --dataset; choose one of: arxiv"),
        (["--strategy", "bayes"], "unknown strategy 'bayes' for --strategy; choose one of: default"),
        (["--objectives", "accuracy:max"], "unknown objective metric 'accuracy'; available metrics: val_accuracy"),
        (["--objectives", "val_accuracy:up"], "objective 'val_accuracy:up' is malformed"),
        (["--constraint", "latency_ms<2"], "constraint 'latency_ms<2' is malformed"),
        (["--storage", "nosuchdb://x"], "cannot open storage 'nosuchdb://x'"),
    ],
)
def test_cli_bad_input_is_one_clear_line(args, message, cli_env, tmp_path):
    done = run_cli("bench", "nasbench-graph", "--budget", "2", "--seeds", "1", "--out", str(tmp_path), *args, env=cli_env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert message in " ".join(done.stderr.split())


def study_trials(db):
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "select s.study_name, t.number, t.state from trials t join studies s on s.study_id = t.study_id"
        ).fetchall()
    return rows


def test_sigkill_then_same_command_resumes_without_loss_or_duplicates(tmp_path, cli_env):
    db = tmp_path / "resume.db"
    out_json = tmp_path / "out.json"
    args = ["bench", "nasbench-graph", "--dataset", "cora", "--budget", "30", "--seeds", "2",
            "--storage", f"sqlite:///{db}", "--json", str(out_json), "--out", str(tmp_path)]
    process = subprocess.Popen([*paretonas_cmd(), *args], env=cli_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline:
        time.sleep(0.2)
        if db.exists():
            try:
                complete = [r for r in study_trials(db) if r[2] == "COMPLETE"]
            except sqlite3.OperationalError:
                continue
            if len(complete) >= 40:  # inside the second of the four studies
                break
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not out_json.exists()
    before = {(name, number) for name, number, state in study_trials(db) if state == "COMPLETE"}
    assert len(before) >= 40

    done = run_cli(*args, env=cli_env)
    assert done.returncode == 0, done.stderr
    after = {(name, number) for name, number, state in study_trials(db) if state == "COMPLETE"}
    assert before <= after  # nothing recorded before the kill was lost
    results = json.loads(out_json.read_text())
    assert (tmp_path / "bench-cora-default.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for strategy in ("default", "random"):
        for run in results["results"][strategy]["per_seed"]:
            assert len(run["evaluated"]) == len(set(run["evaluated"])) == 30

    # a rerun of a finished benchmark measures nothing new and reports the same figures
    again = run_cli(*args, env=cli_env)
    assert again.returncode == 0
    assert {(n, k) for n, k, s in study_trials(db) if s == "COMPLETE"} == after
    rerun = json.loads(out_json.read_text())
    assert rerun["results"]["default"]["per_seed"] == results["results"]["default"]["per_seed"]


def test_curve_evaluations_are_every_count_up_to_100_then_100_spread_to_the_budget():
    from paretonas.bench.protocol import curve_evaluations

    assert curve_evaluations(1) == [1]
    assert curve_evaluations(100) == list(range(1, 101))
    long = curve_evaluations(1000)
    assert long[0] == 1 and long[-1] == 1000 and len(long) == 100 and long == sorted(set(long))
