"""The judged label benchmark: labels and topics measured by blind judges, not by similarity scores.

For each corpus (bench/label_corpora.py) the topics are fitted once (bench/bench_labels.py's
``fixed_topics``) and held fixed; every system writes one label per topic with the same bundled GGUF:

- ``keywords``: the topic's keyword label (its four best readable c-TF-IDF words);
- ``recipe``: the seed article's recipe through BERTopic 0.17 (bench/label_recipe.py, its own prompt);
- ``topiclens``: topiclens's LLMLabeler with its defaults as they are when the labels are written;
- other ``topiclens`` variants (``VARIANTS``): the defaults with one or more knobs changed, to measure
  each suspect. A variant with ``keyword_margin`` is derived from the one without it (the same LLM
  answers, then the keyword label put in where it fits the topic better), so it costs no LLM call.

Steps (each writes files that are committed, so anyone can audit them):

``label``
    bench/judged/labels/<corpus>.json: every system's labels, the rows each labeler was shown, and the
    proxy score of every label (the variants of a corpus share an answer cache in bench/work/).
``time``
    Seconds per topic of some systems, each labeling every topic from an empty answer cache (wall time,
    model loading included), run alone on a quiet machine; the labels are checked to be those judged.
``packets --round R``
    For up to ``TOPICS`` topics per corpus (a seeded sample): ``DOCS`` random member documents that no
    labeler was shown, and the distinct labels shuffled under letters. bench/judged/R/packets/<corpus>.md
    goes to the judges; bench/judged/R/keys/<corpus>.json (which system wrote which letter) does not.
``score --round R``
    Reads bench/judged/R/verdicts/<judge>/<corpus>.json, unblinds them with the keys, and writes
    bench/results/labels_judged_R.json (with ``--final``, the round that chose the default, also
    bench/results/labels_judged.json): per corpus the share of topics judged coherent (weighted by
    documents), the judges' agreement, and per system the share of topics whose label was accepted
    and the share where it was ranked first (averaged over judges), its mean rank, and the proxy.

The proxy, re-runnable by anyone: how well a label tells its topic's documents from the three nearest
topics' documents (topiclens.labeling.confidence.separation) with Universal Sentence Encoder
multilingual. On English corpora the topic model (and topiclens's keyword check) uses MiniLM, so the
proxy's embedder is one the labeler does not use; on the other corpora both use the multilingual
encoder (no second one is bundled), which the results file says.

usage: python bench/bench_judged.py label [--corpus NAME ...] [--systems NAME ...] [--threads 2]
       python bench/bench_judged.py time --systems topiclens v0.2 recipe   (on a quiet machine)
       python bench/bench_judged.py packets --round r1
       python bench/bench_judged.py score --round r1   (r4: --final --same topiclens=diverse-40-nodis)
       python bench/bench_judged.py --table
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
JUDGED = HERE / "judged"
RESULTS = HERE / "results"
CORPORA = ("debian", "python-stdlib", "debian-reference-zh", "debian-reference-de")
TOPICS = 15  # judged per corpus, at most
DOCS = 8  # member documents a judge reads per topic
DOC_CHARS = 400  # of each, at most
LLM = "qwen2.5-coder-1.5b"
PROXY_EMBEDDER = "use-multilingual"
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "de": "German", "ja": "Japanese"}

# name -> LLMLabeler settings changed from the defaults; "plain" stands for the recipe's (and topiclens 0.2's) prompt.
VARIANTS: dict[str, dict] = {
    "topiclens": {},
    "parts-64": {"doc_tokens": 64, "keyword_margin": None},
    "parts-64+check0": {"doc_tokens": 64, "keyword_margin": 0.0},
    "parts-64+check10": {"doc_tokens": 64, "keyword_margin": 0.1},
    "parts-40": {"doc_tokens": 40, "keyword_margin": None},
    # the same knobs after the worked example came in the corpus language (German, French, Spanish, Russian,
    # Japanese); parts-40 on debian-reference-de was written with the English example (round r1)
    "parts-40-native": {"doc_tokens": 40, "keyword_margin": None},
    # one suspect at a time against parts-40: which documents, how much of each, the prompt, disambiguation
    "nearest-40": {"evidence": "nearest", "doc_tokens": 40, "keyword_margin": None},
    "parts-24": {"doc_tokens": 24, "keyword_margin": None},
    "parts-40-plain": {"doc_tokens": 40, "template": "plain", "keyword_margin": None},
    "parts-40-nodis": {"doc_tokens": 40, "keyword_margin": None, "disambiguate": None},
    "parts-8x24": {"n_docs": 8, "doc_tokens": 24, "keyword_margin": None},
    # round r3: the documents nearest the centre, as r2's judges preferred, with near-copies passed over or
    # without disambiguation
    "diverse-40": {"evidence": "diverse", "doc_tokens": 40, "keyword_margin": None},
    "nearest-40-nodis": {"evidence": "nearest", "doc_tokens": 40, "keyword_margin": None, "disambiguate": None},
    # round r4: r3's two best without disambiguation
    "diverse-40-nodis": {"evidence": "diverse", "doc_tokens": 40, "keyword_margin": None, "disambiguate": None},
    "parts-40+check0": {"doc_tokens": 40, "keyword_margin": 0.0},
    "parts-40+check5": {"doc_tokens": 40, "keyword_margin": 0.05},
    "parts-40+check10": {"doc_tokens": 40, "keyword_margin": 0.1},
}


# topiclens as released before this benchmark (its default labeler), run from a checkout of that commit.
SHIPPED = {"v0.2": "ee8d566"}
SHIPPED_SCRIPT = """
import json, sys, tempfile, time
from topiclens import LLMLabeler, TopicModel
with tempfile.TemporaryDirectory() as cache:
    model = TopicModel.load(sys.argv[1], cache=cache, threads=int(sys.argv[2]), verbose=False)
    clock = time.perf_counter()
    stats = model.label_topics(LLMLabeler(sys.argv[3]))
    seconds = time.perf_counter() - clock
print(json.dumps({"labels": {str(t): x for t, x in zip(model.topic_ids_, model.labels_)},
                  "seconds_per_topic": round(seconds / len(model.topic_ids_), 2), "stats": stats,
                  "seen": {str(t): r for t, r in zip(model.topic_ids_, model.label_evidence_ or [])}}))
"""


def shipped_run(directory: Path, commit: str, threads: int) -> dict:
    """The labels of topiclens at ``commit`` (a git worktree made in a temporary folder) for the fixed topics."""
    import subprocess

    with tempfile.TemporaryDirectory() as tree:
        subprocess.run(["git", "-C", str(HERE.parent), "worktree", "add", "--detach", tree, commit], check=True,
                       capture_output=True)
        try:
            done = subprocess.run([sys.executable, "-c", SHIPPED_SCRIPT, str(directory), str(threads), LLM],
                                  env={**os.environ, "PYTHONPATH": f"{tree}/src"}, check=True,
                                  capture_output=True, text=True)
        finally:
            subprocess.run(["git", "-C", str(HERE.parent), "worktree", "remove", "--force", tree], check=False,
                           capture_output=True)
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "settings": {"commit": commit}}


def resolved(settings: dict) -> dict:
    """A variant's LLMLabeler settings with every default filled in (what tells two variants' LLM calls apart)."""
    from topiclens import LLMLabeler

    return {**LLMLabeler(LLM).get_params(), **settings}


def base_of(system: str, done: dict) -> str | None:
    """A variant already run whose LLM calls ``system`` shares (it differs only by the keyword check, which
    ``system`` has and the other has not)."""
    mine = resolved(VARIANTS[system])
    if mine["keyword_margin"] is None:
        return None
    for name, settings in VARIANTS.items():
        theirs = resolved(settings)
        if name in done and theirs["keyword_margin"] is None and {**theirs, "keyword_margin": 0} == \
                {**mine, "keyword_margin": 0}:
            return name
    return None


def template_for(name: str, language: str) -> str | None:
    """The prompt a variant's ``template`` setting names ("plain": the recipe's), in the corpus language."""
    from label_recipe import RECIPE_TEMPLATE, RECIPE_TEMPLATE_ZH

    if name != "plain":
        raise ValueError(f"unknown template {name!r}")
    return RECIPE_TEMPLATE_ZH if language == "zh" else RECIPE_TEMPLATE


def llm_run(directory: Path, settings: dict, threads: int, language: str, cache: Path | None = None) -> dict:
    """Label the fixed topics with LLMLabeler(**settings); labels, seconds per topic, evidence. With ``cache`` (a
    folder shared by a corpus's variants: a variant asks only what another has not) the seconds are not a
    measure; without it every answer is asked afresh and they are."""
    from topiclens import LLMLabeler, TopicModel

    knobs = dict(settings)
    if "template" in knobs:
        knobs["template"] = template_for(knobs["template"], language)
    with tempfile.TemporaryDirectory() as fresh:
        model = TopicModel.load(directory, cache=str(cache or fresh), threads=threads, verbose=False)
        clock = time.perf_counter()
        stats = model.label_topics(LLMLabeler(LLM, **knobs))
        seconds = None if cache else time.perf_counter() - clock
    return {"labels": {str(t): label for t, label in zip(model.topic_ids_, model.labels_)},
            "seconds_per_topic": None if seconds is None else round(seconds / len(model.topic_ids_), 2),
            "stats": stats, "settings": settings,
            "confidence": {str(t): c for t, c in zip(model.topic_ids_, model.label_confidence_ or [])},
            "seen": {str(t): rows for t, rows in zip(model.topic_ids_, model.label_evidence_ or [])}}


def with_check(directory: Path, base: dict, margin: float, threads: int) -> dict:
    """The labels of ``base`` (a run without the keyword check) as the keyword check with ``margin`` leaves them."""
    from topiclens import TopicModel
    from topiclens.labeling.confidence import prefer_better_fit, rounded
    from topiclens.labeling.evidence import topic_evidence
    from topiclens.stages.protocols import TopicEvidence

    model = TopicModel.load(directory, threads=threads, verbose=False)
    ids = list(model.topic_ids_)
    evidence = topic_evidence(model.corpus_.texts, [[] for _ in ids], model.keywords_, topic_ids=ids)
    topics = [TopicEvidence([], e.keywords, e.fallback, [], e.topic) for e in evidence]
    labels, replaced = prefer_better_fit(topics, [base["labels"][str(t)] for t in ids], model._label_fit(), margin)
    scores = rounded(model._label_fit()(ids, labels))
    return {**base, "labels": {str(t): label for t, label in zip(ids, labels)},
            "stats": {**base["stats"], "keyword_labels": replaced},
            "confidence": {str(t): s for t, s in zip(ids, scores)}}


def proxy_scores(directory: Path, labels: dict[str, str], threads: int) -> dict[str, float]:
    """Each label's separation of its topic from the three nearest, with the proxy's embedder."""
    from label_corpora import WORK

    from topiclens import TopicModel
    from topiclens.embedders.registry import make_embedder
    from topiclens.knn import normalize
    from topiclens.labeling.confidence import LabelFit, rounded

    model = TopicModel.load(directory, threads=threads, verbose=False)
    name = directory.name.removeprefix("labels_").removesuffix(".model")
    path = WORK / f"labels_{name}.{PROXY_EMBEDDER}.npy"
    embedder = make_embedder(PROXY_EMBEDDER, threads=threads)

    def encode(items: list[str]) -> np.ndarray:
        return normalize(np.asarray(embedder.encode(list(items)), dtype=np.float32))

    if path.exists():
        vectors = np.load(path)
    else:
        texts = [model.corpus_.texts[i] for i in np.flatnonzero(model.usable_)]
        vectors = np.concatenate([encode(texts[i:i + 256]) for i in range(0, len(texts), 256)])
        np.save(path, vectors)
    usable = np.flatnonzero(model.usable_)
    topics = model.topics_[usable]
    centroids = normalize(np.stack([vectors[topics == t].mean(axis=0) for t in model.topic_ids_]))
    fit = LabelFit(vectors, topics, model.topic_ids_, centroids, encode)
    ids = [int(t) for t in labels]
    return {str(t): s for t, s in zip(ids, rounded(fit(ids, [labels[str(t)] for t in ids])))}


def recipe_run(model, language: str, threads: int) -> dict:
    """The recipe's labels through BERTopic, with the rows of the documents its prompts showed."""
    from label_recipe import recipe_labels

    from topiclens.llm.bundled import assemble

    usable = np.flatnonzero(model.usable_)
    docs = [model.corpus_.texts[i] for i in usable]
    topics = model.topics_[usable]
    result = recipe_labels(docs, topics.tolist(), model.embeddings_, assemble(LLM), threads=threads,
                           cjk=language == "zh")
    seen = {}
    for topic, prompt in result.prompts.items():
        flat = " ".join(prompt.split())
        members = usable[topics == topic]
        seen[str(topic)] = [int(i) for i in members if " ".join(model.corpus_.texts[i].split())[:80] in flat]
    return {"labels": {str(t): result.labels[t] for t in sorted(result.labels)},
            "seconds_per_topic": round(result.seconds_per_topic, 2), "documents": result.doc_cut, "seen": seen}


def label(corpus: str, systems: list[str], threads: int) -> Path:
    """Every system's labels for ``corpus``, kept in bench/judged/labels/<corpus>.json (earlier ones kept)."""
    from bench_labels import corpus_language, fixed_topics
    from label_corpora import WORK

    from topiclens import TopicModel

    language = corpus_language(corpus)
    records, _, directory = fixed_topics(corpus, threads)
    path = JUDGED / "labels" / f"{corpus}.json"
    out = json.loads(path.read_text()) if path.exists() else {"corpus": corpus, "language": language, "systems": {}}
    model = TopicModel.load(directory, threads=threads, verbose=False)
    out.update(topics={str(t): model.topic_sizes_[i] for i, t in enumerate(model.topic_ids_)},
               documents=len(records), embedding_model=str(model.embedding_model_), llm=LLM, threads=threads)
    for system in systems:
        if system == "keywords":
            result = {"labels": {str(t): lab for t, lab in zip(model.topic_ids_, model.labels_)},
                      "seconds_per_topic": 0.0, "seen": {}}
        elif system == "recipe":
            result = recipe_run(model, language, threads)
        elif system in SHIPPED:
            result = shipped_run(directory, SHIPPED[system], threads)
        else:
            settings = VARIANTS[system]
            base_name = base_of(system, out["systems"])
            if base_name is not None:
                result = with_check(directory, out["systems"][base_name], resolved(settings)["keyword_margin"],
                                    threads)
                result.update(settings=settings, derived_from=base_name)
            else:
                result = llm_run(directory, settings, threads, language, WORK / "judged-cache" / corpus)
        result["proxy"] = proxy_scores(directory, result["labels"], threads)
        out["systems"][system] = result
        seconds = result["seconds_per_topic"]
        print(f"{corpus:22s} {system:18s} {'—' if seconds is None else seconds:>5} s/topic  proxy "
              f"{np.nanmean(list(result['proxy'].values())):.3f}", flush=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    return path


def time_systems(corpus: str, systems: list[str], threads: int) -> None:
    """Seconds per topic of ``systems`` on ``corpus``, each from an empty answer cache, on what should be a quiet
    machine; kept in the labels file (``seconds_per_topic``, ``timed``) beside the labels, which are checked to be
    the ones judged."""
    from bench_labels import corpus_language, fixed_topics

    from topiclens import TopicModel

    language = corpus_language(corpus)
    _, _, directory = fixed_topics(corpus, threads)
    path = JUDGED / "labels" / f"{corpus}.json"
    out = json.loads(path.read_text())
    for system in systems:
        if system == "recipe":
            again = recipe_run(TopicModel.load(directory, threads=threads, verbose=False), language, threads)
        elif system in SHIPPED:
            again = shipped_run(directory, SHIPPED[system], threads)
        else:
            again = llm_run(directory, VARIANTS[system], threads, language)
        kept = out["systems"][system]
        same = sum(again["labels"][t] == kept["labels"][t] for t in kept["labels"])
        kept.update(seconds_per_topic=again["seconds_per_topic"], timed=time.strftime("%Y-%m-%d"),
                    timed_labels_same=f"{same} of {len(kept['labels'])}")
        print(f"{corpus:22s} {system:18s} {again['seconds_per_topic']:5.2f} s/topic (labels as judged: {same} of "
              f"{len(kept['labels'])})", flush=True)
        path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")


def sampled_topics(sizes: dict[str, int], n: int = TOPICS, seed: int = 0) -> list[str]:
    """At most ``n`` topic ids of a corpus, a seeded sample, in id order."""
    ids = sorted(sizes, key=int)
    return sorted(random.Random(seed).sample(ids, min(n, len(ids))), key=int)


def packets(round_name: str, corpora: list[str], systems: list[str]) -> None:
    """The judges' packets and the keys for ``systems`` on each corpus (see the module docstring)."""
    from bench_labels import fixed_topics
    from label_corpora import load

    from topiclens import TopicModel

    base = JUDGED / round_name
    for corpus in corpora:
        data = json.loads((JUDGED / "labels" / f"{corpus}.json").read_text())
        records, _ = load(corpus)
        _, _, directory = fixed_topics(corpus, 1)
        model = TopicModel.load(directory, threads=1, verbose=False)
        language = LANGUAGE_NAMES[data["language"]]
        seen = {int(r) for s in data["systems"].values() for rows in s.get("seen", {}).values() for r in rows}
        seen |= {int(r) for rows in model.representative_docs_ for r in rows}
        rng = random.Random(f"{round_name}/{corpus}")
        items, keys = [], []
        lines = [f"# Packet {round_name}/{corpus}", "",
                 f"{len(sampled_topics(data['topics']))} topics. The reports these names are for are written in "
                 f"{language}.", ""]
        for number, topic in enumerate(sampled_topics(data["topics"]), start=1):
            members = [int(i) for i in np.flatnonzero(model.topics_ == int(topic)) if int(i) not in seen]
            shown = sorted(rng.sample(members, min(DOCS, len(members))))
            by_label: dict[str, list[str]] = {}
            for system in systems:
                text = data["systems"][system]["labels"][topic]
                match = next((k for k in by_label if k.casefold() == text.casefold()), text)
                by_label.setdefault(match, []).append(system)
            options = list(by_label)
            rng.shuffle(options)
            letters = [chr(ord("A") + i) for i in range(len(options))]
            items.append({"item": number, "documents": [records[i]["text"][:DOC_CHARS] for i in shown],
                          "labels": dict(zip(letters, options))})
            keys.append({"item": number, "topic": int(topic), "size": data["topics"][topic], "rows": shown,
                         "letters": {letter: by_label[option] for letter, option in zip(letters, options)}})
            lines += [f"## Item {number}", "", "Documents:", ""]
            lines += [f"{i}. {' '.join(records[r]['text'][:DOC_CHARS].split())}" for i, r in enumerate(shown, 1)]
            lines += ["", "Names:", ""] + [f"- {letter}: {option}" for letter, option in zip(letters, options)] + [""]
        (base / "packets").mkdir(parents=True, exist_ok=True)
        (base / "keys").mkdir(parents=True, exist_ok=True)
        (base / "packets" / f"{corpus}.md").write_text("\n".join(lines), encoding="utf-8")
        (base / "packets" / f"{corpus}.json").write_text(
            json.dumps({"corpus": corpus, "language": language, "items": items}, ensure_ascii=False, indent=1) + "\n")
        (base / "keys" / f"{corpus}.json").write_text(
            json.dumps({"corpus": corpus, "systems": systems, "items": keys}, ensure_ascii=False, indent=1) + "\n")
        print(f"{corpus}: {len(items)} items -> {base / 'packets' / (corpus + '.md')}")


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
        fit = TopicModel.load(directory, threads=2, verbose=False)._label_fit()
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
    calls_agree = calls = firsts_agree = firsts = 0
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
    for a_index, a in enumerate(judges):
        for b in judges[a_index + 1:]:
            for number, item in items.items():
                if number not in verdicts[a] or number not in verdicts[b]:
                    continue
                sets = [{x.upper() for x in verdicts[j][number].get("accept", [])} for j in (a, b)]
                for letter in item["letters"]:
                    calls += 1
                    calls_agree += (letter in sets[0]) == (letter in sets[1])
                tops = [(verdicts[j][number].get("ranking") or [""])[0].upper() for j in (a, b)]
                firsts += 1
                firsts_agree += tops[0] == tops[1]
    result = {"language": data["language"], "topics": len(items), "documents": data["documents"],
              "topics_in_model": len(data["topics"]), "coherent": round(coherent_weight / total, 3) if total else None,
              "coherent_or_partly": round((coherent_weight + partly_weight) / total, 3) if total else None,
              "judges": len(judges), "agreement": round(calls_agree / calls, 3) if calls else None,
              "first_choice_agreement": round(firsts_agree / firsts, 3) if firsts else None,
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
        (RESULTS / "labels_judged.json").write_text(text)
    return out


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", nargs="?", choices=("label", "time", "packets", "score"))
    parser.add_argument("--corpus", nargs="+", default=list(CORPORA))
    parser.add_argument("--systems", nargs="+", default=["keywords", "v0.2", "parts-40", "parts-40+check0",
                                                         "parts-40+check10", "topiclens", "recipe"])
    parser.add_argument("--round", default="r1")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--final", action="store_true",
                        help="score: this round chose the default; also write bench/results/labels_judged.json")
    parser.add_argument("--same", nargs="*", default=[], metavar="SYSTEM=JUDGED",
                        help="score: SYSTEM wrote the same labels as JUDGED (checked), e.g. topiclens=parts-40")
    args = parser.parse_args()
    if args.table or args.step is None:
        print(table())
    elif args.step == "label":
        for corpus in args.corpus:
            label(corpus, args.systems, args.threads)
    elif args.step == "time":
        for corpus in args.corpus:
            time_systems(corpus, args.systems, args.threads)
    elif args.step == "packets":
        packets(args.round, args.corpus, args.systems)
    else:
        same = dict(pair.split("=", 1) for pair in args.same)
        print(json.dumps(score(args.round, args.corpus, same, args.final), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
