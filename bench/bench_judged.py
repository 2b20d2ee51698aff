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
``packets --round R`` (this step and ``score`` live in bench/judged_scores.py)
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
       python bench/bench_judged.py score --round r1   (r9: --final --same topiclens=broad-12x16)
       python bench/bench_judged.py --table
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from judged_scores import JUDGED, LLM, PROXY_EMBEDDER, packets, score, table  # noqa: E402

CORPORA = ("debian", "python-stdlib", "debian-reference-zh", "debian-reference-de")

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
    # round r7: the prompt that asks for the kind or field all documents belong to, with a second worked example
    # whose documents are three different things of one kind (the default since r7, topiclens.llm.prompts),
    # with r4's evidence and with eight shorter documents (the default since r7). The variants above ran with
    # the defaults of their round: five documents unless they say otherwise, one worked example and "names what
    # most of these documents have in common" (commit ee4321d); run again, they would get r7's. "topiclens" of
    # r7's packets is r4's default, diverse-40-nodis.
    "broad-40": {"evidence": "diverse", "n_docs": 5, "doc_tokens": 40, "keyword_margin": None, "disambiguate": None},
    "broad-8x24": {"evidence": "diverse", "n_docs": 8, "doc_tokens": 24, "keyword_margin": None,
                   "disambiguate": None},
    # round r9: more and shorter documents (the default since r9); and, on the German corpus, the prompt itself in
    # German
    "broad-12x16": {"evidence": "diverse", "n_docs": 12, "doc_tokens": 16, "keyword_margin": None,
                    "disambiguate": None},
    "native-8x24": {"template": "native", "evidence": "diverse", "n_docs": 8, "doc_tokens": 24,
                    "keyword_margin": None, "disambiguate": None},
    # round r10: the same prompt with the request first (before the documents, so that llama.cpp keeps it from
    # the previous topic and reads only the documents and keywords anew), with r9's evidence and with
    # twelve 12-token documents: what it takes to label a topic in 3 s
    "lead-12x16": {"template": "lead", "evidence": "diverse", "n_docs": 12, "doc_tokens": 16,
                   "keyword_margin": None, "disambiguate": None},
    "lead-12x12": {"template": "lead", "evidence": "diverse", "n_docs": 12, "doc_tokens": 12,
                   "keyword_margin": None, "disambiguate": None},
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
    stats = model.label_topics(LLMLabeler(sys.argv[3]), inplace=True).label_stats_
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
    if system not in VARIANTS:  # the recipe, a shipped topiclens
        return None
    mine = resolved(VARIANTS[system])
    if mine["keyword_margin"] is None:
        return None
    for name, settings in VARIANTS.items():
        theirs = resolved(settings)
        if name in done and theirs["keyword_margin"] is None and {**theirs, "keyword_margin": 0} == \
                {**mine, "keyword_margin": 0}:
            return name
    return None


# The default prompt (topiclens.llm.prompts.TEMPLATE) written in the corpus language, for variant "native-8x24"
NATIVE_TEMPLATES = {
    "de": ("Diese Dokumente stammen aus verschiedenen Teilen eines Themas:\n[DOCUMENTS]\n"
           "Schlüsselwörter des ganzen Themas: [KEYWORDS].\n"
           "Schreibe eine kurze Bezeichnung (zwei bis sechs Wörter), die das ganze Thema benennt: die Art von Dingen "
           "oder das Gebiet, zu dem alle diese Dokumente gehören, so wie eine Überschrift in einem Bericht es "
           "nennen würde, nicht den Gegenstand von einem oder zwei von ihnen. Schreibe korrektes Deutsch mit "
           "gebräuchlichen Wörtern. Antworte nur mit der Bezeichnung, sonst nichts."),
}


# The default prompt with its request first, for the "lead" variants (English, and Chinese for Chinese)
LEAD_TEMPLATES = {
    "en": ("Write a short label (two to six words) that names the whole topic of the documents below: the kind of "
           "thing or the field that all of them belong to, as a heading in a report would name it, not the subject "
           "of one or two of them. Answer with the label only, nothing else.\n"
           "These documents come from different parts of one topic:\n[DOCUMENTS]\n"
           "Keywords of the whole topic: [KEYWORDS]."),
    "zh": ("请写一个简短的中文标签，像报告中的小标题那样，说出下面所有文档共同所属的类别或领域，"
           "而不是其中一两篇的内容。只回答标签本身，不要写其他内容。\n"
           "以下文档来自同一个主题的不同部分：\n[DOCUMENTS]\n"
           "整个主题的关键词：[KEYWORDS]。"),
}


def template_for(name: str, language: str) -> str | None:
    """The prompt a variant's ``template`` setting names ("plain": the recipe's; "native": the default's in the
    corpus language, where ``NATIVE_TEMPLATES`` has it; "lead": the default's with the request first), in
    the corpus language."""
    from label_recipe import RECIPE_TEMPLATE, RECIPE_TEMPLATE_ZH

    if name == "lead":
        return LEAD_TEMPLATES["zh" if language == "zh" else "en"]
    if name == "native":
        if language not in NATIVE_TEMPLATES:
            raise ValueError(f"no native template for {language!r}")
        return NATIVE_TEMPLATES[language]
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
        stats = model.label_topics(LLMLabeler(LLM, **knobs), inplace=True).label_stats_
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

    model = TopicModel.load(directory, threads=threads, verbose=False)
    ids = list(model.topic_ids_)
    topics = topic_evidence(model.corpus_.texts, [[] for _ in ids], model.keywords_, topic_ids=ids)
    fit = model.fitted_.label_fit()
    labels, replaced = prefer_better_fit(topics, [base["labels"][str(t)] for t in ids], fit, margin)
    scores = rounded(fit(ids, labels))
    return {**base, "labels": {str(t): label for t, label in zip(ids, labels)},
            "stats": {**base["stats"], "keyword_labels": replaced},
            "confidence": {str(t): s for t, s in zip(ids, scores)}}


def proxy_scores(directory: Path, labels: dict[str, str], threads: int) -> dict[str, float]:
    """Each label's separation of its topic from the three nearest, with the proxy's embedder."""
    from label_corpora import WORK

    from topiclens import TopicModel
    from topiclens.core.knn import normalize
    from topiclens.embedders.registry import make_embedder
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


def run_system(system: str, directory: Path, model, language: str, threads: int, cache: Path | None = None) -> dict:
    """One labeling system's run on the fixed topics: the recipe, a shipped topiclens, or a variant (``cache``:
    the answer cache the corpus's variants share; None: a fresh one, so the seconds are a measure)."""
    if system == "recipe":
        return recipe_run(model, language, threads)
    if system in SHIPPED:
        return shipped_run(directory, SHIPPED[system], threads)
    return llm_run(directory, VARIANTS[system], threads, language, cache)


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
        elif (base_name := base_of(system, out["systems"])) is not None:
            settings = VARIANTS[system]
            result = with_check(directory, out["systems"][base_name], resolved(settings)["keyword_margin"], threads)
            result.update(settings=settings, derived_from=base_name)
        else:
            result = run_system(system, directory, model, language, threads, WORK / "judged-cache" / corpus)
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
        again = run_system(system, directory, TopicModel.load(directory, threads=threads, verbose=False), language,
                           threads)
        kept = out["systems"][system]
        same = sum(again["labels"][t] == kept["labels"][t] for t in kept["labels"])
        kept.update(seconds_per_topic=again["seconds_per_topic"], timed=time.strftime("%Y-%m-%d"),
                    timed_labels_same=f"{same} of {len(kept['labels'])}")
        print(f"{corpus:22s} {system:18s} {again['seconds_per_topic']:5.2f} s/topic (labels as judged: {same} of "
              f"{len(kept['labels'])})", flush=True)
        path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")


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
