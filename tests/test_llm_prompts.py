"""Prompt building, chat formats, label cleaning and de-duplication (no model needed)."""

from __future__ import annotations

import pytest

from topiclens import ConfigError
from topiclens.core.lang import detect_language
from topiclens.labeling.clean import clean_description, clean_label, make_distinct, truncate
from topiclens.llm.prompts import SYSTEM_PROMPT, label_messages, render
from topiclens.llm.registry import make_llm

DOCS = ["Rust crate for parsing TOML files.", "Cargo plugin that audits dependencies."]
KEYWORDS = ["rust", "cargo", "crate", "toml"]


def test_messages_hold_system_examples_and_topic():
    messages = label_messages(DOCS, KEYWORDS)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert messages[0]["content"] == SYSTEM_PROMPT
    assert "meat" in messages[1]["content"] and messages[2]["content"] == "Environmental impact of eating meat"
    assert "trumpet" in messages[3]["content"] and messages[4]["content"] == "Musical instruments"
    assert "kind of thing or the field" in messages[5]["content"]
    assert "- Rust crate for parsing TOML files." in messages[5]["content"]
    assert "rust, cargo, crate, toml" in messages[5]["content"]


def test_custom_template_and_taken_labels():
    messages = label_messages(DOCS, KEYWORDS, template="Docs:\n[DOCUMENTS]\nWords: [KEYWORDS]\nLabel?",
                              taken=["Rust crates"])
    assert messages[-1]["content"].startswith("Docs:\n- Rust crate")
    assert messages[3]["content"].startswith("Docs:\n- The violin")  # the examples are filled into it too
    assert '"Rust crates"' in messages[-1]["content"]
    with pytest.raises(ConfigError, match="placeholders"):
        label_messages(DOCS, KEYWORDS, template="no placeholders here")


def test_worked_examples_of_ones_own_come_before_the_topic_in_order():
    from topiclens import LLMLabeler

    kinds = (["The violin has four strings.", "A trumpet has three valves."], ["violin", "trumpet"],
             "Musical instruments")
    own = (["Beef releases methane."], ["beef", "methane"], "Meat and climate")
    messages = label_messages(DOCS, KEYWORDS, examples=[own, kinds])
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert "- Beef releases methane." in messages[1]["content"] and messages[2]["content"] == "Meat and climate"
    assert "- A trumpet has three valves." in messages[3]["content"]
    assert messages[4]["content"] == "Musical instruments" and "- Rust crate" in messages[5]["content"]
    assert "meat" not in messages[5]["content"]
    text = render(messages, "chatml")
    assert text.count("<|im_start|>assistant\n") == 3 and text.endswith("<|im_start|>assistant\n")
    LLMLabeler(examples=[own, kinds]).check()
    assert [m["role"] for m in label_messages(DOCS, KEYWORDS, examples=[])] == ["system", "user"]  # none
    for bad in [("only documents", "Label"), ("A violin.", ["violin"], "Instruments"),
                (["A violin."], "violin, bow", "Instruments"), (None, ["violin"], "Instruments"),
                (["A violin."], ["violin"], " "), ([], [], "Instruments")]:
        with pytest.raises(ConfigError, match="is not \\(documents, keywords, label\\)"):
            LLMLabeler(examples=[bad]).check()


@pytest.mark.parametrize("fmt,start,end", [
    ("llama-2", "<s>[INST] <<SYS>>\n" + SYSTEM_PROMPT + "\n<</SYS>>\n\n", "[/INST]"),
    ("mistral", "<s>[INST] " + SYSTEM_PROMPT, "[/INST]"),
    ("zephyr", "<|system|>\n" + SYSTEM_PROMPT + "</s>\n", "<|assistant|>\n"),
    ("chatml", "<|im_start|>system\n" + SYSTEM_PROMPT + "<|im_end|>\n", "<|im_start|>assistant\n"),
    ("few-shot", "These documents come from", "Label:"),
])
def test_raw_chat_formats(fmt, start, end):
    text = render(label_messages(DOCS, KEYWORDS), fmt)
    assert text.startswith(start) and text.endswith(end)
    assert text.count("Environmental impact of eating meat") == 1
    if fmt == "llama-2":
        assert text.count("<<SYS>>") == 1 and text.count("[INST]") == 3  # two examples, then the topic


def test_unknown_specs_and_formats_are_named():
    with pytest.raises(ConfigError, match="unknown LLM spec 'gpt'"):
        make_llm("gpt")
    with pytest.raises(ConfigError, match="unknown chat format 'alpaca'"):
        render([], "alpaca")


@pytest.mark.parametrize("answer,label", [
    ("Sure! Here is a label for this topic:\n\nRust Crates and Cargo", "Rust Crates and Cargo"),
    ('Label: "Network tools".', "Network tools"),
    ("**Topic label:** Perl modules", "Perl modules"),
    ("Sure, I can help with that.", ""),
    ("", ""),
    ("1. JavaScript engines", "JavaScript engines"),
    ("one two three four five six seven eight nine ten", "one two three four five six seven eight"),
    ("网络工具。", "网络工具"),
])
def test_clean_label(answer, label):
    assert clean_label(answer, max_words=8) == label


@pytest.mark.parametrize("answer,max_words,label", [
    ("Go library for parsing and verifying versions", 5, "Go library for parsing"),
    ("Iterate over elements and return them as a list", 8, "Iterate over elements and return them"),
    ("Rust crates: packaging, building and testing with cargo", 4, "Rust crates"),
    ("Perl modules (CPAN) for the web", 3, "Perl modules"),
    ("Tools for the management of the system", 3, "Tools"),
    ("Python libraries, tools and frameworks for the web", 6, "Python libraries"),
    ("Network monitoring tools", 3, "Network monitoring tools"),
    ("网络工具，用于监控和管理服务器的软件包集合", 4, "网络工具"),
])
def test_a_label_cut_to_its_word_budget_never_ends_mid_phrase(answer, max_words, label):
    """Regression: the cap cut answers mid-phrase ("Go library for parsing and")."""
    assert clean_label(answer, max_words=max_words) == label


@pytest.mark.parametrize("answer,description", [
    ("Sure! Here is a description:\n\nDocuments about Rust crates. They cover parsers.\n\nMore.",
     "Documents about Rust crates. They cover parsers."),
    ("Description: Perl modules for\nweb applications.", "Perl modules for web applications."),
    ("Sure, I can help with that.", ""),
    ("\x1b]0;pwned\x07Network tools for monitoring.", "Network tools for monitoring."),
    ("这些文档介绍软件包管理。", "这些文档介绍软件包管理。"),
])
def test_clean_description(answer, description):
    assert clean_description(answer) == description


def test_a_long_description_ends_at_a_sentence():
    answer = "First sentence about the topic. " + "Second sentence goes on and on " * 20
    assert clean_description(answer, max_chars=120) == "First sentence about the topic."
    assert clean_description("word " * 200, max_chars=50).endswith("…")


def test_make_distinct_appends_a_keyword():
    labels = make_distinct(["Python libraries", "python libraries", "Games"],
                           [["python", "module"], ["python", "django"], ["game"]])
    assert labels == ["Python libraries", "python libraries (django)", "Games"]


def test_truncate_and_language():
    assert truncate("word " * 500, 40).count(" ") <= 31
    assert truncate("中文" * 200, 50) == ("中文" * 25)
    assert detect_language(["这是一个中文文档，关于网络工具。"] * 5) == "zh"
    assert detect_language(["An English document about network tools."]) == "en"


def test_chinese_prompt_has_a_chinese_worked_example():
    from topiclens.llm.prompts import TEMPLATE_ZH, label_messages

    messages = label_messages(["网络工具"], ["网络"], TEMPLATE_ZH, language="zh")
    example, answer = messages[1]["content"], messages[2]["content"]
    assert "牛肉" in example and "beef" not in example and "甲烷" in example
    assert answer == "吃肉对环境的影响"
    assert "小号" in messages[3]["content"] and messages[4]["content"] == "乐器"
    english = label_messages(["network tool"], ["network"])
    assert "beef" in english[1]["content"]
