"""Docstring extraction for the `python-stdlib` corpus of bench/label_corpora.py.

Run as a script in a fresh, isolated interpreter (`python -I label_corpora_pystdlib.py OUT.json`) so that
importing the standard library cannot print into, hang or alter the calling process: every import gets a
10 s alarm and stdout/stderr are sent to /dev/null while the modules load. The JSON written holds the
chapter titles, the raw documents (module, documented module, qualname, cleaned docstring) and the
modules that failed to import; dedup, capping and sampling happen in the caller.

CHAPTERS maps each chapter of the Python 3.11 Library Reference (docs.python.org/3.11/library/index.html;
label = the chapter page's file stem) to its title and the modules it documents, as listed on that page
(checked against the Debian python3.11-doc 3.11.2 HTML). Submodules inherit the chapter of their closest
listed parent (email.mime.text -> email). Left out on purpose: builtins (its objects are documented in the
"Built-in Functions/Types" chapters, not under "Python Runtime Services"), the Tk chapter, test, 2to3/lib2to3,
distutils and ensurepip, and encodings.* (only a few codecs are documented). os.path is implemented by
posixpath/genericpath, and os re-exports posix, so objects defined there count for os.path and os.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import os
import pkgutil
import signal
import sys
import warnings
from collections.abc import Iterator
from typing import Any

CHAPTERS: dict[str, tuple[str, str]] = {
    "text": ("Text Processing Services", "string re difflib textwrap unicodedata stringprep readline rlcompleter"),
    "binary": ("Binary Data Services", "struct codecs"),
    "datatypes": ("Data Types", "datetime zoneinfo calendar collections collections.abc heapq bisect array weakref "
                  "types copy pprint reprlib enum graphlib"),
    "numeric": ("Numeric and Mathematical Modules", "numbers math cmath decimal fractions random statistics"),
    "functional": ("Functional Programming Modules", "itertools functools operator"),
    "filesys": ("File and Directory Access", "pathlib os.path posixpath genericpath fileinput stat filecmp tempfile "
                "glob fnmatch linecache shutil"),
    "persistence": ("Data Persistence", "pickle copyreg shelve marshal dbm sqlite3"),
    "archiving": ("Data Compression and Archiving", "zlib gzip bz2 lzma zipfile tarfile"),
    "fileformats": ("File Formats", "csv configparser tomllib netrc plistlib"),
    "crypto": ("Cryptographic Services", "hashlib hmac secrets"),
    "allos": ("Generic Operating System Services", "os io time argparse getopt logging logging.config "
              "logging.handlers getpass curses curses.ascii curses.panel platform errno ctypes"),
    "concurrency": ("Concurrent Execution", "threading multiprocessing multiprocessing.shared_memory concurrent "
                    "concurrent.futures subprocess sched queue contextvars"),
    "ipc": ("Networking and Interprocess Communication", "asyncio socket ssl select selectors signal mmap"),
    "netdata": ("Internet Data Handling", "email json mailbox mimetypes base64 binascii quopri"),
    "markup": ("Structured Markup Processing Tools", "html html.parser html.entities xml xml.etree.ElementTree "
               "xml.dom xml.dom.minidom xml.dom.pulldom xml.sax xml.sax.handler xml.sax.saxutils "
               "xml.sax.xmlreader xml.parsers.expat"),
    "internet": ("Internet Protocols and Support", "webbrowser wsgiref urllib urllib.request urllib.parse "
                 "urllib.error urllib.robotparser http http.client ftplib poplib imaplib smtplib uuid "
                 "socketserver http.server http.cookies http.cookiejar xmlrpc xmlrpc.client xmlrpc.server "
                 "ipaddress"),
    "mm": ("Multimedia Services", "wave colorsys"),
    "i18n": ("Internationalization", "gettext locale"),
    "frameworks": ("Program Frameworks", "turtle cmd shlex"),
    "development": ("Development Tools", "typing pydoc doctest unittest unittest.mock"),
    "debug": ("Debugging and Profiling", "bdb faulthandler pdb profile cProfile pstats timeit trace tracemalloc"),
    "distribution": ("Software Packaging and Distribution", "venv zipapp"),
    "python": ("Python Runtime Services", "sys sysconfig warnings dataclasses contextlib abc atexit traceback gc "
               "inspect site"),
    "custominterp": ("Custom Python Interpreters", "code codeop"),
    "modules": ("Importing Modules", "zipimport pkgutil modulefinder runpy importlib importlib.resources "
                "importlib.resources.abc importlib.metadata"),
    "language": ("Python Language Services", "ast symtable token keyword tokenize tabnanny pyclbr py_compile "
                 "compileall dis pickletools"),
    "windows": ("MS Windows Specific Services", "msvcrt winreg winsound"),
    "unix": ("Unix Specific Services", "pwd grp termios tty pty fcntl resource syslog"),
    "superseded": ("Superseded Modules", "aifc asynchat asyncore audioop cgi cgitb chunk crypt imghdr imp mailcap "
                   "msilib nis nntplib optparse ossaudiodev pipes smtpd sndhdr spwd sunau telnetlib uu xdrlib"),
}
SKIP_PARTS = {"test", "tests", "idlelib", "tkinter", "turtledemo", "lib2to3", "ensurepip", "distutils", "encodings"}
# objects whose __module__ is the key are documented as part of the value
IMPL_OF = {"posix": "os", "pyexpat": "xml.parsers.expat"}
MAX_WORDS = 250


def module_chapter() -> dict[str, str]:
    """Documented module name -> chapter label."""
    return {mod: label for label, (_, mods) in CHAPTERS.items() for mod in mods.split()}


def documented_as(name: str, documented: dict[str, str]) -> str | None:
    """The closest documented module (name itself or a parent package) that `name` belongs to."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in documented:
            return ".".join(parts[:n])
    return None


def clean_doc(doc: Any) -> str:
    """Docstring without doctest examples, whitespace collapsed, at most MAX_WORDS words; '' if not a string."""
    if not isinstance(doc, str):
        return ""
    kept, in_example = [], False
    for line in inspect.cleandoc(doc).splitlines():
        stripped = line.strip()
        if stripped.startswith((">>>", "...")):
            in_example = True
        elif not stripped:
            in_example = False
        if not in_example:
            kept.append(stripped)
    words = " ".join(kept).split()
    return " ".join(words[:MAX_WORDS])


def owned(obj: Any, modname: str) -> bool:
    """Whether `obj`, found in module `modname`, is defined there (or in a private/implementation module)."""
    owner = getattr(obj, "__module__", None)
    if not isinstance(owner, str):
        return False
    return owner == modname or IMPL_OF.get(owner) == modname or any(p.startswith("_") for p in owner.split("."))


def docstrings(module: Any) -> Iterator[tuple[str, str]]:
    """(qualname, cleaned docstring) for the public functions and classes of `module` and their public methods."""
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    for name in sorted(set(names)):
        obj = getattr(module, name, None)
        if not (inspect.isclass(obj) or inspect.isroutine(obj)) or not owned(obj, module.__name__):
            continue
        yield name, clean_doc(obj.__doc__)
        if not inspect.isclass(obj):
            continue
        for attr, value in sorted(vars(obj).items()):
            if attr.startswith("_"):
                continue
            if isinstance(value, (classmethod, staticmethod)):
                value = value.__func__
            if inspect.isroutine(value) or isinstance(value, property):
                yield f"{name}.{attr}", clean_doc(value.__doc__)


class ImportTimeout(Exception):
    """An import ran past its alarm."""


def _alarm(signum: int, frame: Any) -> None:
    raise ImportTimeout


def safe_import(name: str) -> Any:
    """Import `name` with a 10 s alarm; None (and no exception) when that fails for any reason."""
    signal.alarm(10)
    try:
        return importlib.import_module(name)
    except BaseException:  # SystemExit, ImportTimeout, platform errors: skip the module
        return None
    finally:
        signal.alarm(0)


def module_names(documented: dict[str, str], failed: list[str]) -> Iterator[tuple[str, Any]]:
    """(name, module) for every importable documented module and its public submodules, sorted walk."""
    seen: set[str] = set()
    todo = sorted({m.split(".")[0] for m in documented})
    while todo:
        name = todo.pop(0)
        if name in seen or any(p in SKIP_PARTS or p.startswith("_") for p in name.split(".")):
            continue
        seen.add(name)
        module = safe_import(name)
        if module is None:
            failed.append(name)
            continue
        yield name, module
        if hasattr(module, "__path__"):
            todo[:0] = sorted(f"{name}.{info.name}" for info in pkgutil.iter_modules(module.__path__))


def main(out: str) -> None:
    """Import the documented modules, collect their docstrings and write them as JSON to `out`."""
    documented = module_chapter()
    signal.signal(signal.SIGALRM, _alarm)
    warnings.simplefilter("ignore")
    docs, failed = [], []
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
        saved = os.dup(1), os.dup(2)
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            for name, module in module_names(documented, failed):
                key = documented_as(name, documented)
                if key is None:
                    continue
                for qualname, text in docstrings(module):
                    if text:
                        docs.append({"module": name, "key": key, "label": documented[key],
                                     "qualname": qualname, "text": text})
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
    chapters = {label: title for label, (title, _) in CHAPTERS.items()}
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"python": sys.version, "chapters": chapters, "failed": failed, "docs": docs}, f)


if __name__ == "__main__":
    main(sys.argv[1])
