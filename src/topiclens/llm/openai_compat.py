"""Any OpenAI-compatible chat server: OpenAI, together.ai, Ollama, vLLM, llama.cpp's server.

The API key is read from an environment variable the user names; it is never stored.
Retries with exponential backoff and jitter on 429, 5xx, timeouts, dropped connections
and malformed answers, honouring Retry-After. An unreachable server, a missing key or a
401/403 fail at once with a clear message: retrying cannot help.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import time
import urllib.error
import urllib.request

from .base import GenerationParams, LLMError, LLMUnavailable

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class OpenAICompatLLM:
    backend = "openai"

    def __init__(self, model: str, base_url: str, *, api_key_env: str | None = None, concurrency: int = 4,
                 timeout: float = 60.0, max_retries: int = 5, backoff: float = 1.0, max_backoff: float = 30.0) -> None:
        if not model or not base_url.startswith(("http://", "https://")):
            raise LLMUnavailable(f"bad OpenAI-compatible spec: model {model!r} at {base_url!r}; "
                                 "write openai:MODEL@http(s)://HOST/v1")
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.api_key_env = api_key_env
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.retries_made = 0
        if api_key_env and not os.environ.get(api_key_env):
            raise LLMUnavailable(f"the API key variable ${api_key_env} is not set: export {api_key_env}=... "
                                 "(or drop --api-key-env for a server that needs no key)")

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env or "", "")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2 ** attempt)
        if retry_after:
            try:
                delay = max(delay, float(retry_after))
            except ValueError:
                pass
        delay = min(delay, self.max_backoff)
        time.sleep(delay * (0.5 + random.random() / 2) if not retry_after else delay)

    def complete(self, messages: list[dict[str, str]], params: GenerationParams) -> str:
        body = {"model": self.model, "messages": messages, "max_tokens": params.max_tokens,
                "temperature": params.temperature, "seed": params.seed}
        if params.stop:
            body["stop"] = list(params.stop)
        data = json.dumps(body).encode("utf-8")
        url = f"{self.base_url}/chat/completions"
        problem = "no attempt made"
        for attempt in range(self.max_retries + 1):
            retry_after = None
            request = urllib.request.Request(url, data=data, headers=self._headers(), method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
                return _answer_text(raw)
            except urllib.error.HTTPError as exc:
                detail = exc.read()[:300].decode("utf-8", "replace")
                if exc.code in (401, 403):
                    hint = f"check ${self.api_key_env}" if self.api_key_env else "set --api-key-env VAR"
                    raise LLMUnavailable(f"{self.base_url} refused the request ({exc.code} {exc.reason}): "
                                         f"{hint}") from None
                if exc.code == 404:
                    raise LLMUnavailable(f"{url} answered 404: check the base URL (usually ends in /v1) "
                                         f"and the model name {self.model!r}") from None
                if exc.code not in RETRY_STATUS:
                    raise LLMError(f"{url} answered {exc.code}: {detail}") from None
                problem = f"HTTP {exc.code}"
                retry_after = exc.headers.get("Retry-After")
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, (socket.timeout, TimeoutError)):
                    problem = f"no answer within {self.timeout:g} s"
                elif isinstance(reason, (ConnectionRefusedError, socket.gaierror, OSError)) and not isinstance(
                        reason, ConnectionResetError):
                    raise LLMUnavailable(f"cannot reach {self.base_url} ({reason}): is the server running?") \
                        from None
                else:
                    problem = f"connection failed ({reason})"
            except TimeoutError:
                problem = f"no answer within {self.timeout:g} s"
            except (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead) as exc:
                problem = f"connection dropped ({type(exc).__name__})"
            except _MalformedAnswer as exc:
                problem = str(exc)
            if attempt < self.max_retries:
                self.retries_made += 1
                self._wait(attempt, retry_after)
        raise LLMError(f"{url}: {problem} after {self.max_retries + 1} attempts")


class _MalformedAnswer(Exception):
    pass


def _answer_text(raw: bytes) -> str:
    try:
        payload = json.loads(raw)
        content = payload["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise _MalformedAnswer(f"malformed answer: {raw[:120]!r}") from None
    if not isinstance(content, str):
        raise _MalformedAnswer(f"answer content is {type(content).__name__}, not text")
    return content
