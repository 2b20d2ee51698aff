"""The workbench's door, tried against the real server: foreign Host (DNS rebinding), cross-origin and
tokenless requests, paths from the browser, and a server killed in the middle of an LLM relabel."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from topiclens import TopicModel
from workbench_server import Served


@pytest.fixture(scope="module")
def served(fitted, tmp_path_factory):
    directory = tmp_path_factory.mktemp("served") / "model"
    fitted.save(directory)
    server = Served(directory, "--no-llm")
    yield server, directory
    server.stop()


def _manifest_bytes(directory) -> bytes:
    return (directory / "topiclens.json").read_bytes()


def test_requests_from_elsewhere_are_refused_and_change_nothing(served, fitted):
    server, directory = served
    before = _manifest_bytes(directory)
    merge = {"operation": "merge", "groups": [[fitted.topic_ids_[1], fitted.topic_ids_[2]]]}
    status, headers, body = server.request("GET", "/api/topics", headers={"Host": f"evil.example:{server.port}"})
    assert status == 421 and b"Host" in body
    status, _, _ = server.request("GET", "/", token=False, headers={"Host": f"rebound.example:{server.port}"})
    assert status == 421
    assert server.request("POST", "/api/apply", merge, headers={"Origin": "http://evil.example"})[0] == 403
    assert server.request("POST", "/api/apply", merge, headers={"Origin": "null"})[0] == 403
    assert server.request("POST", "/api/apply", merge, headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert server.request("POST", "/api/apply", merge, token=False)[0] == 403
    assert server.request("POST", "/api/apply", merge, headers={"X-Topiclens-Token": "guess"})[0] == 403
    form = "operation=merge&topics=1&topics=2"
    assert server.request("POST", "/api/apply", form,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 415
    assert server.request("GET", "/api/topics", token=False)[0] == 403
    assert server.request("GET", "/", token=False)[0] == 403
    assert server.request("POST", "/api/document", {"point": 0, "order_version": 1}, token=False)[0] == 403
    assert server.request("POST", "/api/document", {"point": 0, "order_version": 1},
                          headers={"Origin": "http://evil.example"})[0] == 403
    assert _manifest_bytes(directory) == before
    status, headers, _ = server.request("GET", f"/?token={server.token}", token=False,
                                        headers={"Host": f"localhost:{server.port}"})
    assert status == 200 and "script-src 'nonce-" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert "access-control-allow-origin" not in headers


def test_the_browser_never_names_a_file(served):
    server, directory = served
    for name in ("..%2Ftopiclens.json", "../topiclens.json", "%2Fetc%2Fpasswd", "report.html%00.png"):
        status, _, body = server.request("GET", f"/export/{name}?token={server.token}", token=False)
        assert status in (400, 404) and b"schema_version" not in body and b"root:" not in body
    status, _, body = server.request("POST", "/api/apply", b"{" * 70_000, headers={"Content-Type": "application/json"})
    assert status == 400
    status, _, body = server.request("POST", "/api/rename", {"topic": 0, "label": "x" * 500})
    assert status == 400 and b"characters" in body


def test_a_good_request_passes(served, fitted):
    server, directory = served
    change = server.json("POST", "/api/preview", {"operation": "split", "topic": fitted.topic_ids_[0], "parts": 2})
    assert change["n_topics"] == [len(fitted.topic_ids_), len(fitted.topic_ids_) + 1]
    assert json.loads(_manifest_bytes(directory)).get("history") in (None, [])


def _outside_address() -> str | None:
    """An address of this machine that is not a loopback one, or None."""
    import socket

    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: the kernel only picks the interface
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def _serve_command(directory, *options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "topiclens", "serve", str(directory), "--no-llm", *options],
                          capture_output=True, text=True, timeout=120)


def test_other_addresses_warn_and_wildcards_and_taken_ports_are_refused(fitted, tmp_path):
    directory = tmp_path / "model"
    fitted.save(directory)
    refused = _serve_command(directory, "--host", "0.0.0.0")
    assert refused.returncode == 2 and "every address" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    taken = Served(directory, "--no-llm")
    try:
        result = _serve_command(directory, "--port", str(taken.port))
    finally:
        taken.stop()
    assert result.returncode == 2 and "is in use" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    address = _outside_address()
    if address is None:
        pytest.skip("this machine has no address but loopback ones")
    server = Served(directory, "--no-llm", "--host", address)
    try:
        assert server.request("GET", f"/?token={server.token}", token=False)[0] == 200
        assert server.request("GET", "/api/topics", headers={"Host": f"localhost:{server.port}"})[0] == 421
    finally:
        server.stop()
    assert "other machines may reach" in server.process.stderr.read()


def test_open_hands_the_browser_a_private_page_not_the_token(served, tmp_path):
    _, directory = served
    seen = tmp_path / "argument.txt"
    browser = tmp_path / "a-browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{seen}"\n', encoding="utf-8")
    browser.chmod(0o755)
    server = Served(directory, "--no-llm", "--open", env={"BROWSER": str(browser)})
    try:
        deadline = time.monotonic() + 30
        while not seen.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        argument = seen.read_text(encoding="utf-8")
        assert argument.startswith("file://") and server.token not in argument
        page = Path(argument.removeprefix("file://"))
        assert page.stat().st_mode & 0o777 == 0o600 and page.parent.stat().st_mode & 0o077 == 0
        assert server.url.replace("&", "&amp;") in page.read_text(encoding="utf-8")
    finally:
        server.stop()
    assert not page.exists()  # removed when the server stops


def test_killing_the_server_during_a_relabel_keeps_every_finished_label(fitted, tmp_path):
    directory = tmp_path / "model"
    fitted.save(directory)
    server = Served(directory, "--llm", "smollm2-135m", cache=tmp_path / "fresh-cache")  # no cached answer
    try:
        job = server.json("POST", "/api/llm", {"kind": "label", "topics": None})
        deadline = time.monotonic() + 300
        while job["done"] < 2 and job["state"] == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
            job = server.json("GET", "/api/job")
    finally:
        server.kill()
    assert job["state"] == "running" and 2 <= job["done"] < job["total"], job
    assert job["llm_calls"] >= 2
    model = TopicModel.load(directory)  # loads: no half-written file
    labels = dict(zip(model.topic_ids_, model.labels_))
    for topic, label in job["finished"]:
        assert labels[topic] == label
    record = model.history_[-1]
    assert record["operation"] == "label" and set(t for t, _ in job["finished"]) <= set(record["changed"])
    assert not [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]
    result = subprocess.run([sys.executable, "-m", "topiclens", "undo", str(directory)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr  # the lock went with the process, and the relabel undoes whole
    assert TopicModel.load(directory).labels_ == fitted.labels_


def test_a_document_is_asked_for_by_its_place_on_the_map_and_nothing_else(served):
    server, _ = served
    order = json.loads(server.request("GET", "/api/topics")[2])["workbench"]["order_version"]
    status, _, body = server.request("POST", "/api/document", {"point": 0, "order_version": order})
    answer = json.loads(body)
    assert status == 200 and answer["passages"] and "".join(p["text"] for p in answer["passages"])
    for wrong in ({"point": -1, "order_version": order}, {"point": 10**9, "order_version": order},
                  {"point": "0", "order_version": order}, {"point": 0, "order_version": order + 1},
                  {"point": 0}, ["point", 0]):
        status, _, body = server.request("POST", "/api/document", wrong)
        assert status == 400 and json.loads(body)["error"], wrong
