"""Tampered, damaged and hostile model directories: refused with one line, or loaded without obeying them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from topiclens import ModelFileError, TopicModel

from .conftest import assert_one_line_error, run_cli


def _manifest(model: Path) -> dict:
    return json.loads((model / "topiclens.json").read_text())


def _write_manifest(model: Path, manifest: dict) -> None:
    (model / "topiclens.json").write_text(json.dumps(manifest))


def _data(model: Path) -> Path:
    return model / _manifest(model)["data"]


def _edit(model: Path, change) -> None:
    manifest = _manifest(model)
    change(manifest)
    _write_manifest(model, manifest)


def _rehash(model: Path, name: str) -> None:
    """What a careful forger does: recompute the checksum of the file they changed."""
    manifest = _manifest(model)
    manifest["files"][name] = hashlib.sha256((_data(model) / name).read_bytes()).hexdigest()
    _write_manifest(model, manifest)


def _vocabulary_shrunk(model: Path) -> None:
    path = _data(model) / "vocabulary.json"
    path.write_text(json.dumps(json.loads(path.read_text())[:-5]))
    _rehash(model, "vocabulary.json")


def _projection_dropped(model: Path) -> None:
    (_data(model) / "projection.npz").unlink()
    _edit(model, lambda m: m["files"].pop("projection.npz"))


def _pickle_array(model: Path) -> None:
    np.save(_data(model) / "centroids.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    _rehash(model, "centroids.npy")


def _link_manifest(model: Path) -> None:
    real = model.parent / "elsewhere.json"
    (model / "topiclens.json").rename(real)
    (model / "topiclens.json").symlink_to(real)


def _link_data_folder(model: Path) -> None:
    data = _data(model)
    data.rename(model.parent / "elsewhere")
    data.symlink_to(model.parent / "elsewhere")


def _link_array(model: Path) -> None:
    (_data(model) / "embeddings.npy").unlink()
    (_data(model) / "embeddings.npy").symlink_to("/dev/zero")


TAMPERINGS = {
    "manifest not JSON": (lambda m: (m / "topiclens.json").write_text("{nope"), "is damaged"),
    "future schema": (lambda m: _edit(m, lambda x: x.update(schema_version=99)), "uses model schema 99"),
    "no schema": (lambda m: _edit(m, lambda x: x.pop("schema_version")), "has no schema_version"),
    "topics not a list": (lambda m: _edit(m, lambda x: x.update(topics="abc")), "fit the model again"),
    "data folder outside": (lambda m: _edit(m, lambda x: x.update(data="../elsewhere")), "invalid data folder"),
    "array deleted": (lambda m: (_data(m) / "embeddings.npy").unlink(), "embeddings.npy is missing"),
    "array changed": (lambda m: (_data(m) / "probabilities.npy").write_bytes(b"\x93NUMPY garbage"),
                      "probabilities.npy has changed since the model was saved"),
    "documents truncated": (lambda m: (_data(m) / "documents.parquet").write_bytes(b"PAR1"), "has changed since"),
    "projection dropped": (_projection_dropped, "projection.npz is missing"),
    "topic size edited": (lambda m: _edit(m, lambda x: x["topics"][0].update(size=x["topics"][0]["size"] + 5)),
                          "topic sizes"),
    "vocabulary shrunk (rehashed)": (_vocabulary_shrunk, "keyword weights of shape"),
    "representative document out of range": (
        lambda m: _edit(m, lambda x: x["topics"][0].update(representative_docs=[10 ** 9])),
        "representative documents of topic 0"),
    "label evidence from another topic": (
        lambda m: _edit(m, lambda x: x["topics"][0].update(label_evidence=x["topics"][1]["representative_docs"])),
        "label evidence that is not the topics' documents"),
    "pickle in an array (rehashed)": (_pickle_array, "fit the model again"),
    "invalid setting": (lambda m: _edit(m, lambda x: x["params"].update(n_neighbors=-3)), "n_neighbors=-3"),
    "manifest a JSON list": (lambda m: (m / "topiclens.json").write_text("[1, 2, 3]"), "a JSON list, not an object"),
    "manifest nested 100,000 deep": (lambda m: (m / "topiclens.json").write_text("[" * 100_000 + "]" * 100_000),
                                     "nested too deep"),
    "manifest nested 500 deep (under the parser's limit)": (
        lambda m: _edit(m, lambda x: x.update(hierarchy=json.loads("[" * 500 + "]" * 500))), "nested more than"),
    "manifest a symbolic link": (lambda m: _link_manifest(m), "is a symbolic link"),
    "data folder a symbolic link": (lambda m: _link_data_folder(m), "not a real folder"),
    "array a symbolic link to a device": (lambda m: _link_array(m), "is a symbolic link"),
    "invalid stage setting": (
        lambda m: _edit(m, lambda x: x["params"].update(clustering={"stage": "LeidenClustering",
                                                                    "params": {"resolution": -1}})),
        "resolution=-1"),
}


@pytest.mark.parametrize("case", sorted(TAMPERINGS))
def test_tampered_model_is_refused_with_the_reason(case, model_copy):
    tamper, fragment = TAMPERINGS[case]
    tamper(model_copy)
    with pytest.raises(ModelFileError) as caught:
        TopicModel.load(model_copy)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)
    assert_one_line_error(run_cli("info", model_copy), fragment)


def test_a_model_file_cannot_choose_where_requests_keys_or_caches_go(model_copy, tmp_path, monkeypatch):
    """Regression: topiclens.json named the LLM, the key variable and the cache, and load obeyed."""
    from servers import MisbehavingServer

    with MisbehavingServer({"ok": ("ok", 0)}) as server:
        monkeypatch.setenv("VICTIM_KEY", "sk-the-users-secret")
        evil_cache = tmp_path / "attacker-cache"

        def inject(manifest: dict) -> None:
            manifest["params"].update(labeler=f"openai:m@{server.url('ok')}", llm=f"openai:m@{server.url('ok')}",
                                      api_key_env="VICTIM_KEY", cache=str(evil_cache), work_dir=str(evil_cache))

        _edit(model_copy, inject)
        model = TopicModel.load(model_copy, verbose=False)
        assert model.labeler is None and model.cache is True and model.work_dir is None
        with pytest.raises(Exception, match="no labeler given"):
            model.label_topics(inplace=True)
        model.predict(["a brand new document about Perl modules"])
        assert server.attempts == {} and server.headers_seen == []
        assert not evil_cache.exists()


def test_a_saved_model_holds_no_setting_of_where_things_go(saved_model):
    params = _manifest(saved_model)["params"]
    assert not {"labeler", "llm", "api_key_env", "cache", "work_dir", "client", "threads"} & set(params)
