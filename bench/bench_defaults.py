"""Judged rounds r6, r8 and r11: the default's own topics (mixed topics split, as fitted since round r5), their
labels, and the names of the default tree's nodes.

Round r6 judged them with the default labeler of round r4 (bench/results/defaults_judged_r6.json, made by this
script as of commit ee4321d); round r8 with round r7's (bench/results/defaults_judged_r8.json, as of commit
513d3ec), on the same topics, and showed r6's label of each judged topic beside the new one (``topiclens-r6``);
round r11 with round r9's (bench/results/defaults_judged.json), r8's label beside it (``topiclens-r8``).

Steps (each corpus of bench/bench_judged.py, the same embeddings and seed as rounds r1–r5):

``build``
    Fit with the defaults (``bench_labels.fixed_topics(..., "split")``), label every topic with the default
    labeler, build the default tree and name its nodes the default way (``tree``) and with each child's name
    and one document (``tree-cover``); NMI against the gold sections beside the topics of r1–r5. Kept in
    bench/judged/ROUND/build/CORPUS.json.
``packets``
    15 topics per corpus (the seeded sample of r1–r4) with their label, the earlier round's label and keyword
    label, and up to ``NODES`` nodes of two children or more with each naming's name and their keywords, in one
    shuffled packet; documents drawn at random, never ones a labeler was shown. The judges get the instruction of
    bench/judged/JUDGING.md, word for word.
``score``
    Coherent share (by documents) of the judged topics, acceptance of each name, agreement of the judges;
    bench/results/defaults_judged.json. ``--table`` prints the README's table from it.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import judged_scores as judged  # noqa: E402
from bench_mixed import names_scored, percent, trees  # noqa: E402
from judged_scores import JUDGED, LANGUAGE_NAMES, LLM  # noqa: E402

CORPORA = ("debian", "python-stdlib", "debian-reference-zh", "debian-reference-de")
ROUND = "r11"
EARLIER = "r8"  # the round whose labels of the same topics are shown beside the default's
NODES = 10  # tree nodes judged per corpus, at most
NAMINGS = ("tree", "tree-cover", "tree-keywords")
RESULTS = HERE / "results" / "defaults_judged.json"


def build(corpus: str, threads: int) -> Path:
    """See the module docstring; returns the build file."""
    from bench_labels import fixed_topics
    from label_corpora import WORK

    from topiclens import LLMLabeler, TopicModel
    from topiclens.evaluate import agreement
    from topiclens.labeling.clean import keyword_label

    records, _, directory = fixed_topics(corpus, threads, "split")
    _, _, before = fixed_topics(corpus, threads)
    gold = [r["label"] for r in records]
    labeler = LLMLabeler(LLM)
    model = TopicModel.load(directory, cache=str(WORK / "judged-cache" / corpus), threads=threads, verbose=False)
    stats = model.label_topics(labeler, inplace=True).label_stats_
    evidence = model.label_evidence_ or [[] for _ in model.topic_ids_]
    tightness = model.topic_tightness()
    out = {"corpus": corpus, "llm": LLM, "label_stats": stats,
           "nmi": {"r1-r5 topics": round(agreement(gold, TopicModel.load(before, verbose=False).topics_)["nmi"], 4),
                   "default": round(agreement(gold, model.topics_)["nmi"], 4)},
           "topics": {str(t): {"size": model.topic_sizes_[at], "label": model.labels_[at],
                               "keywords": keyword_label(model.keywords_[at]), "seen": [int(r) for r in evidence[at]],
                               "tightness": round(tightness[t], 4)}
                      for at, t in enumerate(model.topic_ids_)},
           "tree": trees(model, labeler, NAMINGS)}
    path = judged.write_build(ROUND, corpus, out)
    print(f"{corpus}: {len(model.topic_ids_)} topics; NMI {out['nmi']}", flush=True)
    return path


def packets(corpus: str) -> None:
    """The packet of ``corpus`` and, apart, its key (see the module docstring)."""
    from bench_labels import fixed_topics
    from label_corpora import load

    from topiclens import TopicModel

    data = judged.read_build(ROUND, corpus)
    records, _ = load(corpus)
    _, _, directory = fixed_topics(corpus, 1, "split")
    model = TopicModel.load(directory, threads=1, verbose=False)
    members = {t: [int(r) for r in np.flatnonzero(model.topics_ == t)] for t in model.topic_ids_}
    seen = {int(r) for t in data["topics"].values() for r in t["seen"]}
    seen |= {int(r) for rows in model.representative_docs_ for r in rows}
    earlier = judged.read_build(EARLIER, corpus)["topics"]
    if {t: v["size"] for t, v in earlier.items()} != {t: v["size"] for t, v in data["topics"].items()}:
        raise SystemExit(f"{corpus}: the topics of {EARLIER} are not these")
    seen |= {int(r) for t in earlier.values() for r in t["seen"]}
    rng = random.Random(f"{ROUND}/{corpus}")
    items = [{"kind": "topic", "id": topic, "size": data["topics"][topic]["size"], "rows": members[int(topic)],
              "names": {"topiclens": data["topics"][topic]["label"], f"topiclens-{EARLIER}": earlier[topic]["label"],
                        "keywords": data["topics"][topic]["keywords"]}}
             for topic in judged.sampled_topics({t: v["size"] for t, v in data["topics"].items()})]
    nodes = {naming: {n["id"]: n for n in found} for naming, found in data["tree"].items()}
    grouped = [n for n in nodes["tree"].values() if len(n["children"]) > 1]
    for node in sorted(rng.sample(grouped, min(NODES, len(grouped))), key=lambda n: n["id"]):
        items.append({"kind": "node", "id": node["id"], "size": sum(len(members[t]) for t in node["topics"]),
                      "rows": [r for t in node["topics"] for r in members[t]],
                      "names": {naming: nodes[naming][node["id"]]["name"] for naming in NAMINGS}})
    for item in items:
        item["rows"] = [r for r in item["rows"] if r not in seen]
    rng.shuffle(items)
    language = LANGUAGE_NAMES[json.loads((JUDGED / "labels" / f"{corpus}.json").read_text())["language"]]
    judged.write_packet(ROUND, corpus, language, items, records, rng)


def score(corpora: list[str]) -> dict:
    """Unblinded results of the round (see the module docstring), written to bench/results/defaults_judged.json."""
    results = {"round": ROUND, "llm": LLM, "corpora": {}}
    for corpus in corpora:
        data, key, verdicts = judged.round_files(ROUND, corpus)
        topics = [item for item in key["items"] if item["kind"] == "topic"]
        weight = sum(item["size"] for item in topics)
        coherent = sum(item["size"] * np.mean([v[item["item"]].get("coherent") == "yes" for v in verdicts.values()])
                       for item in topics) / weight
        agree = judged.judges_agree(key["items"], verdicts)
        results["corpora"][corpus] = {
            "topics": len(data["topics"]), "topics_judged": len(topics), "coherent": round(float(coherent), 3),
            "judges": len(verdicts), "agreement": agree["accept"], "coherent_agreement": agree["coherent"],
            "nmi": data["nmi"],
            "names": {kind: names_scored({"items": [i for i in key["items"] if i["kind"] == kind]}, verdicts)
                      for kind in ("topic", "node")}}
        print(corpus, json.dumps(results["corpora"][corpus], ensure_ascii=False))
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    return results


def table() -> str:
    """The README's table from bench/results/defaults_judged.json."""
    results = json.loads(RESULTS.read_text())["corpora"]
    lines = ["| corpus | topics (judged) | judged coherent (by documents) | NMI: topics of r1–r5 → default | label "
             f"accepted | {EARLIER}'s label accepted | keywords accepted | tree node names accepted: tree / "
             "tree-cover / keywords | agreement |",
             "|---|---|---|---|---|---|---|---|---|"]
    for corpus, r in results.items():
        topic, node = r["names"]["topic"], r["names"]["node"]
        lines.append(
            f"| {corpus} | {r['topics']} ({r['topics_judged']}) | {percent(r['coherent'])} | "
            f"{r['nmi']['r1-r5 topics']:.3f} → {r['nmi']['default']:.3f} | "
            f"**{percent(topic['topiclens']['accepted'])}** | "
            f"{percent(topic.get(f'topiclens-{EARLIER}', {}).get('accepted'))} | "
            f"{percent(topic['keywords']['accepted'])} | "
            + " / ".join(percent(node.get(n, {}).get("accepted")) for n in NAMINGS) +
            f" | {percent(r['agreement'])} |")
    return "\n".join(lines)


if __name__ == "__main__":
    judged.round_main(__doc__, CORPORA, build, packets, score, table)
