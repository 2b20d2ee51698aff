"""``topiclens serve`` as a real subprocess for the workbench's tests: started on a free port, its address
read from what it prints, stopped (or killed) at the end."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit


class Served:
    """``topiclens serve DIRECTORY --port 0 *options`` running until :meth:`stop` or :meth:`kill`."""

    def __init__(self, directory: Path, *options: str, cache: Path | None = None, timeout: float = 120,
                 env: dict[str, str] | None = None):
        env = {**os.environ, "TOPICLENS_THREADS": "1", "PYTHONUNBUFFERED": "1", **(env or {})}
        if cache is not None:
            env["TOPICLENS_CACHE"] = str(cache)
        self.process = subprocess.Popen([sys.executable, "-m", "topiclens", "serve", str(directory), "--port", "0",
                                         *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"topiclens serve ended: {self.process.stderr.read()}")
            self.lines.append(line)
            found = re.search(r"http://\S+", line)
            if found:
                self.url = found.group(0)
                break
        else:
            raise RuntimeError("topiclens serve printed no address")
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname, parts.port
        self.token = parts.query.removeprefix("token=")

    def request(self, method: str, path: str, body=None, headers: dict | None = None, token: bool = True):
        """(status, headers, body bytes) of one request over a fresh connection."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        sent = {"Host": f"{self.host}:{self.port}"}
        if token:
            sent["X-Topiclens-Token"] = self.token
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        result = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        connection.close()
        return result

    def json(self, method: str, path: str, body=None):
        status, _, content = self.request(method, path, body)
        assert status == 200, (status, content)
        return json.loads(content)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
