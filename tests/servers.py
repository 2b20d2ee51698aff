"""Real HTTP servers on 127.0.0.1 for the OpenAI-compatible backend's tests.

``MisbehavingServer`` speaks the chat-completions protocol but fails on purpose, the way
real servers do (429 with Retry-After, 500, hanging, malformed JSON, dropped connections,
401), a set number of times per route before it answers. It exists because a real LLM
server cannot be made to produce these failures on demand.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    server: MisbehavingServer

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        route = self.path.strip("/").split("/")[0]
        attempt = self.server.count(route, body)
        self.server.headers_seen.append(dict(self.headers))
        try:
            return self._respond(route, attempt, body)
        finally:
            self.server.leave()

    def do_GET(self) -> None:  # noqa: N802 - what a client following a 302 sends: recorded like any request
        self.server.headers_seen.append(dict(self.headers))
        self._send(200, self._content("Answered a GET"))

    def _respond(self, route: str, attempt: int, body: dict) -> None:
        mode, failures = self.server.routes.get(route, ("ok", 0))
        if attempt <= failures:
            if mode == "429":
                return self._send(429, b'{"error": "slow down"}', {"Retry-After": "1"})
            if mode == "500":
                return self._send(500, b'{"error": "boom"}')
            if mode == "401":
                return self._send(401, b'{"error": "bad key"}')
            if mode == "hang":
                time.sleep(self.server.hang_seconds)
                return self._send(200, self._answer(body))
            if mode == "malformed":
                return self._send(200, b'{"choices": [ this is not json')
            if mode == "slow":
                time.sleep(0.3)
                return self._send(200, self._answer(body))
            if mode == "drop":
                self.connection.shutdown(socket.SHUT_RDWR)
                self.connection.close()
                return None
            if mode == "redirect":  # to the address the test set: another origin, or this one
                return self._send(self.server.redirect_status, b"", {"Location": self.server.redirect_target})
            if mode == "echo200":  # a normal answer that repeats the key it was sent, plain and as sent
                sent = self.headers.get("Authorization", "")
                key = sent.removeprefix("Bearer ")
                return self._send(200, self._content(f"Key {sent} or {key}, described"))
            if mode == "echo400":  # a server that reflects the request's headers in its error
                return self._send(400, json.dumps({"error": "bad", "you_sent": dict(self.headers)}).encode())
            if mode == "trickle":  # a complete, valid answer, one byte every 0.5 s
                payload = self._answer(body)
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                for i in range(len(payload)):
                    self.wfile.write(payload[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.5)
                return None
            if mode == "huge":  # a 10 MB "label"
                return self._send(200, self._content("Rust " * 2_000_000))
            if mode == "evil":  # terminal escapes, a title change, bidi overrides, NUL and backspaces
                return self._send(200, self._content("\x1b]0;pwned\x07\x1b[31mRust\x1b[0m \u202ecrates\u202c "
                                                     "\x00tools\x08\x08\x1b[2J"))
        return self._send(200, self._answer(body))

    def _content(self, text: str) -> bytes:
        return json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()

    def _answer(self, body: dict) -> bytes:
        question = body["messages"][-1]["content"]
        keywords = question.split("keywords: ")[-1].split(".")[0].split(", ")
        label = f"{keywords[0].title()} things"
        return json.dumps({"choices": [{"message": {"role": "assistant", "content": label}}]}).encode()

    def _send(self, status: int, payload: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)


class MisbehavingServer(ThreadingHTTPServer):
    """routes: {name: (mode, failures)}; the base URL of a route is url(name)."""

    daemon_threads = True

    def __init__(self, routes: dict[str, tuple[str, int]], hang_seconds: float = 3.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.hang_seconds = hang_seconds
        self.attempts: dict[str, int] = {}
        self.times: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self.headers_seen: list[dict] = []
        self.redirect_target = ""
        self.redirect_status = 307

    in_flight = 0
    max_in_flight = 0

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def count(self, route: str, body: dict) -> int:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.attempts[route] = self.attempts.get(route, 0) + 1
            self.times.setdefault(route, []).append(time.monotonic())
            return self.attempts[route]

    def url(self, route: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{route}/v1"

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up mid-answer (a deadline, a size cap) is what some tests make happen: no noise."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def __enter__(self) -> MisbehavingServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
