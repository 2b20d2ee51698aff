"""Where torch and llama.cpp work runs: TOPICLENS_DEVICE, the GPU when there is one, the CPU otherwise."""

from __future__ import annotations

import pytest

from topiclens.core.ann import use_approximate
from topiclens.core.errors import ConfigError
from topiclens.core.runtime import accelerator, cuda_available


def test_cpu_is_chosen_when_asked_or_when_no_gpu(monkeypatch):
    monkeypatch.setenv("TOPICLENS_DEVICE", "cpu")
    assert accelerator() == "cpu"
    monkeypatch.setenv("TOPICLENS_DEVICE", "auto")
    assert accelerator() == ("cuda" if cuda_available() else "cpu")


def test_a_wrong_device_setting_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("TOPICLENS_DEVICE", "tpu")
    with pytest.raises(ConfigError, match="TOPICLENS_DEVICE='tpu'.*auto, cpu, cuda"):
        accelerator()
    if not cuda_available():
        monkeypatch.setenv("TOPICLENS_DEVICE", "cuda")
        with pytest.raises(ConfigError, match="no CUDA GPU"):
            accelerator()


def test_llama_cpp_offloads_every_layer_only_where_it_can(monkeypatch):
    llama_cpp = pytest.importorskip("llama_cpp")
    from topiclens.llm.llamacpp import gpu_layers

    expected = -1 if llama_cpp.llama_supports_gpu_offload() else 0
    assert gpu_layers(llama_cpp) == expected
    monkeypatch.setenv("TOPICLENS_DEVICE", "cpu")
    assert gpu_layers(llama_cpp) == 0


def test_auto_neighbours_are_approximate_on_big_corpora_only_without_a_gpu(monkeypatch):
    monkeypatch.setenv("TOPICLENS_DEVICE", "cpu")
    assert use_approximate("auto", 60_000, 60_000)
    assert not use_approximate("auto", 60_000, 1_000)
    monkeypatch.setenv("TOPICLENS_DEVICE", "auto")
    assert use_approximate("auto", 60_000, 60_000) == (not cuda_available())
