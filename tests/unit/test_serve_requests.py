"""The workbench's checks of what a browser sends, and its door (Host, origin, token), as pure functions."""

from __future__ import annotations

import pytest

from topiclens.apps.serve.guard import allowed_hosts, new_token, refusal
from topiclens.apps.serve.requests import check_export, parse_edit, parse_llm_job, parse_rename
from topiclens.core.errors import ConfigError

TOKEN = "t0ken"
HOSTS = allowed_hosts("127.0.0.1", 8765)


def test_edits_are_checked_before_anything_runs():
    assert parse_edit({"operation": "merge", "groups": [[3, 1]]}).arguments == {"groups": [[3, 1]]}
    assert parse_edit({"operation": "split", "topic": 2, "parts": None}).arguments == {"topic": 2, "parts": None}
    assert parse_edit({"operation": "outliers", "target": 0.05, "generation": 3}).arguments == {
        "target": 0.05, "strategy": "embeddings", "threshold": None}
    assert parse_edit({"operation": "merge", "groups": [[1, 2]]}).key() == parse_edit(
        {"operation": "merge", "groups": [[1, 2]]}).key()
    bad = [None, [], {"operation": "merge", "groups": [[1]]}, {"operation": "merge", "groups": [[1, 1]]},
           {"operation": "merge", "groups": [["1", 2]]}, {"operation": "merge", "groups": [[True, 2]]},
           {"operation": "merge", "topics": [1, 2]}, {"operation": "split", "topic": -1},
           {"operation": "split", "topic": 1, "parts": 1},
           {"operation": "delete", "topics": [1], "to_outliers": "yes"}, {"operation": "reduce", "n_topics": 0},
           {"operation": "outliers", "target": 1.5}, {"operation": "outliers", "target": 0.1, "strategy": "x"},
           {"operation": "__import__('os')"}, {"operation": "delete", "topics": 3}]
    for payload in bad:
        with pytest.raises(ConfigError):
            parse_edit(payload)


def test_a_new_label_is_one_clean_line():
    assert parse_rename({"topic": 4, "label": "  Fonts\n and\x1b[31m\u202e type  "}) == (4, "Fonts and type")
    for payload in ({"topic": 4, "label": "   "}, {"topic": 4, "label": 7}, {"topic": "4", "label": "x"},
                    {"topic": 4, "label": "x" * 201}):
        with pytest.raises(ConfigError):
            parse_rename(payload)
    assert parse_llm_job({"kind": "describe", "topics": None}) == ("describe", None)
    with pytest.raises(ConfigError):
        parse_llm_job({"kind": "shell", "topics": [1]})


def test_exports_are_names_never_paths():
    assert check_export("topics.parquet") == "topics.parquet"
    for name in ("../topiclens.json", "/etc/passwd", "report.html/..", "documents.xlsx", ""):
        with pytest.raises(ConfigError):
            check_export(name)


def _headers(**extra):
    return {"host": "127.0.0.1:8765", "x-topiclens-token": TOKEN, "content-type": "application/json", **extra}


def test_the_door_refuses_foreign_hosts_cross_origin_posts_and_missing_tokens():
    assert refusal("GET", "/api/topics", _headers(), "", TOKEN, HOSTS) is None
    assert refusal("GET", "/", {"host": "localhost:8765"}, f"token={TOKEN}", TOKEN, HOSTS) is None
    assert refusal("POST", "/api/apply", _headers(origin="http://127.0.0.1:8765", **{"sec-fetch-site": "same-origin"}),
                   "", TOKEN, HOSTS) is None
    assert refusal("GET", "/api/topics", _headers(host="evil.example:8765"), "", TOKEN, HOSTS)[0] == 421
    assert refusal("GET", "/api/topics", _headers(host="127.0.0.1:9999"), "", TOKEN, HOSTS)[0] == 421
    assert refusal("POST", "/api/apply", _headers(origin="http://evil.example"), "", TOKEN, HOSTS)[0] == 403
    assert refusal("POST", "/api/apply", _headers(origin="null"), "", TOKEN, HOSTS)[0] == 403
    assert refusal("POST", "/api/apply", _headers(**{"sec-fetch-site": "cross-site"}), "", TOKEN, HOSTS)[0] == 403
    assert refusal("POST", "/api/apply", _headers(**{"content-type": "text/plain"}), "", TOKEN, HOSTS)[0] == 415
    no_token = {"host": "127.0.0.1:8765", "content-type": "application/json"}
    assert refusal("POST", "/api/apply", no_token, "", TOKEN, HOSTS)[0] == 403
    assert refusal("GET", "/", {"host": "127.0.0.1:8765"}, "", TOKEN, HOSTS)[0] == 403
    assert refusal("GET", "/", {"host": "127.0.0.1:8765"}, "token=wrong", TOKEN, HOSTS)[0] == 403


def test_hosts_and_tokens():
    assert {"127.0.0.1:8765", "localhost:8765", "[::1]:8765"} == set(HOSTS)
    assert allowed_hosts("192.168.1.5", 80) == frozenset({"192.168.1.5:80"})
    assert new_token() != new_token() and len(new_token()) >= 40
