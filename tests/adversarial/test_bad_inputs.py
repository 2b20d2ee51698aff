"""Bad corpora, bad embeddings, bad parameters, bad paths: one line, exit code 2, nothing lost.

Each case builds its input in a temporary directory, runs the real command line in its own
process, and checks that it fails with one line naming the problem (no traceback), and that the
files it was given are still there.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .conftest import assert_one_line_error, run_cli


def _jsonl(tmp: Path, lines: list[str], name: str = "docs.jsonl") -> Path:
    path = tmp / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _fit(corpus, tmp: Path, *extra) -> list:
    return ["fit", corpus, "--out", tmp / "out", "--no-llm", "--quiet", "--threads", "1", "--layout", "none", *extra]


def _with_embeddings(small: Path, tmp: Path, *extra) -> list:
    return _fit(small / "docs.jsonl", tmp, "--embeddings", small / "emb.npy", *extra)


def _npy(tmp: Path, array, name: str = "bad.npy", **kwargs) -> Path:
    path = tmp / name
    np.save(path, array, **kwargs)
    return path


CORPORA = {
    "missing file": (lambda tmp, small: _fit(tmp / "nope.jsonl", tmp), "corpus file not found"),
    "a directory": (lambda tmp, small: _fit(tmp, tmp), "is a directory: give a corpus file"),
    "unknown format": (lambda tmp, small: _fit(_jsonl(tmp, ["x"], "docs.docx"), tmp), "unknown corpus format"),
    "invalid JSON line": (lambda tmp, small: _fit(_jsonl(tmp, ['{"text": "a"}', "{nope"]), tmp),
                          "line 2: not valid JSON"),
    "no text field": (lambda tmp, small: _fit(_jsonl(tmp, ['{"body": "a"}']), tmp), "no 'text' field"),
    "text is a number list": (lambda tmp, small: _fit(_jsonl(tmp, ['{"text": [1, 2]}']), tmp), "is list, not a string"),
    "not UTF-8": (lambda tmp, small: _fit(_bytes(tmp, b'{"text": "caf\xe9"}\n'), tmp), "not valid utf-8"),
    "truncated gzip": (lambda tmp, small: _fit(_truncated_gzip(tmp), tmp), "not a valid gzip file"),
    "empty corpus": (lambda tmp, small: _fit(_jsonl(tmp, []), tmp), "is empty"),
    "only whitespace": (lambda tmp, small: _fit(_jsonl(tmp, ['{"text": "  "}'] * 30), tmp),
                        "only 0 non-empty document(s)"),
    "parquet that is not parquet": (lambda tmp, small: _fit(_bytes(tmp, b"PAR1 not really", "docs.parquet"), tmp),
                                    "is not a readable Parquet file"),
    "parquet text of lists": (lambda tmp, small: _fit(_parquet(tmp, [["a", "b"], ["c"]]), tmp), "holds a list"),
    "CSV with broken quoting": (lambda tmp, small: _fit(_bytes(tmp, b'text,id\n"a,1\nb,2,3,4\n', "docs.csv"), tmp),
                                "not a well-formed CSV"),
}

EMBEDDINGS = {
    "wrong count": (lambda tmp, small: _fit(small / "docs.jsonl", tmp, "--embeddings", _npy(tmp, np.ones((3, 8)))),
                    "3 embeddings for 200 documents"),
    "not .npy": (lambda tmp, small: _fit(small / "docs.jsonl", tmp, "--embeddings", _bytes(tmp, b"1,2", "e.csv")),
                 "must be a .npy file"),
    ".npy that is text": (lambda tmp, small: _fit(small / "docs.jsonl", tmp, "--embeddings",
                                                  _bytes(tmp, b"just some text", "e.npy")),
                          "is not a numeric .npy array"),
    ".npy of objects": (lambda tmp, small: _fit(small / "docs.jsonl", tmp, "--embeddings",
                                                _npy(tmp, np.array([{"a": 1}] * 200), allow_pickle=True)),
                        "is not a numeric .npy array"),
    ".npy of strings": (lambda tmp, small: _fit(small / "docs.jsonl", tmp, "--embeddings",
                                                _npy(tmp, np.array([["x"] * 4] * 200))), "are not numbers"),
    "NaN": (lambda tmp, small: _fit(small / "docs.jsonl", tmp, "--embeddings", _npy(tmp, _nan_rows(small))),
            "contain NaN or infinity"),
    "all zeros": (lambda tmp, small: _fit(small / "docs.jsonl", tmp, "--embeddings",
                                          _npy(tmp, np.zeros((200, 384), np.float32))), "all zeros"),
    "wrong dimension": (lambda tmp, small: _fit(small / "docs.jsonl", tmp, "--embeddings",
                                                _npy(tmp, np.random.default_rng(0).normal(size=(200, 768)))),
                        "have 768 dimensions but the embedding model"),
}

PARAMETERS = {
    "threads -2": (["--threads", "-2"], "threads=-2"),
    "umap epochs -5": (["--reduction", "umap", "--umap-epochs", "-5"], "n_epochs=-5"),
    "n_neighbors 0": (["--n-neighbors", "0"], "n_neighbors=0"),
    "resolution -1": (["--resolution", "-1"], "resolution=-1.0"),
    "leiden iterations 0": (["--leiden-iterations", "0"], "iterations=0"),
    "min_df 0": (["--min-df", "0"], "min_df=0"),
    "min_df above the corpus": (["--min-df", "5000"], "min_df=5000"),
    "top_n_words 0": (["--top-n-words", "0"], "top_n_words=0"),
    "kmeans without n": (["--clustering", "kmeans"], "KMeans needs a number of topics"),
    "kmeans above the corpus": (["--clustering", "kmeans", "--n-clusters", "5000"],
                                "more topics than the 200 documents"),
    "lda above the corpus": (["--model", "lda", "--nr-topics", "5000"], "LDATopics(n_topics=5000)"),
    "n_components 0": (["--n-components", "0"], "n_components=0"),
    "min_cluster_size 1": (["--min-cluster-size", "1"], "min_cluster_size=1"),
    "sample size 10": (["--sample-size", "10"], "sample_size=10"),
    "embedding model /etc": (["--embedding-model", "/etc"], "holds no sentence-transformers model"),
    "embedding model typo": (["--embedding-model", "minilm-int9"], "unknown embedding model"),
    "LLM spec typo": (["--llm", "gpt-4"], "unknown LLM spec 'gpt-4'"),
    "label words 0": (["--llm", "smollm2-135m", "--label-max-words", "0"], "max_words=0"),
    "missing label template": (["--llm", "smollm2-135m", "--label-template", "/nonexistent/t.txt"],
                               "cannot read the label template"),
    "outlier threshold 5": (["--reduce-outliers", "--outlier-threshold", "5"], "outlier_threshold=5.0"),
}

PATHS = {
    "--out is a file": (lambda tmp, small: _with_embeddings(small, tmp)[:2] + ["--out", _bytes(tmp, b"x", "f")]
                        + _with_embeddings(small, tmp)[4:], "is a file, not a directory"),
    "--out is a symlink": (lambda tmp, small: _with_embeddings(small, tmp)[:2] + ["--out", _symlink(tmp)]
                           + _with_embeddings(small, tmp)[4:], "is a symbolic link"),
    "--out holds other files": (lambda tmp, small: _with_embeddings(small, tmp)[:2] + ["--out", _foreign(tmp)]
                                + _with_embeddings(small, tmp)[4:], "is not a topiclens model"),
    "--out holds a decoy manifest": (lambda tmp, small: _with_embeddings(small, tmp)[:2] + ["--out", _decoy(tmp)]
                                     + _with_embeddings(small, tmp)[4:], "is not a topiclens model"),
    "info of a missing model": (lambda tmp, small: ["info", tmp / "nothing"], "model directory not found"),
    "info of another directory": (lambda tmp, small: ["info", _foreign(tmp)], "is not a topiclens model"),
    "assign to an unknown format": (lambda tmp, small: ["assign", tmp / "m", small / "docs.jsonl", "--out",
                                                        tmp / "a.docx"], "cannot write a.docx"),
    "report --max-chars -1": (lambda tmp, small: ["report", tmp / "m", "--max-chars", "-1"], "--max-chars -1"),
    "report --out is a directory": (lambda tmp, small: ["report", tmp / "m", "--out", tmp], "is a directory"),
}


def _bytes(tmp: Path, data: bytes, name: str = "docs.jsonl") -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def _truncated_gzip(tmp: Path) -> Path:
    data = gzip.compress(b'{"text": "a document"}\n' * 100)
    return _bytes(tmp, data[: len(data) // 2], "docs.jsonl.gz")


def _parquet(tmp: Path, values) -> Path:
    path = tmp / "docs.parquet"
    pd.DataFrame({"text": values}).to_parquet(path)
    return path


def _nan_rows(small: Path) -> np.ndarray:
    array = np.load(small / "emb.npy").copy()
    array[5, 3] = np.nan
    return array


def _symlink(tmp: Path) -> Path:
    (tmp / "real").mkdir()
    (tmp / "link").symlink_to(tmp / "real")
    return tmp / "link"


def _foreign(tmp: Path) -> Path:
    folder = tmp / "mine"
    (folder / "src").mkdir(parents=True, exist_ok=True)
    (folder / "important.txt").write_text("keep me")
    return folder


def _decoy(tmp: Path) -> Path:
    folder = _foreign(tmp)
    (folder / "topiclens.json").write_text('{"not": "ours"}')
    return folder


def _snapshot(tmp: Path) -> dict[str, bytes]:
    return {str(p.relative_to(tmp)): p.read_bytes() for p in tmp.rglob("*") if p.is_file()}


def _check(argv: list, fragment: str, tmp: Path) -> None:
    before = _snapshot(tmp)
    done = run_cli(*argv)
    assert_one_line_error(done, fragment)
    after = _snapshot(tmp)
    assert {k: v for k, v in before.items() if k in after} == before  # nothing the user had is lost or changed


@pytest.mark.parametrize("case", sorted(CORPORA))
def test_bad_corpora(case, tmp_path, small):
    build, fragment = CORPORA[case]
    _check(build(tmp_path, small), fragment, tmp_path)


@pytest.mark.parametrize("case", sorted(EMBEDDINGS))
def test_bad_embeddings(case, tmp_path, small):
    build, fragment = EMBEDDINGS[case]
    _check(build(tmp_path, small), fragment, tmp_path)


@pytest.mark.parametrize("case", sorted(PARAMETERS))
def test_bad_parameters_fail_before_any_work(case, tmp_path, small):
    flags, fragment = PARAMETERS[case]
    argv = _with_embeddings(small, tmp_path, *flags)
    if "--llm" in flags:
        argv.remove("--no-llm")
    _check(argv, fragment, tmp_path)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", sorted(PATHS))
def test_bad_paths(case, tmp_path, small, saved_model):
    import shutil

    shutil.copytree(saved_model, tmp_path / "m")
    build, fragment = PATHS[case]
    _check(build(tmp_path, small), fragment, tmp_path)


def test_inputs_that_used_to_be_misread_now_work(tmp_path, small, records):
    """A ';'-separated CSV and a Parquet text column of bytes are read as the user meant."""
    frame = pd.DataFrame({"id": [r["id"] for r in records[:200]], "text": [r["text"] for r in records[:200]]})
    frame.to_csv(tmp_path / "docs.csv", sep=";", index=False)
    done = run_cli(*_fit(tmp_path / "docs.csv", tmp_path, "--embeddings", small / "emb.npy", "--json"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["n_topics"] >= 2
    from topiclens import read_corpus

    pd.DataFrame({"text": [r["text"].encode() for r in records[:5]]}).to_parquet(tmp_path / "b.parquet")
    assert read_corpus(tmp_path / "b.parquet").texts == [r["text"] for r in records[:5]]


def test_all_zero_rows_become_outliers_with_a_warning(tmp_path, small):
    vectors = np.load(small / "emb.npy").copy()
    vectors[[3, 17]] = 0
    np.save(tmp_path / "emb.npy", vectors)
    done = run_cli(*_fit(small / "docs.jsonl", tmp_path, "--embeddings", tmp_path / "emb.npy", "--json"))
    assert done.returncode == 0, done.stderr
    assert "2 document(s) have an all-zero embedding" in done.stderr and "[3, 17]" in done.stderr
    from topiclens import TopicModel

    model = TopicModel.load(tmp_path / "out")
    assert model.topics_[3] == -1 and model.topics_[17] == -1 and not model.usable_[[3, 17]].any()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file whatever its permissions")
def test_an_unreadable_corpus_is_one_line(tmp_path):
    corpus = _jsonl(tmp_path, ['{"text": "a"}'])
    corpus.chmod(0)
    assert_one_line_error(run_cli(*_fit(corpus, tmp_path)), "cannot read")


@pytest.mark.parametrize("cache", ["answers", "embeddings"])
def test_a_damaged_cache_file_is_one_line_that_says_it_is_only_a_cache(cache, tmp_path, small):
    """A cache file that is not a database (a bad disk, a stray copy) ended in an 'unexpected' error."""
    from topiclens.core.cachedb import CacheError
    from topiclens.embedders.cache import EmbeddingCache
    from topiclens.llm.cache import AnswerCache

    if cache == "answers":
        (tmp_path / "llm-answers.sqlite").write_bytes(b"not a database " * 500)
        with pytest.raises(CacheError, match="cannot be used .*remove the file if it is damaged"):
            AnswerCache(tmp_path / "llm-answers.sqlite")
        return
    (tmp_path / "embeddings").mkdir()
    (tmp_path / "embeddings" / "some-model.sqlite").write_bytes(b"not a database " * 500)
    with pytest.raises(CacheError, match="cannot be used"):
        EmbeddingCache("some-model", tmp_path / "embeddings")
    # Through the command line: a working cache (the built models shared), then its files damaged.
    (tmp_path / "models").symlink_to(Path(os.environ["TOPICLENS_CACHE"]) / "models")
    argv = ["fit", small / "docs.jsonl", "--embeddings", small / "emb.npy", "--no-llm", "--quiet", "--threads", "1"]
    env = {"TOPICLENS_CACHE": str(tmp_path)}
    assert run_cli(*argv, "--out", tmp_path / "first", env=env).returncode == 0
    damaged = list((tmp_path / "embeddings").glob("*.sqlite"))
    assert len(damaged) >= 2
    for path in damaged:
        path.write_bytes(b"not a database " * 500)
    assert_one_line_error(run_cli(*argv, "--out", tmp_path / "second", env=env), "cannot be used")
