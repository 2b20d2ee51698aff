"""The command line's parser: every command, option and allowed value (from ``topiclens.core.choices``).

Only argparse and the declared choices are imported here, so ``topiclens --help`` answers at once.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..._version import __version__
from ...core.choices import (
    BUNDLED_LLMS,
    CHAT_FORMATS,
    CLUSTERINGS,
    COHERENCE_MEASURES,
    DECODE_ERRORS,
    DEFAULT_LLM,
    DISAMBIGUATE_DEFAULT,
    DISAMBIGUATE_SIMILARITY,
    EVIDENCE,
    KEYWORD_MARGIN,
    KEYWORD_SOURCES,
    KEYWORD_WEIGHTINGS,
    KNN_METHODS,
    LABEL_DOC_TOKENS,
    LABEL_DOCS,
    LABEL_EVIDENCE,
    LANGUAGES,
    LAYOUTS,
    LONG_DOCUMENTS,
    MEMBER_DEFAULT,
    MIXED_DEFAULT,
    MIXED_HANDLING,
    MODELS,
    REDUCTIONS,
)
from ...editing.table import EDITS, Argument
from ...llm.registry import spec_forms
from .breakdown import add_breakdown_commands
from .explain import add_parser as add_explain_command
from .serve import add_serve_command

EPILOG = """examples:
  topiclens fit data/debian_sample.jsonl.gz --out runs/debian
  topiclens label runs/debian --llm openai:mistralai/Mixtral-8x7B-Instruct-v0.1@https://api.together.xyz/v1 \\
      --api-key-env TOGETHER_API_KEY
  topiclens info runs/debian --json
  topiclens assign runs/debian new.jsonl --out assigned.csv
  topiclens report runs/debian --open
"""


def _topic_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of topic numbers (e.g. 0,3,7)") from None


def _number_or_none(text: str, what: str, low: float) -> float | None:
    """A number between ``low`` and 1, or 'none'; otherwise one line naming ``what`` was expected."""
    if text.strip().lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        value = low - 1.0
    if not low <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}: give a number between {low:g} and 1, or none")
    return value


def _margin(text: str) -> float | None:
    """--label-keyword-margin: a number between 0 and 1, or 'none'."""
    return _number_or_none(text, "a margin", 0.0)


def _cosine(text: str) -> float | None:
    """--member-threshold: a cosine between -1 and 1, or 'none'."""
    return _number_or_none(text, "a cosine", -1.0)


def _language(text: str) -> str:
    """An ISO 639 code py3langid knows, or auto; anything else is one short line, not 140 codes."""
    code = text.strip().lower()
    if code not in LANGUAGES:
        raise argparse.ArgumentTypeError(f"unknown language code {text!r}: give an ISO 639 code such as de, es, fr, "
                                         "ja, ko, ru or zh (any that py3langid detects), or auto")
    return code


def _corpus_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input")
    group.add_argument("--text-field", default="text", help="field/column holding the text (default: text)")
    group.add_argument("--id-field", default="id", help="field/column holding the id (default: id)")
    group.add_argument("--encoding", default="utf-8", help="file encoding (default: utf-8)")
    group.add_argument("--decode-errors", default="strict", choices=DECODE_ERRORS,
                       help="what to do with undecodable bytes (default: strict = stop with an error)")
    group.add_argument("--embeddings", help="precomputed embeddings (.npy), one row per document")


def _llm_options(parser: argparse.ArgumentParser, can_skip: bool) -> None:
    group = parser.add_argument_group("LLM labels")
    others = ", ".join(name for name in BUNDLED_LLMS if name != DEFAULT_LLM)
    group.add_argument("--llm", default=DEFAULT_LLM,
                       help=f"{DEFAULT_LLM} (bundled, the default), {others}, {spec_forms()}")
    if can_skip:
        group.add_argument("--no-llm", action="store_true", help="keyword labels only, no LLM")
    group.add_argument("--chat-format", choices=CHAT_FORMATS,
                       help="raw prompt format for local models (default: the model's own chat template)")
    group.add_argument("--api-key-env", help="environment variable holding the API key (openai: backends)")
    group.add_argument("--llm-concurrency", type=int, default=4, help="parallel requests to a server (default 4)")
    group.add_argument("--llm-timeout", type=float, default=120.0,
                       help="seconds a request may take in all (default 120)")
    group.add_argument("--label-language", default="auto", type=_language, metavar="CODE",
                       help="language of the labels, an ISO 639 code; auto follows the corpus (default)")
    group.add_argument("--label-max-words", type=int, default=8, help="longest label in words (default 8)")
    group.add_argument("--label-doc-tokens", type=int, default=LABEL_DOC_TOKENS,
                       help=f"tokens of each document shown to the LLM (default {LABEL_DOC_TOKENS})")
    group.add_argument("--label-template", type=Path,
                       help="a text file with your own prompt, using [DOCUMENTS] and [KEYWORDS]")
    group.add_argument("--label-docs", type=int, default=LABEL_DOCS,
                       help=f"documents shown to the LLM per topic (default {LABEL_DOCS})")
    group.add_argument("--label-evidence", default=LABEL_EVIDENCE, choices=EVIDENCE,
                       help="which documents: central ones with near-copies passed over (diverse), the nearest the "
                       f"topic's centre, or one from each part of the topic (default: {LABEL_EVIDENCE})")
    group.add_argument("--label-keyword-margin", type=_margin, default=KEYWORD_MARGIN, metavar="MARGIN",
                       help="the keyword label replaces the LLM's when it fits the topic better by this much "
                       "(0..1), or none to always keep the LLM's (the default: the judges preferred it)")
    group.add_argument("--label-keywords", default="ctfidf", choices=KEYWORD_SOURCES,
                       help="keywords shown: c-TF-IDF's, KeyBERT's or both (default: ctfidf)")
    group.add_argument("--label-similar", type=float, default=DISAMBIGUATE_DEFAULT, metavar="SIMILARITY",
                       help="labels at least this similar (0..1, cosine of their embeddings; "
                       f"{DISAMBIGUATE_SIMILARITY} was topiclens 0.2's default) are renamed together in one call per "
                       "group (default: off, the judges accepted as many labels or more without it)")
    group.add_argument("--no-disambiguate", action="store_true",
                       help="do not rename near-identical labels together (exact repeats are still re-asked)")
    group.add_argument("--describe", action="store_true",
                       help="also write one or two sentences per topic (one more LLM call per topic)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="topiclens", description="Topic modeling with readable labels, local by default.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"topiclens {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fit = commands.add_parser("fit", help="fit topics on a corpus and save the model",
                              description="Embed, cluster and describe a corpus; save the model to --out. "
                              "CORPUS is .txt (one document a line), .jsonl(.gz), .csv or .parquet.")
    fit.add_argument("corpus", type=Path, help="the corpus file")
    fit.add_argument("--out", type=Path,
                     help="model directory to write (a model there is replaced; other files are kept); needed "
                          "unless --dry-run")
    _corpus_options(fit)
    pipe = fit.add_argument_group("pipeline")
    pipe.add_argument("--model", default="embedding", choices=MODELS,
                      help="embedding: embed, reduce, cluster (default); lda (gensim) or nmf (scikit-learn) on "
                      "word counts, with --nr-topics topics (default 20)")
    pipe.add_argument("--embedding-model", default="auto",
                      help="auto (minilm-int8; learned from 100,000 English documents on; use-multilingual for "
                      "other languages), all-MiniLM-L6-v2 (fp32), minilm-int8 / minilm-onnx / minilm-static (faster "
                      "builds of it), learned (a table trained on the corpus to reproduce minilm-int8), "
                      "use-multilingual, or a local sentence-transformers directory")
    pipe.add_argument("--reduction", default="pca", choices=REDUCTIONS,
                      help="dimension reduction before clustering (default: pca)")
    pipe.add_argument("--n-components", type=int, help="dimensions kept by PCA (default 64) or UMAP (5)")
    pipe.add_argument("--umap-epochs", type=int, help="UMAP optimisation epochs (default: UMAP's own)")
    pipe.add_argument("--clustering", default="leiden", choices=CLUSTERINGS,
                      help="clustering algorithm (default: leiden on the kNN graph)")
    pipe.add_argument("--n-neighbors", type=int, default=15, help="neighbours in the kNN graph (default: 15)")
    pipe.add_argument("--knn", default="auto", choices=KNN_METHODS,
                      help="how neighbours are found: exact, or approximate (an HNSW graph, faiss); auto: approximate "
                      "when 50,000 or more documents are searched among 50,000 or more (default)")
    pipe.add_argument("--resolution", type=float, default=1.0,
                      help="Leiden resolution: higher gives more, smaller topics (default: 1.0)")
    pipe.add_argument("--leiden-iterations", type=int, default=-1, metavar="N",
                      help="Leiden passes: -1 until no document moves (default); 2 is faster with a slightly "
                           "different partition (see the README's fit table)")
    pipe.add_argument("--min-cluster-size", type=int,
                      help="smallest topic; smaller clusters become outliers (default: 0.2%% of the corpus, >= 10)")
    pipe.add_argument("--n-clusters", type=int, help="number of clusters for --clustering kmeans")
    pipe.add_argument("--nr-topics", type=int,
                      help="merge similar topics down to this number (lda/nmf: the number of topics)")
    pipe.add_argument("--layout", default="topics", choices=LAYOUTS,
                      help="2-D layout for the document map, computed at fit (default: topics; umap: UMAP)")
    pipe.add_argument("--reduce-outliers", action="store_true", help="move outliers to their nearest topic")
    pipe.add_argument("--outlier-threshold", type=float, default=0.0,
                      help="minimum cosine similarity for --reduce-outliers (default: 0)")
    pipe.add_argument("--member-threshold", type=_cosine, default=MEMBER_DEFAULT, metavar="COSINE",
                      help="send each document whose cosine to its topic's centre is below this to the outliers; "
                           f"'none' keeps every document in its cluster (default: {MEMBER_DEFAULT})")
    pipe.add_argument("--mixed-topics", default=MIXED_DEFAULT, choices=MIXED_HANDLING,
                      help="what to do with a mixed topic (documents that gather loosely, mostly grab-bags): keep "
                           f"it, split it into its parts, or send it to the outliers (default: {MIXED_DEFAULT})")
    pipe.add_argument("--long-documents", default="auto", choices=LONG_DOCUMENTS,
                      help="documents longer than the embedding model reads (256 word pieces, about 1,000 characters): "
                           "read them whole, passage by passage, cut them into passages that are each a unit of the "
                           "fit (split), or embed their beginning; auto reads them whole when at least 10%% of the "
                           "documents are that long (default: auto)")
    pipe.add_argument("--max-passages", type=int, metavar="N",
                      help="with --long-documents passages: read at most the first N passages of a long document, "
                           "to bound the embedding work (default: all)")
    words = fit.add_argument_group("keywords")
    words.add_argument("--lang", default="auto", type=_language, metavar="CODE",
                       help="corpus language, an ISO 639 code (de, ja, ru, zh, ...): its stop words, segmenter "
                       "(jieba for zh, Sudachi for ja, Kiwi for ko) or lemmas, embedder and label language; "
                       "auto detects it (default)")
    words.add_argument("--stop-words", default="english", help="'english', or 'none' to keep every word")
    words.add_argument("--ngram-range", type=int, nargs=2, default=[1, 1], metavar=("MIN", "MAX"),
                       help="word n-gram lengths (default: 1 1)")
    words.add_argument("--min-df", type=int, default=2, help="ignore words in fewer documents (default: 2)")
    words.add_argument("--keyword-weighting", default="docshare", choices=KEYWORD_WEIGHTINGS,
                       help="docshare: share of the topic's documents with the word x BM25 idf (default); "
                       "classic: BERTopic's c-TF-IDF")
    words.add_argument("--top-n-words", type=int, default=10, help="keywords per topic (default: 10)")
    _llm_options(fit, can_skip=True)
    run = fit.add_argument_group("run")
    run.add_argument("--seed", type=int, default=42, help="seed for every random step (default: 42)")
    run.add_argument("--threads", type=int, help="CPU threads (default: $TOPICLENS_THREADS or all cores)")
    run.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    run.add_argument("--dry-run", action="store_true",
                     help="fit nothing: print the texts each reading of long documents embeds, how many the cache "
                          "holds and the time the rest take on this machine (from a short timing probe)")
    big = fit.add_argument_group("big corpora")
    big.add_argument("--sample-size", type=int, default=100_000,
                     help="above this many documents, cluster a random sample and assign the rest "
                     "(default: 100000; 0 = never sample)")
    big.add_argument("--chunk-size", type=int, default=50_000, help="documents per chunk of work (default: 50000)")
    big.add_argument("--work-dir", type=Path,
                     help="where finished chunks are kept so an interrupted run resumes (default: the cache)")
    big.add_argument("--dask", metavar="SCHEDULER_ADDRESS",
                     help="run embedding, assignment and word counts on a Dask cluster (tcp://host:8786)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    run.add_argument("--json", action="store_true", help="print the topic table as JSON")
    run.add_argument("--rows", type=int, default=30, help="topics to print (default: 30; 0 = all)")

    info = commands.add_parser("info", help="print a saved model's topic table",
                               description="Print the topics of a saved model directory.")
    info.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    info.add_argument("--json", action="store_true", help="print JSON (topics and settings)")
    info.add_argument("--rows", type=int, default=30, help="topics to print (default: 30; 0 = all)")
    info.add_argument("--full", action="store_true", help="print every label whole (no cutting at 40 columns)")
    info.add_argument("--topic", type=int, metavar="N",
                      help="one topic in full: its labels, every kind of keyword and the documents behind it")
    info.add_argument("--threads", type=int, help="CPU threads")

    describe = commands.add_parser("describe", help="write one or two sentences per topic of a saved model",
                                   description="Ask an LLM what each topic's documents are about, from the "
                                   "documents and keywords its label was written from (cached like labels).")
    describe.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    _llm_options(describe, can_skip=False)
    describe.add_argument("--topics", type=_topic_list, metavar="N,N,...", help="describe only these topics")
    describe.add_argument("--max-calls", type=int, metavar="N", help="at most N LLM calls, largest topics first")
    describe.add_argument("--threads", type=int, help="CPU threads for a local model")
    describe.add_argument("--quiet", action="store_true", help="no progress bar")
    describe.add_argument("--json", action="store_true", help="print the call counts and descriptions as JSON")

    label = commands.add_parser("label", help="(re)label a saved model's topics with an LLM",
                                description="Ask an LLM for one label per topic of a saved model (answers "
                                "are cached: a repeated run makes no call) and save the labels into it.")
    label.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    _llm_options(label, can_skip=False)
    budget = label.add_argument_group("cost")
    budget.add_argument("--topics", type=_topic_list, metavar="N,N,...",
                        help="label only these topics (the others keep their labels)")
    budget.add_argument("--max-calls", type=int, metavar="N",
                        help="at most N LLM calls, largest topics first; the rest keep their labels")
    budget.add_argument("--dry-run", action="store_true",
                        help="make no LLM call: print the calls, cached answers, prompt tokens and an estimate of "
                        "the time (local models: from a short timing probe) or of the cost (--price-per-1k-tokens)")
    budget.add_argument("--price-per-1k-tokens", type=float, metavar="PRICE",
                        help="a remote API's price per 1,000 prompt tokens, for the --dry-run estimate")
    label.add_argument("--threads", type=int, help="CPU threads for a local model")
    label.add_argument("--quiet", action="store_true", help="no progress bar")
    label.add_argument("--json", action="store_true", help="print the call counts and labels as JSON")

    evaluate = commands.add_parser("evaluate", help="score a saved model: coherence, diversity, labels, NMI/ARI",
                                   description="NPMI and C_v of each topic's top-10 words (gensim, over the "
                                   "corpus tokenized as the model tokenized it), topic diversity, how well each "
                                   "label points at its own topic, and NMI/ARI against gold labels if given.")
    evaluate.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    evaluate.add_argument("--labels", metavar="FIELD", help="input field holding gold labels (e.g. label)")
    evaluate.add_argument("--measures", nargs="+", default=["c_npmi", "c_v"], choices=COHERENCE_MEASURES,
                          help="coherence measures (default: c_npmi c_v)")
    evaluate.add_argument("--threads", type=int, help="CPU threads")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")

    assign = commands.add_parser("assign", help="assign topics to new documents with a saved model",
                                 description="Give each document of CORPUS a topic of a saved model "
                                 "(nearest-neighbour vote over the model's documents).")
    assign.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    assign.add_argument("corpus", type=Path, help="the documents to assign")
    _corpus_options(assign)
    assign.add_argument("--out", type=Path,
                        help="write id, topic, probability, label to .csv, .tsv, .jsonl, .parquet or .xlsx "
                        "(CSV/XLSX cells that a spreadsheet would run as a formula are prefixed with ')")
    assign.add_argument("--min-probability", type=float, default=0.0, metavar="P",
                        help="documents whose topic gets less than P of their neighbours' vote become outliers "
                        "(default: 0, none)")
    assign.add_argument("--threads", type=int, help="CPU threads")
    assign.add_argument("--quiet", action="store_true", help="no progress bars")
    assign.add_argument("--json", action="store_true", help="print the assignments as JSON lines")

    report = commands.add_parser("report", help="write the HTML explorer of a saved model",
                                 description="Write one self-contained HTML file (data and scripts inline, "
                                 "works offline from file://): the document map, a sortable table of the "
                                 "topics, a page per topic with its documents, and a search over the documents.")
    report.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    report.add_argument("--out", type=Path, help="HTML file to write (default: MODEL/report.html)")
    report.add_argument("--max-chars", type=int, default=300,
                        help="characters of each document kept in the file, shown and searched (default: 300)")
    report.add_argument("--title", help="page title (default: from the corpus file name)")
    report.add_argument("--open", action="store_true", help="open the report in the web browser")
    report.add_argument("--threads", type=int, help="CPU threads")
    search = commands.add_parser("search", help="find the topics of a saved model nearest a query",
                                 description="Embed the query and rank the topics by similarity to their "
                                 "centroids and labels.")
    search.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    search.add_argument("query", help="a few words, e.g. \"database migrations\"")
    search.add_argument("--top", type=int, default=5, metavar="N", help="topics to list (default: 5)")
    search.add_argument("--json", action="store_true", help="print the topics and similarities as JSON")
    search.add_argument("--threads", type=int, help="CPU threads")
    tree = commands.add_parser("tree", help="the named topic tree of a saved model",
                               description="Print the tree over the topics, building and naming it first when "
                               "the model has none (or when --levels is given); the tree is saved into the model.")
    tree.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    tree.add_argument("--levels", type=_topic_list, metavar="N,N",
                      help="nodes per level above the topics, e.g. 8,30 (default: about the square root of the "
                      "topic count, and a second level from 40 topics)")
    _edit_options(tree)
    _guidance_options(fit)
    _edit_commands(commands)
    add_breakdown_commands(commands)
    add_explain_command(commands)
    _update_command(commands)
    add_serve_command(commands, _llm_options)
    return parser


def _edit_argument(command, argument: Argument) -> None:
    """``argument`` of an edit as the command line reads it: topics as positional lists, the rest as options."""
    option = "--" + argument.name.replace("_", "-")
    if argument.kind == "topic":
        command.add_argument(argument.name, type=int, help=argument.help)
    elif argument.kind == "topics":
        command.add_argument(argument.name, type=_topic_list, metavar="N[,N...]", help=argument.help)
    elif argument.kind == "groups":
        command.add_argument(argument.name, nargs="+", type=_topic_list, metavar="N,N[,...]", help=argument.help)
    elif argument.kind == "flag":
        command.add_argument(option, action="store_true", help=argument.help)
    elif argument.kind == "choice":
        command.add_argument(option, default=argument.default, choices=argument.choices, help=argument.help)
    else:
        number = int if argument.kind == "count" else float
        command.add_argument(option, type=number, metavar="N" if number is int else "X", help=argument.help)


def _edit_command(commands, name: str, help_text: str, description: str) -> argparse.ArgumentParser:
    edit = commands.add_parser(name, help=help_text, description=description + " The edit is saved into the "
                               "model directory at once; 'topiclens undo DIR' puts the previous model back.")
    edit.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    return edit


def _edit_options(edit: argparse.ArgumentParser) -> None:
    _llm_options(edit, can_skip=True)
    edit.add_argument("--threads", type=int, help="CPU threads")
    edit.add_argument("--quiet", action="store_true", help="no progress bars")
    edit.add_argument("--json", action="store_true", help="print what changed as JSON")


def _edit_commands(commands) -> None:
    for edit in EDITS.values():  # one command per edit of the table, its arguments as the table declares them
        command = _edit_command(commands, edit.name, edit.summary, edit.description)
        exclusive = command.add_mutually_exclusive_group(required=edit.one_required) if edit.exclusive else None
        for argument in edit.arguments:
            target = exclusive if argument.name in edit.exclusive else command
            _edit_argument(target, argument)
        _edit_options(command)
    rename = commands.add_parser("rename", help="give a topic of a saved model a label of your own",
                                 description="Give one topic a label you type (one line, at most 200 characters); "
                                 "saved as an edit of its own, so 'topiclens undo' puts the old label back.")
    rename.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    rename.add_argument("topic", type=int, help="the topic id ('topiclens info DIR' lists them)")
    rename.add_argument("label", help="the new label")
    rename.add_argument("--json", action="store_true", help="print the rename as JSON")
    history = commands.add_parser("history", help="list the edits of a saved model",
                                  description="List the edits made to a saved model since its fit, oldest first.")
    history.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    history.add_argument("--json", action="store_true", help="print the edit records as JSON")
    undo = commands.add_parser("undo", help="undo the last edit of a saved model",
                               description="Put back the model as it was before its last edit, file for file.")
    undo.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    undo.add_argument("--json", action="store_true", help="print the undone edit as JSON")
    redo = commands.add_parser("redo", help="redo the last undone edit of a saved model",
                               description="Put back the model the last undo took away (until the next edit).")
    redo.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    redo.add_argument("--json", action="store_true", help="print the redone edit as JSON")


def _update_command(commands) -> None:
    """The parser of update (a saved model grown with new documents)."""
    update = commands.add_parser(
        "update", help="add new documents to a saved model",
        description="New documents that fit an existing topic join it (their nearest documents' vote, as "
        "'assign' gives it); the others are clustered into new topics, which get new ids and an LLM label. "
        "Existing topics keep their ids and labels. Saved into the model directory at once; 'topiclens undo "
        "DIR' puts the previous model back.")
    update.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    update.add_argument("corpus", type=Path, help="the new documents (a file like fit's)")
    update.add_argument("--min-probability", type=float, default=0.5, metavar="P",
                        help="the vote share that makes a document join an existing topic (default: 0.5)")
    update.add_argument("--relabel-below", type=float, metavar="SHARE",
                        help="also relabel existing topics that kept less than this share of their keywords")
    _corpus_options(update)
    _llm_options(update, can_skip=True)
    update.add_argument("--threads", type=int, help="CPU threads")
    update.add_argument("--quiet", action="store_true", help="no progress bars")
    update.add_argument("--json", action="store_true", help="print what the update did as JSON")


def _guidance_options(fit: argparse.ArgumentParser) -> None:
    """``--seed-topic``, ``--zeroshot``, ``--zeroshot-min-similarity`` and ``--class-field`` on ``fit``."""
    guided = fit.add_argument_group("guided topics")
    guided.add_argument("--seed-topic", action="append", metavar="WORD,WORD,...", dest="seed_topics",
                        type=lambda text: [w.strip() for w in text.split(",") if w.strip()],
                        help="seed words of one topic, e.g. vaccine,dose,mrna (repeat for more seeds)")
    guided.add_argument("--zeroshot", action="append", metavar="NAME", dest="zeroshot_topics",
                        help="a topic name known in advance, e.g. Networking (repeat for more): close documents "
                        "go to it and it keeps the name as its label")
    guided.add_argument("--zeroshot-min-similarity", type=float, default=0.4, metavar="X",
                        help="cosine a document (or a cluster's centroid) needs to join a --zeroshot topic "
                        "(default: 0.4)")
    guided.add_argument("--class-field", metavar="FIELD",
                        help="a corpus field holding known classes (a supervised fit; documents where it is "
                        "empty are assigned or clustered)")
