"""Reading the corpus a command names, with the input options every such command shares."""

from __future__ import annotations


def read_input(args):
    """The corpus of ``args.corpus``, read with the --text-field, --id-field, --encoding and --decode-errors options."""
    from ...io.corpus import read_corpus

    return read_corpus(args.corpus, text_field=args.text_field, id_field=args.id_field, encoding=args.encoding,
                       decode_errors=args.decode_errors)
