"""Write a search's results for people (plot, HTML) and for programs (CSV, JSON)."""

from __future__ import annotations

import base64
import csv
import html
import json
from pathlib import Path

import numpy as np

from paretonas.search import hypervolume
from paretonas.search._attrs import CACHE_HIT_ATTR, FAILURE_ATTR, KEY_ATTR, METRICS_ATTR
from paretonas.report._plot import BASELINE_LABELS, pareto_plot


def _entries(study) -> list[dict]:
    from optuna.trial import TrialState

    rows = []
    for trial in sorted(study.get_trials(deepcopy=False), key=lambda t: t.number):
        if trial.user_attrs.get(CACHE_HIT_ATTR):
            continue
        rows.append({"trial": trial.number, "state": trial.state.name, "config": dict(trial.params),
                     "metrics": dict(trial.user_attrs.get(METRICS_ATTR, {})),
                     "key": trial.user_attrs.get(KEY_ATTR, ""), "failure": trial.user_attrs.get(FAILURE_ATTR, ""),
                     "complete": trial.state == TrialState.COMPLETE})
    return rows


def _hypervolumes(groups: dict[str, list[dict]], objectives) -> dict[str, float]:
    """HV of each group's points, min-max normalised over all of them, reference (1.1, ...)."""
    names = [o.name for o in objectives]
    all_points = [e for entries in groups.values() for e in entries]
    if not all_points:
        return {}
    F = np.array([[o.sign * e["metrics"][o.name] for o in objectives] for e in all_points])
    lower, upper = F.min(axis=0), F.max(axis=0)
    span = np.where(upper > lower, upper - lower, 1.0)
    out = {}
    for label, entries in groups.items():
        if not entries:
            out[label] = 0.0
            continue
        G = np.array([[o.sign * e["metrics"][o.name] for o in objectives] for e in entries])
        out[label] = hypervolume((G - lower) / span, np.full(len(names), 1.1))
    return out


def write_reports(result, studies: dict, space, objectives, constraints, latency) -> dict[str, Path]:
    out = Path(result.out)
    main = _entries(studies[result.study])
    baseline = _entries(studies[result.baseline_study]) if result.baseline_study else []
    done = lambda rows: [r for r in rows if r["complete"]]  # noqa: E731
    front_numbers = {e["trial"]: e for e in result.front}
    files = {}

    # results.csv: every measured subnet of both studies, one row each
    metric_names = sorted({k for r in main + baseline for k in r["metrics"]} | {"test_accuracy"})
    files["results_csv"] = out / "results.csv"
    with open(files["results_csv"], "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["study", "trial", "state", "on_front", "is_knee", *space.names, *metric_names,
                         "latency_runtime", "latency_threads", "latency_batch", "failure"])
        for study_name, rows in ((result.study, main), (result.baseline_study, baseline)):
            for r in rows:
                on_front = study_name == result.study and r["trial"] in front_numbers
                metrics = dict(r["metrics"], **(front_numbers[r["trial"]]["metrics"] if on_front else {}))
                is_knee = on_front and result.knee is not None and result.knee["trial"] == r["trial"]
                writer.writerow([study_name, r["trial"], r["state"], int(on_front), int(is_knee),
                                 *(r["config"].get(n, "") for n in space.names),
                                 *(metrics.get(m, "") for m in metric_names),
                                 latency.runtime, latency.threads, latency.batch_size, r["failure"]])

    hv = _hypervolumes({"search": done(main), "random": done(baseline)}, objectives)
    summary = {
        "objectives": result.objectives,
        "constraints": [str(c) for c in constraints],
        "front": result.front,
        "reference": result.references,
        "knee": result.knee,
        "study": result.study,
        "storage": result.storage,
        "baseline": {"study": result.baseline_study, "strategy": "random", "measured": len(done(baseline))},
        "measured": len(done(main)),
        "failed": len([r for r in main if r["state"] == "FAIL" and r["key"]]),
        "hypervolume": hv,
        "latency_settings": latency.__dict__,
        "timing": result.timing,
    }
    if any(name.startswith("s_") for name in space.names):
        summary["sparsity_note"] = ("unstructured sparsity shrinks compressed_bytes only; dense runtimes gain no "
                                    "speed from it, and latency is always measured, never derived from sparsity")
    files["front_json"] = out / "front.json"
    files["front_json"].write_text(json.dumps(summary, indent=1))

    accuracy_objective = next((o for o in objectives if o.direction == "maximize"), objectives[0])
    cost_objective = next((o for o in objectives if o is not accuracy_objective), objectives[-1])
    strategy = studies[result.study].user_attrs.get("paretonas_run", {}).get("strategy", "")
    files["pareto_png"] = pareto_plot(out / "pareto.png", cost_objective.name, accuracy_objective.name,
                                      done(main), done(baseline), result.front, result.references, result.knee,
                                      strategy)
    files["report_html"] = out / "report.html"
    files["report_html"].write_text(_html(summary, files["pareto_png"], space.names, result, hv))
    return files


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


_SPARSITY_NOTE = ("<p><b>Unstructured sparsity</b> (<code>s_*</code>) zeroes weights but keeps dense shapes: it "
                  "shrinks <code>compressed_bytes</code> (the deployable file, zlib-compressed) and nothing else. "
                  "ONNX Runtime runs the zeros like any other weight, so it buys no speed; every latency here is "
                  "measured on the file, never derived from sparsity.</p>")


def _baselines_table(result) -> str:
    """Each reference model, and how much faster the knee is than it at what accuracy cost."""
    knee = result.knee["metrics"] if result.knee is not None else None
    head = ("<tr><th>model</th><th>val_accuracy</th><th>test_accuracy</th><th>latency_ms</th><th>macs</th>"
            "<th>model_bytes</th><th>knee speed-up</th><th>knee test accuracy change (points)</th></tr>")
    rows = []
    for name, reference in result.references.items():
        m = reference["metrics"]
        label = BASELINE_LABELS.get(name, name)
        if name == "largest_pruned_uniform":
            label += f" (keep {reference['config']['uniform_keep_ratio']:.3f})"
        speedup = delta = ""
        if knee is not None and m.get("latency_ms"):
            speedup = f"{m['latency_ms'] / knee['latency_ms']:.2f}x"
            if "test_accuracy" in m and "test_accuracy" in knee:
                delta = f"{100 * (knee['test_accuracy'] - m['test_accuracy']):+.2f}"
        cells = [label, m.get("val_accuracy", ""), m.get("test_accuracy", ""), m.get("latency_ms", ""),
                 m.get("macs", ""), m.get("model_bytes", ""), speedup, delta]
        rows.append("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in cells) + "</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _html(summary: dict, png: Path, dims: list[str], result, hv: dict) -> str:
    image = base64.b64encode(png.read_bytes()).decode()
    metrics = ["val_accuracy", "test_accuracy", "latency_ms", "macs", "params", "model_bytes", "int8_layers",
               "compressed_bytes", "weight_sparsity"]
    rows = []
    for entry in result.front:
        knee = result.knee is not None and entry["trial"] == result.knee["trial"]
        cells = [entry["trial"], *(entry["metrics"].get(m, "") for m in metrics), *(entry["config"][d] for d in dims)]
        rows.append(f"<tr{' class=knee' if knee else ''}>" + "".join(f"<td>{_cell(c)}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th onclick='sortBy({i})'>{html.escape(h)}</th>"
                     for i, h in enumerate(["trial", *metrics, *dims]))
    knee_line = ("no front member" if result.knee is None else
                 f"trial {result.knee['trial']}: val {result.knee['metrics']['val_accuracy']:.4f}, "
                 f"test {result.knee['metrics'].get('test_accuracy', float('nan')):.4f}, "
                 f"{result.knee['metrics'].get('latency_ms', float('nan')):.4g} ms")
    sparse = any(d.startswith("s_") for d in dims)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>paretonas report: {html.escape(result.study)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}} table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:3px 6px;text-align:right}} th{{cursor:pointer;background:#eee}}
tr.knee{{background:#fff3c4}} code{{background:#f4f4f4}}</style></head><body>
<h1>paretonas report: {html.escape(result.study)}</h1>
<p>Objectives: <code>{html.escape(', '.join(summary['objectives']))}</code>; constraints:
<code>{html.escape(', '.join(summary['constraints']) or 'none')}</code>. Subnets measured: {summary['measured']}
(random baseline: {summary['baseline']['measured']}). Hypervolume (normalised over both, reference 1.1):
search {hv.get('search', 0):.4f}, random {hv.get('random', 0):.4f}.</p>
<p>Knee: {knee_line}.</p>
<h2>What the search bought: the knee against baselines</h2>
{_baselines_table(result)}
{_SPARSITY_NOTE if sparse else ''}
<p>Latency: {html.escape(json.dumps(summary['latency_settings']))}</p>
<img src="data:image/png;base64,{image}" alt="Pareto plot">
<h2>Pareto front (click a column to sort)</h2>
<table id="front"><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>
<script>
function sortBy(col) {{
  const body = document.querySelector('#front tbody');
  const rows = Array.from(body.rows);
  const asc = body.dataset.col == col ? body.dataset.asc != 'true' : true;
  rows.sort((a, b) => {{
    const x = a.cells[col].textContent, y = b.cells[col].textContent;
    const nx = parseFloat(x), ny = parseFloat(y);
    const c = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
    return asc ? c : -c;
  }});
  rows.forEach(r => body.appendChild(r));
  body.dataset.col = col; body.dataset.asc = asc;
}}
</script></body></html>
"""
