"""Judged round r5: what to do with mixed topics (grab-bags), and names for the tree's nodes.

Steps (each corpus of bench/bench_judged.py, topics fixed as in rounds r1–r4):

``build``
    Every topic's tightness (topiclens.pipeline.coherence); the *mixed* ones (below MIXED_TIGHTNESS) split
    again (``split_topic``, Leiden on the members' own neighbour graph) with every part named by the default
    labeler; the name that says the topic is mixed (see ``mixed_label``); NMI against the gold sections as
    fitted, with the mixed topics split, and with them sent to the outliers; the tree built once and its
    nodes named by each naming in ``TREE_NAMINGS``. Kept in bench/judged/r5/build/CORPUS.json.
``packets``
    One packet per corpus: every mixed topic whole (its default label, the mixed name, its keywords), its
    largest parts (each part's label and keywords) and the tree's nodes of two or more children (each
    naming's name and the node's keywords), in a shuffled order, documents drawn at random as in r1–r4
    (never ones a labeler was shown). The judges get the very instruction of r1–r4 (bench/judged/JUDGING.md).
``score``
    Unblinds: coherent share (by documents) of the mixed topics whole and of their parts, and of each corpus
    under each handling (as fitted, split, shown as mixed, sent to outliers), with the r4 verdicts for the
    topics that are not mixed; acceptance of each name. Results in bench/results/mixed_judged.json.
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
from judged_scores import JUDGED, LANGUAGE_NAMES, LLM  # noqa: E402

CORPORA = ("debian", "python-stdlib", "debian-reference-zh", "debian-reference-de")
ROUND = "r5"
PARTS_SHOWN = 4  # the largest parts of a mixed topic go to the judges
TREE_NAMINGS = ("tree", "tree-cover", "tree-joined", "tree-keywords")
RESULTS = HERE / "results" / "mixed_judged.json"


def build(corpus: str, threads: int) -> Path:
    """See the module docstring; returns the build file."""
    from bench_labels import fixed_topics
    from label_corpora import WORK

    from topiclens import LLMLabeler, TopicModel
    from topiclens.evaluate import agreement
    from topiclens.labeling.clean import keyword_label
    from topiclens.pipeline.coherence import MIXED_TIGHTNESS

    records, _, directory = fixed_topics(corpus, threads)
    gold = [r["label"] for r in records]
    cache = WORK / "judged-cache" / corpus
    labeler = LLMLabeler(LLM)
    model = TopicModel.load(directory, cache=str(cache), threads=threads, verbose=False)
    model.label_topics(labeler, inplace=True)
    tightness = list(model.topic_tightness().values())  # in topic_ids_ order
    out = {"corpus": corpus, "llm": LLM, "threshold": MIXED_TIGHTNESS, "topics": {}, "splits": {}, "tree": {}}
    for at, topic in enumerate(model.topic_ids_):
        out["topics"][str(topic)] = {"size": model.topic_sizes_[at], "tightness": round(tightness[at], 4),
                                     "label": model.labels_[at], "keywords": keyword_label(model.keywords_[at]),
                                     "seen": [int(r) for r in (model.label_evidence_ or [[]] * len(tightness))[at]]}
    mixed = [t for t, x in zip(model.topic_ids_, tightness) if x < MIXED_TIGHTNESS]
    split_all, outliers = model, model.delete_topics(mixed, to_outliers=True, labeler=False) if mixed else model
    for topic in mixed:
        before = set(model.topic_ids_)
        one = model.split_topic(topic, labeler=labeler)
        parts = sorted((set(one.topic_ids_) - before) | {topic},
                       key=lambda t: -one.topic_sizes_[one.topic_ids_.index(t)])
        names, rows = [], []
        for part in parts:
            at = one.topic_ids_.index(part)
            names.append({"topic": part, "size": one.topic_sizes_[at], "label": one.labels_[at],
                          "keywords": keyword_label(one.keywords_[at]),
                          "seen": [int(r) for r in (one.label_evidence_ or [[]] * len(one.topic_ids_))[at]]})
            rows.append([int(r) for r in np.flatnonzero(one.topics_ == part)])
        out["splits"][str(topic)] = {"parts": names, "rows": rows,
                                     "mixed_label": mixed_label([p["label"] for p in names], model.language_)}
        split_all = split_all.split_topic(topic, labeler=False)
        print(f"{corpus}: topic {topic} ({tightness[model.topic_ids_.index(topic)]:.3f}) -> {len(parts)} parts",
              flush=True)
    out["nmi"] = {name: round(agreement(gold, m.topics_)["nmi"], 4)
                  for name, m in (("as fitted", model), ("split", split_all), ("outliers", outliers))}
    out["topics_after_split"] = len(split_all.topic_ids_)
    out["tree"] = trees(model, labeler)
    path = judged.write_build(ROUND, corpus, out)
    print(f"{corpus}: {len(mixed)} mixed of {len(model.topic_ids_)}; NMI {out['nmi']}", flush=True)
    return path


def trees(model, labeler, namings: tuple[str, ...] = TREE_NAMINGS) -> dict[str, list[dict]]:
    """The tree over the model's topics (built once), its nodes named by each of ``namings``."""
    import copy

    from topiclens.hierarchy.naming import name_tree
    from topiclens.hierarchy.tree import build_tree, check_levels, default_levels
    from topiclens.stages.protocols import LabelContext

    n_topics = len(model.topic_ids_)
    tree = build_tree(model.topic_ids_, model.centroids_, model.topic_sizes_,
                      check_levels(default_levels(n_topics), n_topics))
    context = LabelContext(language=model.language_, threads=model.threads, cache=model._label_cache(),
                           verbose=False, encode=model._label_encoder())
    named = {}
    for naming in namings:
        if naming == "tree-keywords":
            done, _ = name_tree(copy.deepcopy(tree), model.fitted_.state, None, context)
        elif naming == "tree-joined":
            done = copy.deepcopy(tree)
            names = dict(zip(model.topic_ids_, model.labels_))
            for level in reversed(done["levels"]):
                for node in level:
                    node["name"] = joined_name([names[c] for c in node["children"]])
                    names[node["id"]] = node["name"]
        else:
            done, _ = name_tree(copy.deepcopy(tree), model.fitted_.state, labeler, context,
                                naming="cover" if naming == "tree-cover" else "children")
        named[naming] = [{"id": n["id"], "children": n["children"], "topics": n["topics"], "name": n["name"]}
                         for level in done["levels"] for n in level]
    return named


MIXED_WORD = {"en": "Mixed", "zh": "混合", "de": "Gemischt"}


def mixed_label(part_labels: list[str], language: str) -> str:
    """The name that says a topic is mixed: ``"Mixed: A · B · C"`` from its three largest parts' labels, in the
    corpus language (judged in r5: accepted less often than the LLM's own label, so not in topiclens)."""
    named: list[str] = []
    for label in part_labels:
        text = " ".join(str(label).split())
        if text and text.casefold() not in {n.casefold() for n in named}:
            named.append(text)
    colon = "：" if language == "zh" else ": "
    return f"{MIXED_WORD[language]}{colon}{' · '.join(named[:3])}"


def joined_name(child_names: list[str], shown: int = 3) -> str:
    """A tree node named by its children's names joined (``"A · B · C …"``), without an LLM call (judged in r5:
    accepted for almost no node, so not in topiclens)."""
    distinct = list(dict.fromkeys(" ".join(str(n).split()) for n in child_names))
    return " · ".join(distinct[:shown]) + (" …" if len(distinct) > shown else "")


def judged_items(corpus: str) -> list[dict]:
    """What a judge reads of ``corpus`` (before documents are drawn): ``kind`` (whole, part, node), the topic or
    node, its rows, its size and its names by system."""
    from bench_labels import fixed_topics

    from topiclens import TopicModel

    data = judged.read_build(ROUND, corpus)
    _, _, directory = fixed_topics(corpus, 1)
    model = TopicModel.load(directory, threads=1, verbose=False)
    members = {t: [int(r) for r in np.flatnonzero(model.topics_ == t)] for t in model.topic_ids_}
    seen = {int(r) for t in data["topics"].values() for r in t["seen"]}
    seen |= {int(r) for rows in model.representative_docs_ for r in rows}
    items = []
    for topic, split in data["splits"].items():
        whole = data["topics"][topic]
        items.append({"kind": "whole", "id": topic, "size": whole["size"], "rows": members[int(topic)],
                      "names": {"topiclens": whole["label"], "mixed": split["mixed_label"],
                                "keywords": whole["keywords"]}})
        seen |= {int(r) for part in split["parts"] for r in part["seen"]}
        for part, rows in list(zip(split["parts"], split["rows"]))[:PARTS_SHOWN]:
            items.append({"kind": "part", "id": f"{topic}/{part['topic']}", "size": part["size"], "rows": rows,
                          "names": {"part": part["label"], "part-keywords": part["keywords"]}})
    nodes = {naming: {n["id"]: n for n in found} for naming, found in data["tree"].items()}
    for node_id, node in nodes["tree"].items():
        if len(node["children"]) < 2:
            continue
        rows = [r for t in node["topics"] for r in members[t]]
        items.append({"kind": "node", "id": node_id, "size": len(rows), "rows": rows,
                      "names": {naming: nodes[naming][node_id]["name"] for naming in TREE_NAMINGS}})
    for item in items:
        item["rows"] = [r for r in item["rows"] if r not in seen]
    return items


def packets(corpus: str) -> None:
    """The packet of ``corpus`` and, apart, its key (see the module docstring)."""
    from label_corpora import load

    records, _ = load(corpus)
    language = LANGUAGE_NAMES[json.loads((JUDGED / "labels" / f"{corpus}.json").read_text())["language"]]
    rng = random.Random(f"{ROUND}/{corpus}")
    items = judged_items(corpus)
    rng.shuffle(items)
    judged.write_packet(ROUND, corpus, language, items, records, rng)


def earlier_coherence(corpus: str) -> dict[int, float]:
    """Topic -> the share of "yes" (coherent) over every judge of rounds r1–r4 (the same topics each round)."""
    yes: dict[int, list[bool]] = {}
    for round_name in ("r1", "r2", "r3", "r4"):
        key = json.loads((JUDGED / round_name / "keys" / f"{corpus}.json").read_text())
        topic_of = {k["item"]: k["topic"] for k in key["items"]}
        for verdict in judged.read_verdicts(round_name, corpus).values():
            for number, answer in verdict.items():
                yes.setdefault(topic_of[number], []).append(answer.get("coherent") == "yes")
    return {t: float(np.mean(v)) for t, v in yes.items()}


def names_scored(key: dict, verdicts: dict) -> dict[str, dict[str, float]]:
    """System -> accepted, first (shares over its items and judges), with ``tree-guarded`` derived: the tree's
    name, or the joined name where the tree's name is one child's (decided from the build)."""
    scores: dict[str, dict[str, list[bool]]] = {}
    for verdict in verdicts.values():
        for item in key["items"]:
            answer = verdict[item["item"]]
            accept = {a.upper() for a in answer.get("accept", [])}
            first = (answer.get("ranking") or [""])[0].upper()
            for letter, systems in item["letters"].items():
                for system in systems:
                    entry = scores.setdefault(system, {"accepted": [], "first": []})
                    entry["accepted"].append(letter in accept)
                    entry["first"].append(letter == first)
                if item["kind"] == "node" and item.get("guarded") in systems:
                    entry = scores.setdefault("tree-guarded", {"accepted": [], "first": []})
                    entry["accepted"].append(letter in accept)
                    entry["first"].append(letter == first)
    return {s: {k: round(float(np.mean(v)), 3) for k, v in entry.items()} | {"judged": len(entry["accepted"])}
            for s, entry in scores.items()}


def score(corpora: list[str]) -> dict:
    """Unblinded results of round r5 (see the module docstring), written to bench/results/mixed_judged.json."""
    results = {"round": ROUND, "llm": LLM, "corpora": {}}
    for corpus in corpora:
        build_data, key, verdicts = judged.round_files(ROUND, corpus)
        children = {n["id"]: n["children"] for n in build_data["tree"]["tree"]}
        names = {n["id"]: n["name"] for n in build_data["tree"]["tree"]}
        topic_names = {int(t): v["label"] for t, v in build_data["topics"].items()}
        for item in key["items"]:
            if item["kind"] == "node":
                child_names = {str(topic_names.get(c, next((n["name"] for n in build_data["tree"]["tree"]
                                                            if n["id"] == c), ""))).casefold()
                               for c in children[item["id"]]}
                item["guarded"] = "tree-joined" if names[item["id"]].casefold() in child_names else "tree"
        coherent = {}
        for item in key["items"]:
            coherent[(item["kind"], item["id"])] = float(np.mean([v[item["item"]].get("coherent") == "yes"
                                                                 for v in verdicts.values()]))
        sizes = {int(t): v["size"] for t, v in build_data["topics"].items()}
        mixed = [int(t) for t in build_data["splits"]]
        earlier = earlier_coherence(corpus)
        rest = [t for t in earlier if t not in mixed]
        rest_rate = sum(sizes[t] * earlier[t] for t in rest) / max(sum(sizes[t] for t in rest), 1)
        clear_docs = sum(n for t, n in sizes.items() if t not in mixed)
        mixed_docs = sum(sizes[t] for t in mixed)
        whole_yes = sum(sizes[t] * coherent[("whole", str(t))] for t in mixed)
        parts_yes = 0.0
        for t in mixed:
            rated = [(k[1], rate) for k, rate in coherent.items() if k[0] == "part" and k[1].split("/")[0] == str(t)]
            part_size = {f"{t}/{p['topic']}": p["size"] for p in build_data["splits"][str(t)]["parts"]}
            weight = sum(part_size[i] for i, _ in rated)
            parts_yes += sizes[t] * sum(part_size[i] * r for i, r in rated) / max(weight, 1)
        agree = judged.judges_agree(key["items"], verdicts)
        total = clear_docs + mixed_docs
        results["corpora"][corpus] = {
            "topics": len(sizes), "mixed_topics": len(mixed), "mixed_share": round(mixed_docs / total, 3),
            "judges": len(verdicts), "agreement": agree["accept"], "coherent_agreement": agree["coherent"],
            "coherent": {"mixed topics whole": round(whole_yes / max(mixed_docs, 1), 3),
                         "their parts": round(parts_yes / max(mixed_docs, 1), 3),
                         "topics not mixed (r1-r4)": round(rest_rate, 3)},
            "handling": {"as fitted": {"coherent": round((clear_docs * rest_rate + whole_yes) / total, 3),
                                       "coverage": 1.0, "nmi": build_data["nmi"]["as fitted"]},
                         "split": {"coherent": round((clear_docs * rest_rate + parts_yes) / total, 3),
                                   "coverage": 1.0, "nmi": build_data["nmi"]["split"],
                                   "topics": build_data["topics_after_split"]},
                         "outliers": {"coherent": round(rest_rate, 3), "coverage": round(clear_docs / total, 3),
                                      "nmi": build_data["nmi"]["outliers"]}},
            "names": {kind: names_scored({"items": [i for i in key["items"] if i["kind"] == kind]}, verdicts)
                      for kind in ("whole", "part", "node")}}
        print(corpus, json.dumps(results["corpora"][corpus], ensure_ascii=False))
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    return results


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def table() -> str:
    """The README's tables from bench/results/mixed_judged.json: the handlings, then the names."""
    results = json.loads(RESULTS.read_text())["corpora"]
    lines = ["| corpus | mixed topics (documents) | coherent: mixed whole → parts | corpus coherent: as fitted / "
             "split / to outliers (coverage) | NMI: as fitted / split / to outliers | topics: as fitted → split | "
             "agreement (accept / coherent) |", "|---|---|---|---|---|---|---|"]
    for corpus, r in results.items():
        h = r["handling"]
        lines.append(
            f"| {corpus} | {r['mixed_topics']} of {r['topics']} ({percent(r['mixed_share'])}) | "
            f"{percent(r['coherent']['mixed topics whole'])} → {percent(r['coherent']['their parts'])} | "
            f"{percent(h['as fitted']['coherent'])} / **{percent(h['split']['coherent'])}** / "
            f"{percent(h['outliers']['coherent'])} ({percent(h['outliers']['coverage'])}) | "
            f"{h['as fitted']['nmi']:.3f} / {h['split']['nmi']:.3f} / {h['outliers']['nmi']:.3f} | "
            f"{r['topics']} → {h['split']['topics']} | {percent(r['agreement'])} / "
            f"{percent(r['coherent_agreement'])} |")
    kinds = (("whole", ("topiclens", "mixed", "keywords")), ("part", ("part", "part-keywords")),
             ("node", ("tree", "tree-cover", "tree-guarded", "tree-joined", "tree-keywords")))
    lines += ["", "| names of | system | " + " | ".join(results) + " | mean |",
              "|---|---|" + "---|" * (len(results) + 1)]
    for kind, systems in kinds:
        for system in systems:
            shares = [r["names"][kind].get(system, {}).get("accepted") for r in results.values()]
            known = [x for x in shares if x is not None]
            lines.append(f"| {kind} | {system} | " + " | ".join(percent(x) for x in shares) +
                         f" | **{percent(sum(known) / len(known)) if known else '—'}** |")
    return "\n".join(lines)


if __name__ == "__main__":
    judged.round_main(__doc__, CORPORA, build, packets, score, table)
