"""The benchmark tables, as markdown, computed from bench/results/*.json.

The documentation's pages hold a placeholder such as ``<!-- table: fit_debian -->`` where a table goes;
docs/hooks/bench_tables.py (an MkDocs hook) replaces it with ``render("fit_debian")`` at build time, so no figure
of a table is ever copied by hand. ``TABLES`` names every table and the results it reads; where a bench
script already prints its README table (``--table``), the table here is that script's.

usage: python bench/table.py                   # the fit table of bench/results/fit_debian.json
       python bench/table.py RESULTS.json      # the fit table of another bench/bench_fit.py run
       python bench/table.py NAME [NAME ...]   # any table by name (--list names them)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
EMBEDDING_DIM = 384  # all-MiniLM-L6-v2, the vectors of the million-document runs


def _results(name: str) -> dict:
    return json.loads((RESULTS / name).read_text(encoding="utf-8"))


def _bench(module: str):
    """A bench script as a module (they import each other as top-level modules from bench/)."""
    import importlib

    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return importlib.import_module(module)


def exact(value: float) -> Decimal:
    """The figure as the results file writes it (0.615 is 0.615, not the binary float below it)."""
    return Decimal(repr(value))


def fixed(value: float | Decimal, digits: int) -> str:
    """``value`` with ``digits`` decimals, rounded half up on the figure as written (0.615 -> 0.62, where
    Python's format rounds the binary float: 0.61)."""
    number = value if isinstance(value, Decimal) else exact(value)
    return str(number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def fit_table(path: Path | str = RESULTS / "fit_debian.json") -> str:
    """The fit benchmark (bench/bench_fit.py): its one-line caption, then one row per configuration."""
    report = json.loads(Path(path).read_text(encoding="utf-8"))
    lines = [f"{report['n_documents']:,} documents, {report['n_gold_labels']} gold sections, "
             f"{report['machine']['cpus']} cores, {report['date']}; one process per row, same embeddings "
             f"({report.get('embedding_model', 'all-MiniLM-L6-v2')}).", "",
             "| configuration | fit s | × BERTopic time | representations s | topics | outliers | NMI | ARI | NPMI "
             "| C_v | diversity | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["results"]:
        ratio = r.get("fit_time_ratio_vs_bertopic")
        rep = r.get("represent_seconds")
        rep = "" if rep is None or rep != rep else f"{rep:.1f}"
        lines.append(f"| {r['name']} | {r['fit_seconds']:.1f} | {'' if ratio is None else f'{ratio:.2f}'} | {rep} "
                     f"| {r['n_topics']} | {r['outlier_fraction']:.1%} | {r['nmi']:.3f} | {r['ari']:.3f} "
                     f"| {r['npmi']:.3f} | {r.get('c_v', float('nan')):.3f} | {r['diversity']:.3f} "
                     f"| {r['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def labels_judged_table() -> str:
    """The judged label benchmark's last round (bench/results/labels_judged.json): corpora, then systems."""
    return _bench("judged_scores").table()


def labels_table() -> str:
    """The automatic label benchmark (bench/results/labels_<corpus>.json)."""
    return _bench("bench_labels").table()


def languages_table() -> str:
    """The language samples (bench/results/languages.json)."""
    return _bench("bench_languages").table(_results("languages.json")["rows"])


def mixed_judged_table() -> str:
    """Round r5 of the judged benchmark, mixed topics (bench/results/mixed_judged.json): handlings, then names."""
    return _bench("bench_mixed").table()


def defaults_judged_table() -> str:
    """The default's own topics, judged (bench/results/defaults_judged.json)."""
    return _bench("bench_defaults").table()


def embed_table() -> str:
    """The embedders (bench/results/embed_debian.json)."""
    return _bench("bench_embed").table(_results("embed_debian.json"))


EDITS = {  # bench/bench_edit.py's edit -> the table's words for it
    "merge": "merge two topics",
    "delete": "delete one (documents to the nearest)",
    "delete to outliers": "delete one, to outliers",
    "split (Leiden)": "split, Leiden decides ({changed} parts)",
    "split in 3": "split in 3",
    "reduce to 12": "reduce to 12",
    "outliers to 0 %": "outliers to 0 %",
}


def edit_table() -> str:
    """Each edit without and with the bundled LLM (bench/results/edit_debian.json, edit_debian_llm.json)."""
    plain, llm = _results("edit_debian.json"), _results("edit_debian_llm.json")
    with_llm = {e["edit"]: e for e in llm["edits"]}
    lines = ["| edit | seconds, no LLM | × fit | changed topics | LLM calls | seconds with the bundled LLM |",
             "|---|---|---|---|---|---|"]
    for number, e in enumerate(plain["edits"]):
        other = with_llm[e["edit"]]
        calls = f"{other['llm_calls']}" + (f" (+{other['cached']} cached)" if other["cached"] else "")
        seconds = fixed(other["seconds"], 1) + (" (the LLM loads first)" if number == 0 else "")
        lines.append(f"| {EDITS.get(e['edit'], e['edit']).format(**e)} | {fixed(e['seconds'], 2)} "
                     f"| {fixed(e['ratio_to_fit'], 2)} | {e['changed']} | {calls} | {seconds} |")
    return "\n".join(lines)


def tree_table() -> str:
    """The topic tree against the hand-made areas (bench/results/tree_debian.json)."""
    report = _results("tree_debian.json")
    lines = ["| tree | named nodes | purity (the ceiling) | LLM name covers | largest child's name | keyword label |",
             "|---|---|---|---|---|---|"]
    for number, tree in enumerate(report["trees"]):
        name = (f"default, {tree['named_nodes']} nodes" if number == 0
                else f"`levels=[{', '.join(str(level) for level in tree['levels'])}]`")
        lines.append(f"| {name} | {tree['named_nodes']} | {fixed(tree['purity'], 2)} "
                     f"| {fixed(tree['coverage_llm_name'], 2)} | {fixed(tree['coverage_largest_child_name'], 2)} "
                     f"| {fixed(tree['coverage_keyword_name'], 2)} |")
    return "\n".join(lines)


GUIDED = {  # bench/bench_guided.py's setting -> the table's words for it
    "plain fit": "plain",
    "zero-shot, 14 names, min_similarity 0.3": "zero-shot, min similarity 0.3",
    "zero-shot, 14 names, min_similarity 0.4": "zero-shot, 0.4 (default)",
    "zero-shot, 14 names, min_similarity 0.5": "zero-shot, 0.5",
    "semi-supervised, 5% of the sections given": "semi-supervised, 5 % of the sections given",
    "semi-supervised, 10% of the sections given": "semi-supervised, 10 % given",
    "semi-supervised, 30% of the sections given": "semi-supervised, 30 % given",
}


def guided_table() -> str:
    """Seeds, zero-shot names and classes (bench/results/guided_debian.json)."""
    lines = ["| fit | NMI | ARI | topics | documents in a named topic | precision of the names |",
             "|---|---|---|---|---|---|"]
    for r in _results("guided_debian.json")["rows"]:
        precision = r.get("named_precision", r.get("hidden_right"))
        share = f"{fixed(100 * exact(r['named_share']), 1)} %" if r["named_share"] else "–"
        lines.append(f"| {GUIDED.get(r['setting'], r['setting'])} | {fixed(r['nmi'], 3)} | {fixed(r['ari'], 3)} "
                     f"| {r['topics']} | {share} | {'–' if precision is None else fixed(precision, 2)} |")
    return "\n".join(lines)


def _times(n: int) -> str:
    return {1: "one", 2: "two", 3: "three"}.get(n, str(n))


def growth_table() -> str:
    """A model grown with the newer half of the changelogs (bench/results/growth_changelog.json)."""
    r = _results("growth_changelog.json")
    llm = r["llm"]
    told_apart = llm["update_llm_calls"] - llm["update_new_topics"] - llm["update_reasked"]
    notes = [f"{_times(llm['update_reasked'])} answer{'s' * (llm['update_reasked'] != 1)} asked again",
             f"{_times(told_apart)} call{'s' * (told_apart != 1)} to tell two similar labels apart"]
    kept = "; every existing label kept" if llm["existing_labels_kept"] else ""
    rows = [
        ("joined existing topics", f"{r['joined']:,}"),
        ("new topics", f"{r['new_topics']} ({r['topics_after']} topics after)"),
        ("outliers", f"{r['outliers']:,}"),
        ("update", f"{fixed(r['update_seconds'], 2)} s, against {fixed(r['refit_seconds'], 2)} s for a refit on "
                   f"every entry ({fixed(r['update_to_refit'], 2)}×)"),
        ("NMI of the grown model's topics against the refit's",
         f"{fixed(r['nmi_grown_vs_refit'], 2)} (the newer entries alone: {fixed(r['nmi_newer_grown_vs_refit'], 2)})"),
        ("NMI between two refits that differ only in their seed", fixed(r["nmi_refit_vs_refit_other_seed"], 2)),
        (f"LLM calls of the update ({llm['spec']})",
         f"{llm['update_llm_calls']} for the {llm['update_new_topics']} new topics ({', '.join(notes)}), "
         f"{fixed(llm['update_seconds_with_labels'], 1)} s{kept}"),
    ]
    return "\n".join(["| | |", "|---|---|", *(f"| {what} | {value} |" for what, value in rows)])


MILLION = (  # results file, what its neighbours column says, whether its time and memory are in bold
    ("million.json", "auto (HNSW graph)", True),
    ("million_exact.json", "exact (earlier run, before the memory work)", False),
    ("ten_million.json", "auto (HNSW graph)", True),
)


def million_table() -> str:
    """One and ten million documents (bench/results/million.json, million_exact.json, ten_million.json)."""
    lines = ["| documents | embeddings | neighbours (`--knn`) | wall time | peak RSS | topics | outliers | NMI | ARI "
             "| model directory |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, knn, bold in MILLION:
        r = _results(name)
        dtype = r.get("embeddings_dtype", "float32")
        size = Decimal(r["n_documents"] * EMBEDDING_DIM * {"float32": 4, "float16": 2}[dtype]) / 10**9
        mark = "**" if bold else ""
        lines.append(f"| {r['n_documents']:,} | {dtype}, {fixed(size, 1)} GB | {knn} "
                     f"| {mark}{fixed(exact(r['wall_seconds']) / 60, 1)} min{mark} "
                     f"| {mark}{fixed(exact(r['peak_rss_mb']) / 1000, 1)} GB{mark} | {r['n_topics']} "
                     f"| {fixed(100 * exact(r['outlier_fraction']), 1)}% | {fixed(r['nmi'], 3)} | {fixed(r['ari'], 3)} "
                     f"| {fixed(exact(r['model_dir_mb']) / 1000, 1)} GB |")
    return "\n".join(lines)


def dask_table(workers: tuple[int, ...] = (1, 2, 4, 8, 16, 32), scale: float = 10.0) -> str:
    """Ten million documents on N Dask workers, projected by bench/dask_projection.py from
    bench/results/million_dask1.json (one worker) and ten_million.json (the client's other work)."""
    projection = _bench("dask_projection")
    run, base = _results("million_dask1.json"), _results("ten_million.json")
    lines = [f"| workers | {round(run['n_documents'] * scale):,} documents: wall minutes | of which the chunked "
             "stages |", "|---|---|---|"]
    lines += [f"| {row['workers']} | {row['minutes']} | {row['chunked_minutes']} |"
              for row in projection.project(run, list(workers), scale, base)]
    return "\n".join(lines)


LAYOUTS = {  # bench/bench_layout.py's layout -> the table's words for it; the default's figures are in bold
    "umap": "`umap` (`UMAPLayout()`, 100 epochs here; the default until now)",
    "umap-30-epochs": "`UMAPLayout(n_epochs=30)`",
    "topics": "**`topics`** (`TopicLayout()`, 10 epochs: the default)",
    "topics-20-epochs": "`TopicLayout(n_epochs=20)`",
    "topics-no-forces": "`TopicLayout(n_epochs=0)` (discs only)",
    "pca": "`pca`",
}
DEFAULT_LAYOUT = "topics"


def layout_table() -> str:
    """The document map's layouts (bench/results/layout_debian.json)."""
    lines = ["| layout | seconds (fresh process) | gold 10-NN | topic 10-NN | neighbours kept |",
             "|---|---|---|---|---|"]
    for r in _results("layout_debian.json")["results"]:
        figures = [fixed(r["seconds"], 2), fixed(r["gold_knn"], 3), fixed(r["topic_knn"], 3),
                   fixed(r["neighbours_kept"], 3)]
        if r["name"] == DEFAULT_LAYOUT:
            figures = [f"**{figure}**" for figure in figures]
        lines.append(f"| {LAYOUTS.get(r['name'], r['name'])} | " + " | ".join(figures) + " |")
    return "\n".join(lines)


def workbench_table() -> str:
    """The workbench driven in chromium (bench/results/workbench_debian.json)."""
    report = _results("workbench_debian.json")
    lines = ["| action | preview | apply (saved, page redrawn) |", "|---|---|---|",
             f"| open the page (first frame of the map) | – | {fixed(report['first_render_seconds'], 2)} s |"]
    for e in report["edits"]:
        preview = f"{fixed(e['preview_seconds'], 2)} s" if "preview_seconds" in e else "–"
        lines.append(f"| {e['edit']} | {preview} | {fixed(e['apply_seconds'], 2)} s |")
    return "\n".join(lines)


# name -> (what renders it, the results files it reads); the docs' placeholders use these names.
def multi_topic_table() -> str:
    """Several topics in one document (bench/results/multi_topic.json)."""
    return _bench("bench_multi_topic").table(RESULTS / "multi_topic.json")


def long_documents_table() -> str:
    """Long documents read whole or by their beginning (bench/results/long_documents.json)."""
    return _bench("bench_long_documents").table(RESULTS / "long_documents.json")


def passage_weighting_table() -> str:
    """Three ways to weigh a long document's passages (bench/results/passage_weighting.json)."""
    return _bench("bench_passage_weighting").table(RESULTS / "passage_weighting.json")


def long_documents_judged_table() -> str:
    """Long documents' topics, whole or passage by passage, judged blind (bench/results/long_documents_judged.json)."""
    return _bench("bench_units_judged").table()


def tight_judged_table() -> str:
    """Today's fit beside a tighter one, judged blind (bench/results/tight_judged.json)."""
    return _bench("bench_tight_judged").table()


def label_variants_table() -> str:
    """Round r14: two label prompts beside the default's on its own topics, judged blind
    (bench/results/label_variants.json)."""
    return _bench("bench_label_variants").table()


def repeats_judged_table() -> str:
    """Round r15: repeated labels renamed together or given a keyword, judged blind
    (bench/results/repeats_judged.json)."""
    return _bench("bench_repeats_judged").table()


def german_case_judged_table() -> str:
    """Round r16: German labels in the nominative or as written, judged blind
    (bench/results/german_case_judged.json)."""
    return _bench("bench_german_case").table_text()


def raw_text_table() -> str:
    """From raw text to topics: the teacher, the learned table and BERTopic (bench/results/raw_text.json)."""
    return _bench("bench_raw_text").table(RESULTS / "raw_text.json")


TABLES: dict[str, tuple[Callable[[], str], tuple[str, ...]]] = {
    "fit_debian": (lambda: fit_table(RESULTS / "fit_debian.json"), ("fit_debian.json",)),
    "fit_debian_zh": (lambda: fit_table(RESULTS / "fit_debian_zh.json"), ("fit_debian_zh.json",)),
    "labels_judged": (labels_judged_table, ("labels_judged.json",)),
    "labels": (labels_table, ("labels_debian.json", "labels_debian-reference-zh.json",
                              "labels_python-stdlib.json")),
    "languages": (languages_table, ("languages.json",)),
    "mixed_judged": (mixed_judged_table, ("mixed_judged.json",)),
    "defaults_judged": (defaults_judged_table, ("defaults_judged.json",)),
    "edit_debian": (edit_table, ("edit_debian.json", "edit_debian_llm.json")),
    "tree_debian": (tree_table, ("tree_debian.json",)),
    "guided_debian": (guided_table, ("guided_debian.json",)),
    "growth_changelog": (growth_table, ("growth_changelog.json",)),
    "million": (million_table, ("million.json", "million_exact.json", "ten_million.json")),
    "dask_projection": (dask_table, ("million_dask1.json", "ten_million.json")),
    "layout_debian": (layout_table, ("layout_debian.json",)),
    "workbench_debian": (workbench_table, ("workbench_debian.json",)),
    "embed_debian": (embed_table, ("embed_debian.json",)),
    "multi_topic": (multi_topic_table, ("multi_topic.json",)),
    "long_documents": (long_documents_table, ("long_documents.json",)),
    "passage_weighting": (passage_weighting_table, ("passage_weighting.json",)),
    "long_documents_judged": (long_documents_judged_table, ("long_documents_judged.json",)),
    "label_variants": (label_variants_table, ("label_variants.json",)),
    "german_case_judged": (german_case_judged_table, ("german_case_judged.json",)),
    "raw_text": (raw_text_table, ("raw_text.json",)),
    "repeats_judged": (repeats_judged_table, ("repeats_judged.json",)),
    "tight_judged": (tight_judged_table, ("tight_judged.json",)),
}


def render(name: str) -> str:
    """The markdown of the table called ``name`` (a key of ``TABLES``)."""
    if name not in TABLES:
        raise KeyError(f"no benchmark table called {name!r}; known: {', '.join(TABLES)}")
    return TABLES[name][0]()


def main(argv: list[str]) -> int:
    if argv == ["--list"]:
        for name, (_, files) in TABLES.items():
            print(f"{name}: {', '.join(f'bench/results/{f}' for f in files)}")
        return 0
    if not argv:
        print(fit_table())
        return 0
    if len(argv) == 1 and argv[0].endswith(".json"):
        print(fit_table(argv[0]))
        return 0
    print("\n\n".join(render(name) for name in argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
