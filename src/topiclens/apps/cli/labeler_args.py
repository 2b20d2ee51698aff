"""The LLMLabeler that the LLM options of a command describe (fit, label, describe and the edits)."""

from __future__ import annotations

import argparse

from ...core.errors import ConfigError


def reason(exc: BaseException) -> str:
    """What went wrong, in a few words."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def labeler_from_args(args: argparse.Namespace):
    """The LLMLabeler the LLM options describe."""
    from ...labeling.labeler import LLMLabeler

    template = None
    if args.label_template:
        try:
            template = args.label_template.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the label template {args.label_template} ({reason(exc)}): give a UTF-8 "
                              "text file with [DOCUMENTS] and/or [KEYWORDS]") from None
    return LLMLabeler(llm=args.llm, template=template, language=args.label_language, max_words=args.label_max_words,
                      doc_tokens=args.label_doc_tokens, n_docs=args.label_docs, evidence=args.label_evidence,
                      keyword_source=args.label_keywords, keyword_margin=args.label_keyword_margin,
                      disambiguate=None if args.no_disambiguate else args.label_similar,
                      describe=args.describe, chat_format=args.chat_format,
                      api_key_env=args.api_key_env, concurrency=args.llm_concurrency, timeout=args.llm_timeout)
