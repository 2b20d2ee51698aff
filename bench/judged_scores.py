"""The judged label benchmark's packets for the judges and its unblinded scores (bench/bench_judged.py runs them).

``packets`` writes, per corpus, what a judge reads (random member documents no labeler was shown, the
distinct labels under letters) and, apart, the key; ``score`` reads the verdicts, unblinds them and writes
bench/results/labels_judged_ROUND.json; ``table`` prints the README's tables from the final round.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
JUDGED = HERE / "judged"
RESULTS = HERE / "results"
TOPICS = 15  # judged per corpus, at most
DOCS = 8  # member documents a judge reads per topic
DOC_CHARS = 400  # of each, at most
LLM = "qwen2.5-coder-1.5b"
PROXY_EMBEDDER = "use-multilingual"
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "de": "German", "ja": "Japanese"}


def sampled_topics(sizes: dict[str, int], n: int = TOPICS, seed: int = 0) -> list[str]:
    """At most ``n`` topic ids of a corpus, a seeded sample, in id order."""
    ids = sorted(sizes, key=int)
    return sorted(random.Random(seed).sample(ids, min(n, len(ids))), key=int)


def packets(round_name: str, corpora: list[str], systems: list[str]) -> None:
    """The judges' packets and the keys for ``systems`` on each corpus (see the module docstring)."""
    from bench_labels import fixed_topics
    from label_corpora import load

    from topiclens import TopicModel

    for corpus in corpora:
        data = json.loads((JUDGED / "labels" / f"{corpus}.json").read_text())
        records, _ = load(corpus)
        _, _, directory = fixed_topics(corpus, 1)
        model = TopicModel.load(directory, threads=1, verbose=False)
        seen = {int(r) for s in data["systems"].values() for rows in s.get("seen", {}).values() for r in rows}
        seen |= {int(r) for rows in model.representative_docs_ for r in rows}
        items = [{"topic": int(topic), "size": data["topics"][topic],
                  "rows": [int(i) for i in np.flatnonzero(model.topics_ == int(topic)) if int(i) not in seen],
                  "names": {system: data["systems"][system]["labels"][topic] for system in systems}}
                 for topic in sampled_topics(data["topics"])]
        write_packet(round_name, corpus, LANGUAGE_NAMES[data["language"]], items, records,
                     random.Random(f"{round_name}/{corpus}"), {"systems": systems})


def write_packet(round_name: str, corpus: str, language: str, items: list[dict], records: list[dict],
                 rng: random.Random, key_header: dict | None = None) -> None:
    """One corpus's packet (what a judge reads: ``DOCS`` documents drawn by ``rng`` from each item's ``rows``, its
    distinct ``names`` shuffled under letters) and, apart, its key (the item's other fields, the documents shown
    and which systems wrote each letter's name)."""
    shown_items, keys = [], []
    lines = [f"# Packet {round_name}/{corpus}", "",
             f"{len(items)} topics. The reports these names are for are written in {language}.", ""]
    for number, item in enumerate(items, start=1):
        shown = sorted(rng.sample(item["rows"], min(DOCS, len(item["rows"]))))
        by_label: dict[str, list[str]] = {}
        for system, text in item["names"].items():
            match = next((k for k in by_label if k.casefold() == text.casefold()), text)
            by_label.setdefault(match, []).append(system)
        options = list(by_label)
        rng.shuffle(options)
        letters = [chr(ord("A") + i) for i in range(len(options))]
        shown_items.append({"item": number, "documents": [records[i]["text"][:DOC_CHARS] for i in shown],
                            "labels": dict(zip(letters, options))})
        keys.append({"item": number, **{k: v for k, v in item.items() if k not in ("rows", "names")}, "rows": shown,
                     "letters": {letter: by_label[option] for letter, option in zip(letters, options)}})
        lines += [f"## Item {number}", "", "Documents:", ""]
        lines += [f"{i}. {' '.join(records[r]['text'][:DOC_CHARS].split())}" for i, r in enumerate(shown, 1)]
        lines += ["", "Names:", ""] + [f"- {letter}: {option}" for letter, option in zip(letters, options)] + [""]
    base = JUDGED / round_name
    (base / "packets").mkdir(parents=True, exist_ok=True)
    (base / "keys").mkdir(parents=True, exist_ok=True)
    (base / "packets" / f"{corpus}.md").write_text("\n".join(lines), encoding="utf-8")
    (base / "packets" / f"{corpus}.json").write_text(
        json.dumps({"corpus": corpus, "language": language, "items": shown_items}, ensure_ascii=False, indent=1) + "\n")
    (base / "keys" / f"{corpus}.json").write_text(
        json.dumps({"corpus": corpus, **(key_header or {}), "items": keys}, ensure_ascii=False, indent=1) + "\n")
    print(f"{corpus}: {len(items)} items -> {base / 'packets' / (corpus + '.md')}")


def judges_agree(items: list[dict], verdicts: dict[str, dict[int, dict]]) -> dict[str, float | None]:
    """How often two judges of the same items agree: on accepting or rejecting each letter (``accept``), on the
    name ranked first (``first``) and on ``coherent``, over every pair of judges and every item both judged."""
    from itertools import combinations

    accept, first, coherent = [], [], []
    for a, b in combinations(sorted(verdicts), 2):
        for item in items:
            if item["item"] not in verdicts[a] or item["item"] not in verdicts[b]:
                continue
            one, two = verdicts[a][item["item"]], verdicts[b][item["item"]]
            sets = [{x.upper() for x in answer.get("accept", [])} for answer in (one, two)]
            accept += [(letter in sets[0]) == (letter in sets[1]) for letter in item["letters"]]
            first.append((one.get("ranking") or [""])[0].upper() == (two.get("ranking") or [""])[0].upper())
            coherent.append(one.get("coherent") == two.get("coherent"))
    return {name: round(float(np.mean(values)), 3) if values else None
            for name, values in (("accept", accept), ("first", first), ("coherent", coherent))}


def round_main(doc: str, corpora: tuple[str, ...], build, packets_of, score_all, table_text) -> None:
    """The command line of a judged round's script: ``build``, ``packets``, ``score`` (each over ``--corpora``)
    or ``--table``; ``build(corpus, threads)``, ``packets_of(corpus)``, ``score_all(corpora)``, ``table_text()``."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("step", nargs="?", choices=("build", "packets", "score"))
    parser.add_argument("--corpora", default=",".join(corpora))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--table", action="store_true", help="print the README's tables from the results")
    args = parser.parse_args()
    chosen = args.corpora.split(",")
    if args.table:
        print(table_text())
    elif args.step == "build":
        for corpus in chosen:
            build(corpus, args.threads)
    elif args.step == "packets":
        for corpus in chosen:
            packets_of(corpus)
    elif args.step == "score":
        score_all(chosen)
    else:
        parser.error("name a step or --table")


def write_build(round_name: str, corpus: str, out: dict) -> Path:
    """A round's build file for ``corpus`` (what its script built before the packets), written; its path."""
    path = JUDGED / round_name / "build" / f"{corpus}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    return path


def read_build(round_name: str, corpus: str) -> dict:
    """A round's build file for ``corpus``."""
    return json.loads((JUDGED / round_name / "build" / f"{corpus}.json").read_text())


def seen_rows(model, evidence: list, at: int) -> list[int]:
    """The rows a labeler was shown of the topic at position ``at`` (its label evidence and representative
    documents): never shown to a judge."""
    return sorted({int(r) for r in evidence[at]} | set(model.representative_docs_[at]))


def round_files(round_name: str, corpus: str) -> tuple[dict, dict, dict[str, dict[int, dict]]]:
    """A round's build file (what its script built before the packets), key and verdicts for ``corpus``."""
    base = JUDGED / round_name
    return (read_build(round_name, corpus),
            json.loads((base / "keys" / f"{corpus}.json").read_text()), read_verdicts(round_name, corpus))


def read_verdicts(round_name: str, corpus: str) -> dict[str, dict[int, dict]]:
    """judge -> item -> verdict ({"coherent", "accept", "ranking"}) for ``corpus``."""
    found = {}
    for path in sorted((JUDGED / round_name / "verdicts").glob(f"*/{corpus}.json")):
        raw = json.loads(path.read_text())
        found[path.parent.name] = {int(k): v for k, v in raw["items"].items()}
    return found


def with_fit(corpus: str) -> dict:
    """The corpus's labels file, with every system's labels scored by topiclens's own label confidence (the
    model's embedder, three nearest topics) as ``fit`` where they were not yet; written back."""
    from bench_labels import fixed_topics

    from topiclens import TopicModel
    from topiclens.labeling.confidence import rounded

    path = JUDGED / "labels" / f"{corpus}.json"
    data = json.loads(path.read_text())
    missing = [s for s, result in data["systems"].items() if "fit" not in result]
    if missing:
        _, _, directory = fixed_topics(corpus, 1)
        fit = TopicModel.load(directory, threads=2, verbose=False).fitted_.label_fit()
        for system in missing:
            labels = data["systems"][system]["labels"]
            scores = rounded(fit([int(t) for t in labels], list(labels.values())))
            data["systems"][system]["fit"] = dict(zip(labels, scores))
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return data


def score_corpus(round_name: str, corpus: str, same: dict[str, str] | None = None) -> dict:
    """Unblinded scores of one corpus (see the module docstring). ``same`` maps a system that was not in the
    packets to one that was and wrote the very same labels (checked here): its scores are that one's."""
    key = json.loads((JUDGED / round_name / "keys" / f"{corpus}.json").read_text())
    data = with_fit(corpus)
    for system, judged in (same or {}).items():
        ours, theirs = data["systems"][system]["labels"], data["systems"][judged]["labels"]
        if ours != theirs:
            differ = [t for t in ours if ours[t] != theirs.get(t)]
            raise SystemExit(f"{corpus}: {system} and {judged} wrote different labels for topics {differ}")
        key["systems"] = [system, *key["systems"]]
        for item in key["items"]:
            item["letters"] = {letter: [*names, system] if judged in names else names
                               for letter, names in item["letters"].items()}
    verdicts = read_verdicts(round_name, corpus)
    systems = key["systems"]
    items = {k["item"]: k for k in key["items"]}
    per_system = {s: {"accepted": [], "first": [], "rank": []} for s in systems}
    coherent_weight = partly_weight = total = 0.0
    for verdict in verdicts.values():
        for number, item in items.items():
            answer = verdict[number]
            accept = {a.upper() for a in answer.get("accept", [])}
            ranking = [r.upper() for r in answer.get("ranking", [])]
            for letter, names in item["letters"].items():
                position = ranking.index(letter) + 1 if letter in ranking else len(item["letters"])
                for system in names:
                    per_system[system]["accepted"].append(letter in accept)
                    per_system[system]["first"].append(position == 1)
                    per_system[system]["rank"].append(position)
            weight = item["size"]
            total += weight
            coherent_weight += weight * (answer.get("coherent") == "yes")
            partly_weight += weight * (answer.get("coherent") == "partly")
    judges = sorted(verdicts)
    agree = judges_agree(list(items.values()), verdicts)
    result = {"language": data["language"], "topics": len(items), "documents": data["documents"],
              "topics_in_model": len(data["topics"]), "coherent": round(coherent_weight / total, 3) if total else None,
              "coherent_or_partly": round((coherent_weight + partly_weight) / total, 3) if total else None,
              "judges": len(judges), "agreement": agree["accept"], "first_choice_agreement": agree["first"],
              "embedding_model": data["embedding_model"], "proxy_embedder": PROXY_EMBEDDER, "systems": {}}
    for system in systems:
        scores = per_system[system]
        proxy = data["systems"][system]["proxy"]
        result["systems"][system] = {
            "accepted": round(float(np.mean(scores["accepted"])), 3),
            "first": round(float(np.mean(scores["first"])), 3),
            "mean_rank": round(float(np.mean(scores["rank"])), 2),
            "seconds_per_topic": data["systems"][system]["seconds_per_topic"],
            "proxy": round(float(np.nanmean([proxy[str(items[n]["topic"])] for n in items])), 3)}
    result["proxy_agreement"] = proxy_agreement(items, verdicts, data, systems)
    result["fit_separates_accepted"] = fit_separation(items, verdicts, data)
    return result


def fit_separation(items: dict, verdicts: dict, data: dict) -> float | None:
    """How well topiclens's label confidence tells the labels judges accept from those they reject, over every
    judged topic and label (the area under the ROC curve: 0.5 is chance); what listing the weakest labels
    first for review rests on."""
    accepted, rejected = [], []
    for verdict in verdicts.values():
        for number, item in items.items():
            accept = {a.upper() for a in verdict[number].get("accept", [])}
            for letter, names in item["letters"].items():
                value = data["systems"][names[0]]["fit"][str(item["topic"])]
                (accepted if letter in accept else rejected).append(value)
    if not accepted or not rejected:
        return None
    low = np.asarray(rejected)
    return round(float(np.mean([(a > low).mean() + 0.5 * (a == low).mean() for a in accepted])), 3)


def proxy_agreement(items: dict, verdicts: dict, data: dict, systems: list[str]) -> float | None:
    """How often the proxy orders two labels of a topic as a judge did: over every pair one judge accepted and
    rejected, the share where the accepted label has the higher proxy score."""
    agree = pairs = 0
    for verdict in verdicts.values():
        for number, item in items.items():
            accept = {a.upper() for a in verdict[number].get("accept", [])}
            score = {letter: data["systems"][names[0]]["proxy"][str(item["topic"])]
                     for letter, names in item["letters"].items()}
            for yes in (x for x in item["letters"] if x in accept):
                for no in (x for x in item["letters"] if x not in accept):
                    pairs += 1
                    agree += score[yes] > score[no]
    return round(agree / pairs, 3) if pairs else None


def score(round_name: str, corpora: list[str], same: dict[str, str] | None = None, final: bool = False) -> dict:
    """Every corpus of a round scored, into bench/results/labels_judged_ROUND.json (and, for the round that
    chose the default, ``final``, into bench/results/labels_judged.json)."""
    out = {"round": round_name, "llm": LLM, "same_labels": same or {}, "corpora": {}}
    for corpus in corpora:
        if (JUDGED / round_name / "keys" / f"{corpus}.json").exists():
            out["corpora"][corpus] = score_corpus(round_name, corpus, same)
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(out, ensure_ascii=False, indent=1) + "\n"
    (RESULTS / f"labels_judged_{round_name}.json").write_text(text)
    if final:
        (RESULTS / "labels_judged.json").write_text(json.dumps(with_default_topics(out), ensure_ascii=False,
                                                               indent=1) + "\n")
    return out


def with_default_topics(out: dict) -> dict:
    """``out`` with, per corpus, what the last round of bench/bench_defaults.py judged of the default's own topics
    (mixed topics split, the default since r5) as ``default_topics``: ``round``, ``topics``, ``coherent``,
    ``accepted`` and ``first`` (the default label) and ``judges``; the scores beside it are of the fixed topics of
    rounds r1–r4 and r7."""
    path = RESULTS / "defaults_judged.json"
    if not path.exists():
        return out
    found = json.loads(path.read_text())
    judged = found["corpora"]
    corpora = {corpus: {**result, "default_topics": {
        "round": found["round"], "topics": judged[corpus]["topics"], "coherent": judged[corpus]["coherent"],
        "accepted": judged[corpus]["names"]["topic"]["topiclens"]["accepted"],
        "first": judged[corpus]["names"]["topic"]["topiclens"]["first"], "judges": judged[corpus]["judges"]}}
        if corpus in judged else result for corpus, result in out["corpora"].items()}
    return {**out, "corpora": corpora}


def seconds_range(seconds: list[float]) -> str:
    """Seconds per topic over the corpora as a table shows them: the range, 0 for free, — when not timed."""
    if not seconds:
        return "—"
    if max(seconds) == 0:
        return "0"
    low, high = min(seconds), max(seconds)
    return f"{low:.1f}" if low == high else f"{low:.1f}–{high:.1f}"


def table() -> str:
    """The README tables from bench/results/labels_judged.json: the corpora, then each system per corpus and its
    mean over the corpora."""
    data = json.loads((RESULTS / "labels_judged.json").read_text())
    corpora = data["corpora"]
    lines = ["| corpus | language | documents | topics judged | judged coherent (by documents) | judges | agreement "
             "(accept/reject) | proxy agrees | fit separates |", "|---|---|---|---|---|---|---|---|---|"]
    for corpus, result in corpora.items():
        lines.append(f"| {corpus} | {result['language']} | {result['documents']:,} | {result['topics']} of "
                     f"{result['topics_in_model']} | {result['coherent']:.0%} | {result['judges']} | "
                     f"{result['agreement']:.0%} | {result['proxy_agreement']:.2f} | "
                     f"{result['fit_separates_accepted']:.2f} |")
    systems = list(next(iter(corpora.values()))["systems"])
    lines += ["", "| system | " + " | ".join(corpora) + " | mean | ranked first (mean) | s/topic |",
              "|---|" + "---|" * (len(corpora) + 3)]
    for system in systems:
        values = [corpora[c]["systems"][system] for c in corpora]
        seconds = [v["seconds_per_topic"] for v in values if v["seconds_per_topic"] is not None]
        lines.append(f"| {system} | " + " | ".join(f"{v['accepted']:.0%}" for v in values) +
                     f" | **{np.mean([v['accepted'] for v in values]):.0%}** | "
                     f"{np.mean([v['first'] for v in values]):.0%} | "
                     f"{seconds_range(seconds)} |")
    return "\n".join(lines)
