"""The topic-label prompt, and chat formats for backends that take raw text.

The prompt follows the usual recipe: a system prompt, worked examples, then the topic itself with
[DOCUMENTS] (twelve of its central documents, near-copies passed over) and [KEYWORDS]. It asks for the
kind of thing or the field that all the documents belong to, as a heading in a report would name it,
not for the subject of one of them: a small model shown a list of things otherwise names the first thing
on it. The two worked examples (in the corpus language where written here) show one narrow theme named
as narrowly (the environmental cost of eating meat) and three different things of one kind named by
their kind (a violin, a trumpet, a drum kit: musical instruments). The judges of bench/bench_judged.py
(round r7) accepted more of the labels this prompt wrote than of the one-example prompt it replaced.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.errors import ConfigError
from ..core.lang import language_name

# A worked example of the label prompt: (documents, keywords, label)
WorkedExample = tuple[Sequence[str], Sequence[str], str]

SYSTEM_PROMPT = "You are a helpful, respectful and honest assistant for labeling topics."

EXAMPLE_DOCUMENTS = (
    "- Producing a kilogram of beef releases far more greenhouse gas than growing a kilogram of beans.\n"
    "- Cattle farms clear forest for pasture, and the methane from the herds adds to the warming.\n"
    "- Cutting down on meat is one of the simplest ways a household can shrink its carbon footprint."
)
EXAMPLE_KEYWORDS = "meat, beef, emissions, cattle, methane, carbon, farming, diet, climate, food"
EXAMPLE_LABEL = "Environmental impact of eating meat"

TEMPLATE = (
    "These documents come from different parts of one topic:\n[DOCUMENTS]\n"
    "Keywords of the whole topic: [KEYWORDS].\n"
    "Write a short label (two to six words) that names the whole topic: the kind of thing or the field that all "
    "of these documents belong to, as a heading in a report would name it, not the subject of one or two of "
    "them. Answer with the label only, nothing else."
)

TEMPLATE_ZH = (
    "以下文档来自同一个主题的不同部分：\n[DOCUMENTS]\n"
    "整个主题的关键词：[KEYWORDS]。\n"
    "请写一个简短的中文标签，像报告中的小标题那样，说出所有这些文档共同所属的类别或领域，而不是其中一两篇的内容。"
    "只回答标签本身，不要写其他内容。"
)
EXAMPLE_DOCUMENTS_ZH = (
    "- 生产一公斤牛肉排放的温室气体，远远多于种植一公斤豆类。\n"
    "- 养牛场为了开辟牧场而砍伐森林，牛群排出的甲烷也加剧了气候变暖。\n"
    "- 少吃肉是一个家庭减少碳足迹最简单的办法之一。"
)
EXAMPLE_KEYWORDS_ZH = "肉类, 牛肉, 排放, 养牛, 甲烷, 碳, 农业, 饮食, 气候, 食物"
EXAMPLE_LABEL_ZH = "吃肉对环境的影响"

# The worked example of the label prompt in the corpus language, where one is written here: a small model
# answers in the language (and the word-building) of the example it is shown. Other languages see the English
# example and are asked for their language. (documents, keywords, label)
LABEL_EXAMPLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "de": (("Die Herstellung eines Kilogramms Rindfleisch setzt weit mehr Treibhausgase frei als der Anbau eines "
            "Kilogramms Bohnen.",
            "Rinderfarmen roden Wald für Weideland, und das Methan der Herden verstärkt die Erwärmung.",
            "Weniger Fleisch zu essen ist einer der einfachsten Wege, wie ein Haushalt seinen CO2-Fußabdruck "
            "verkleinern kann."),
           "Fleisch, Rindfleisch, Emissionen, Rinder, Methan, Kohlenstoff, Landwirtschaft, Ernährung, Klima, "
           "Lebensmittel", "Umweltfolgen des Fleischkonsums"),
    "fr": (("Produire un kilogramme de bœuf libère bien plus de gaz à effet de serre que cultiver un kilogramme de "
            "haricots.",
            "Les élevages bovins défrichent la forêt pour les pâturages, et le méthane des troupeaux accentue le "
            "réchauffement.",
            "Manger moins de viande est l'un des moyens les plus simples pour un ménage de réduire son empreinte "
            "carbone."),
           "viande, bœuf, émissions, bovins, méthane, carbone, élevage, alimentation, climat, nourriture",
           "Impact environnemental de la consommation de viande"),
    "es": (("Producir un kilogramo de carne de vacuno libera muchos más gases de efecto invernadero que cultivar un "
            "kilogramo de judías.",
            "Las granjas de ganado talan bosques para pastos, y el metano de los rebaños agrava el calentamiento.",
            "Comer menos carne es una de las formas más sencillas de que un hogar reduzca su huella de carbono."),
           "carne, vacuno, emisiones, ganado, metano, carbono, ganadería, dieta, clima, alimentos",
           "Impacto ambiental del consumo de carne"),
    "ru": (("Производство килограмма говядины даёт гораздо больше парниковых газов, чем выращивание килограмма "
            "фасоли.",
            "Скотоводческие фермы вырубают леса под пастбища, а метан от стад усиливает потепление.",
            "Есть меньше мяса — один из самых простых способов для семьи сократить свой углеродный след."),
           "мясо, говядина, выбросы, скот, метан, углерод, животноводство, питание, климат, еда",
           "Влияние потребления мяса на окружающую среду"),
    "ja": (("牛肉1キロの生産は、豆1キロの栽培よりはるかに多くの温室効果ガスを排出する。",
            "牧場は牧草地のために森林を切り開き、牛の群れが出すメタンが温暖化を進める。",
            "肉を減らすことは、家庭が炭素排出量を減らす最も簡単な方法の一つだ。"),
           "肉, 牛肉, 排出, 牛, メタン, 炭素, 畜産, 食生活, 気候, 食品", "肉食が環境に与える影響"),
}


# The second worked example: three different things of one kind, named by their kind. (documents, keywords,
# label); languages not written here see the English one.
KINDS_EXAMPLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "en": (("The violin has four strings and is played with a bow; it is the highest voice of the string family.",
            "A trumpet player changes the pitch with three valves and the tension of the lips.",
            "A drum kit combines a bass drum, a snare and cymbals, played with sticks or brushes."),
           "instrument, strings, violin, bow, trumpet, valves, pitch, drum, cymbals, played", "Musical instruments"),
    "zh": (("小提琴有四根弦，用琴弓演奏，是弦乐家族中音域最高的乐器。",
            "小号演奏者通过三个活塞和嘴唇的松紧来改变音高。",
            "架子鼓由底鼓、军鼓和镲组成，用鼓槌或鼓刷演奏。"),
           "乐器, 琴弦, 小提琴, 琴弓, 小号, 活塞, 音高, 鼓, 镲, 演奏", "乐器"),
    "de": (("Die Geige hat vier Saiten und wird mit einem Bogen gespielt; sie ist die höchste Stimme der "
            "Streicherfamilie.",
            "Ein Trompeter verändert die Tonhöhe mit drei Ventilen und der Spannung der Lippen.",
            "Ein Schlagzeug besteht aus Basstrommel, Snare und Becken und wird mit Stöcken oder Besen gespielt."),
           "Instrument, Saiten, Geige, Bogen, Trompete, Ventile, Tonhöhe, Schlagzeug, Becken, gespielt",
           "Musikinstrumente"),
    "fr": (("Le violon a quatre cordes et se joue avec un archet ; c'est la voix la plus aiguë de la famille des "
            "cordes.",
            "Un trompettiste change la hauteur du son avec trois pistons et la tension des lèvres.",
            "Une batterie réunit une grosse caisse, une caisse claire et des cymbales, et se joue avec des baguettes "
            "ou des balais."),
           "instrument, cordes, violon, archet, trompette, pistons, hauteur, batterie, cymbales, joué",
           "Instruments de musique"),
    "es": (("El violín tiene cuatro cuerdas y se toca con un arco; es la voz más aguda de la familia de la cuerda.",
            "Un trompetista cambia la altura del sonido con tres pistones y la tensión de los labios.",
            "Una batería combina un bombo, una caja y platillos, y se toca con baquetas o escobillas."),
           "instrumento, cuerdas, violín, arco, trompeta, pistones, altura, batería, platillos, tocado",
           "Instrumentos musicales"),
    "ru": (("У скрипки четыре струны, на ней играют смычком; это самый высокий голос семейства струнных.",
            "Трубач меняет высоту звука тремя вентилями и напряжением губ.",
            "Ударная установка состоит из большого и малого барабанов и тарелок; на ней играют палочками или "
            "щётками."),
           "инструмент, струны, скрипка, смычок, труба, вентили, высота звука, барабан, тарелки, играть",
           "Музыкальные инструменты"),
    "ja": (("バイオリンは4本の弦を持ち、弓で弾く。弦楽器の中で最も高い音域を受け持つ。",
            "トランペット奏者は3つのピストンと唇の張りで音の高さを変える。",
            "ドラムセットはバスドラム、スネア、シンバルから成り、スティックやブラシで叩いて演奏する。"),
           "楽器, 弦, バイオリン, 弓, トランペット, ピストン, 音の高さ, ドラム, シンバル, 演奏", "楽器"),
}


def label_examples(language: str) -> list[tuple[list[str], list[str], str]]:
    """The label prompt's two worked examples (documents, keywords, label) for ``language``: one theme, then
    three things of one kind."""
    documents, keywords, label = KINDS_EXAMPLES.get(language, KINDS_EXAMPLES["en"])
    return [label_example(language), (list(documents), keywords.split(", "), label)]


def label_example(language: str) -> tuple[list[str], list[str], str]:
    """The label prompt's worked example (documents, keywords, label) for ``language``: its own where written
    here, Chinese for Chinese, else English."""
    if language == "zh":
        return EXAMPLE_DOCUMENTS_ZH.replace("- ", "").split("\n"), EXAMPLE_KEYWORDS_ZH.split(", "), EXAMPLE_LABEL_ZH
    documents, keywords, label = LABEL_EXAMPLES.get(language, ((), "", ""))
    if not documents:
        return EXAMPLE_DOCUMENTS.replace("- ", "").split("\n"), EXAMPLE_KEYWORDS.split(", "), EXAMPLE_LABEL
    return list(documents), keywords.split(", "), label


DESCRIBE_TEMPLATE = (
    "This topic is labeled \"[LABEL]\". It contains the following documents:\n[DOCUMENTS]\n"
    "It is described by these keywords: [KEYWORDS].\n"
    "In one or two sentences, say what the documents of this topic are about. Answer with the sentences only."
)
DESCRIBE_TEMPLATE_ZH = (
    "这个主题的标签是“[LABEL]”。它包含以下文档：\n[DOCUMENTS]\n描述它的关键词是：[KEYWORDS]。\n"
    "请用一两句中文说明这个主题的文档讲的是什么。只回答这一两句话。"
)
EXAMPLE_DESCRIPTION = ("Documents about the environmental cost of eating meat: the greenhouse gases and the forest "
                       "cleared for cattle, and eating less meat as a simple way to shrink a household's footprint.")
EXAMPLE_DESCRIPTION_ZH = ("关于吃肉对环境的代价：养牛排放的温室气体和为牧场砍伐的森林，"
                          "以及少吃肉这一减少家庭碳足迹的简单办法。")

# Joint disambiguation shows the topics whose labels nearly coincide, without those labels (a small model shown
# them copies them back), and asks for one label each that tells it apart from the others.
DISAMBIGUATE_INTRO = "These topics are close to each other. Here is what each topic contains:\n"
DISAMBIGUATE_TOPIC = "Topic [N]\nKeywords: [KEYWORDS]\nDocuments:\n[DOCUMENTS]\n"
DISAMBIGUATE_ASK = ("Write a short label for each topic that says what it is about and tells it apart from the "
                    "others. Answer with one line per topic, as \"Topic N: label\", nothing else.")
DISAMBIGUATE_INTRO_ZH = "这些主题彼此相近。每个主题的内容如下：\n"
DISAMBIGUATE_TOPIC_ZH = "主题 [N]\n关键词：[KEYWORDS]\n文档：\n[DOCUMENTS]\n"
DISAMBIGUATE_ASK_ZH = ("请为每个主题写一个简短的中文标签，说明它讲的是什么，并把它和其他主题区分开。"
                       "每个主题一行，格式为“主题 N：标签”，不要写其他内容。")
# The worked example: two topics on the environmental cost of meat, told apart by what their documents say.
DISAMBIGUATE_EXAMPLE = (
    (("beef", "emissions", "methane", "cattle", "carbon"),
     ("Producing a kilogram of beef releases far more greenhouse gas than growing beans.",
      "The methane from cattle herds adds to the warming.")),
    (("manure", "water", "rivers", "pollution", "farms"),
     ("Manure from large pig farms runs off into rivers and lakes.",
      "Livestock farming uses a large share of the fresh water in dry regions.")),
)
DISAMBIGUATE_EXAMPLE_ANSWER = ("Topic 1: Greenhouse gases from beef and cattle\n"
                               "Topic 2: Water pollution from livestock farms")
DISAMBIGUATE_EXAMPLE_ZH = (
    (("牛肉", "排放", "甲烷", "养牛", "碳"),
     ("生产一公斤牛肉排放的温室气体远远多于种植豆类。", "牛群排出的甲烷加剧了气候变暖。")),
    (("粪便", "水", "河流", "污染", "养殖场"),
     ("大型养猪场的粪便流入河流和湖泊。", "在干旱地区，畜牧业用掉了大量淡水。")),
)
DISAMBIGUATE_EXAMPLE_ANSWER_ZH = "主题 1：牛肉和养牛的温室气体排放\n主题 2：畜牧养殖场造成的水污染"

RETRY_SUFFIX = "\nThese labels are already used by other topics, so do not repeat them: [TAKEN]."
# Said again when a label came back in another script than the corpus language's: a small model shown
# Chinese documents about Rust and Cargo answers "Cargo" to the Chinese prompt, "Rust 库" when reminded.
LANGUAGE_REMINDER_ZH = "\n请用中文写标签。"


def language_reminder(language: str) -> str:
    """The line that asks once more for the label in ``language`` (the request ``in_language`` adds, for Chinese
    in Chinese)."""
    return LANGUAGE_REMINDER_ZH if language == "zh" else in_language("", language, "the label")


def in_language(question: str, language: str, what: str) -> str:
    """The question with a request to answer in the corpus language (English and Chinese have their own
    templates; every other language is asked for in English, which small models follow best)."""
    if language in ("en", "zh"):
        return question
    return f"{question}\nWrite {what} in {language_name(language)}."


def fill(template: str, documents: Sequence[str], keywords: Sequence[str]) -> str:
    """Put a topic's documents (one '- ' line each) and keywords into a template."""
    if "[DOCUMENTS]" not in template and "[KEYWORDS]" not in template:
        raise ConfigError("a prompt template needs [DOCUMENTS] and/or [KEYWORDS] placeholders")
    doc_lines = "\n".join(f"- {' '.join(d.split())}" for d in documents)
    return template.replace("[DOCUMENTS]", doc_lines).replace("[KEYWORDS]", ", ".join(keywords))


def label_messages(documents: Sequence[str], keywords: Sequence[str], template: str = TEMPLATE,
                   language: str = "en", taken: Sequence[str] = (), examples: Sequence[WorkedExample] | None = None,
                   remind_language: bool = False) -> list[dict[str, str]]:
    """Chat messages: system prompt, the worked examples (None: the built-in ones in ``language``; empty: none),
    then this topic (``taken``: labels not to repeat; ``remind_language``: ask once more for ``language``, after
    an answer in another script)."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    for example_docs, example_keywords, example_label in label_examples(language) if examples is None else examples:
        messages += [{"role": "user", "content": fill(template, example_docs, example_keywords)},
                     {"role": "assistant", "content": example_label}]
    question = in_language(fill(template, documents, keywords), language, "the label")
    if taken:
        question += RETRY_SUFFIX.replace("[TAKEN]", "; ".join(f'"{t}"' for t in taken))
    if remind_language:
        question += language_reminder(language)
    return [*messages, {"role": "user", "content": question}]


def describe_messages(documents: Sequence[str], keywords: Sequence[str], label: str,
                      language: str = "en") -> list[dict[str, str]]:
    """Chat messages asking for a one- or two-sentence description of a labeled topic."""
    zh = language == "zh"
    template = DESCRIBE_TEMPLATE_ZH if zh else DESCRIBE_TEMPLATE
    example_docs = (EXAMPLE_DOCUMENTS_ZH if zh else EXAMPLE_DOCUMENTS).replace("- ", "").split("\n")
    example = fill(template.replace("[LABEL]", EXAMPLE_LABEL_ZH if zh else EXAMPLE_LABEL), example_docs,
                   (EXAMPLE_KEYWORDS_ZH if zh else EXAMPLE_KEYWORDS).split(", "))
    question = in_language(fill(template.replace("[LABEL]", " ".join(label.split())), documents, keywords),
                           language, "the sentences")
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": example},
        {"role": "assistant", "content": EXAMPLE_DESCRIPTION_ZH if zh else EXAMPLE_DESCRIPTION},
        {"role": "user", "content": question},
    ]


def _group_text(group: Sequence[tuple[Sequence[str], Sequence[str]]], zh: bool) -> str:
    topic = DISAMBIGUATE_TOPIC_ZH if zh else DISAMBIGUATE_TOPIC
    parts = [DISAMBIGUATE_INTRO_ZH if zh else DISAMBIGUATE_INTRO]
    for number, (keywords, documents) in enumerate(group, start=1):
        lines = "\n".join(f"- {' '.join(d.split())}" for d in documents)
        parts.append(topic.replace("[N]", str(number)).replace("[KEYWORDS]", ", ".join(keywords))
                     .replace("[DOCUMENTS]", lines))
    parts.append(DISAMBIGUATE_ASK_ZH if zh else DISAMBIGUATE_ASK)
    return "\n".join(parts)


def disambiguate_messages(group: Sequence[tuple[Sequence[str], Sequence[str]]],
                          language: str = "en") -> list[dict[str, str]]:
    """Chat messages asking for one label per topic that tells apart topics whose labels nearly coincide.

    ``group`` holds each topic's (keywords, documents); the answer is read with
    :func:`topiclens.labeling.disambiguate.read_renames`.
    """
    zh = language == "zh"
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": _group_text(DISAMBIGUATE_EXAMPLE_ZH if zh else DISAMBIGUATE_EXAMPLE, zh)},
        {"role": "assistant", "content": DISAMBIGUATE_EXAMPLE_ANSWER_ZH if zh else DISAMBIGUATE_EXAMPLE_ANSWER},
        {"role": "user", "content": in_language(_group_text(group, zh), language, "the labels")},
    ]


# ----------------------------------------------------------------- raw chat formats
def _inst(messages: list[dict[str, str]], *, bos_each_turn: bool, system_block: str, answer: str) -> str:
    """The [INST] family: the system prompt folded into the first user turn."""
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    text, first = ("" if bos_each_turn else "<s>"), True
    for m in messages:
        if m["role"] == "user":
            content = system_block.format(system=system, content=m["content"]) if first and system else m["content"]
            text += f"{'<s>' if bos_each_turn else ''}[INST] {content} [/INST]"
            first = False
        elif m["role"] == "assistant":
            text += answer.format(m["content"])
    return text


def _llama2(messages: list[dict[str, str]]) -> str:
    return _inst(messages, bos_each_turn=True, system_block="<<SYS>>\n{system}\n<</SYS>>\n\n{content}",
                 answer=" {} </s>")


def _mistral(messages: list[dict[str, str]]) -> str:
    return _inst(messages, bos_each_turn=False, system_block="{system}\n\n{content}", answer="{}</s>")


def _zephyr(messages: list[dict[str, str]]) -> str:
    text = "".join(f"<|{m['role']}|>\n{m['content']}</s>\n" for m in messages)
    return text + "<|assistant|>\n"


def _chatml(messages: list[dict[str, str]]) -> str:
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + "<|im_start|>assistant\n"


INSTRUCTION_STARTS = ("Based on", "Write", "请")  # the lines of a template that ask, not show


def _few_shot(messages: list[dict[str, str]]) -> str:
    """Plain completion for tiny or base models: worked examples, then an open 'Label:' (the instruction lines
    left out: a base model continues text, it does not follow requests)."""
    text = ""
    for m in messages:
        if m["role"] == "user":
            lines = m["content"].split("\n")
            while len(lines) > 1 and lines[-1].startswith(INSTRUCTION_STARTS):
                lines.pop()
            text += f"{chr(10).join(lines).strip()}\nLabel:"
        elif m["role"] == "assistant":
            text += f" {m['content']}\n\n"
    return text


CHAT_FORMATS = {"llama-2": _llama2, "mistral": _mistral, "zephyr": _zephyr, "chatml": _chatml,
                "few-shot": _few_shot}
STOP = {"llama-2": ["</s>", "[INST]"], "mistral": ["</s>", "[INST]"], "zephyr": ["</s>", "<|user|>"],
        "chatml": ["<|im_end|>", "<|im_start|>"], "few-shot": ["\n"]}


def render(messages: list[dict[str, str]], chat_format: str) -> str:
    """Messages as one prompt string in a built-in chat format."""
    try:
        return CHAT_FORMATS[chat_format](messages)
    except KeyError:
        raise ConfigError(f"unknown chat format {chat_format!r}: use one of {', '.join(CHAT_FORMATS)}") from None
