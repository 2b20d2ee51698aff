"""Any OpenAI-compatible chat server: OpenAI, together.ai, Ollama, vLLM, llama.cpp's server.

The API key is read from an environment variable the user names; it is never stored, goes only
to the origin (scheme, host, port) the user named (a redirect elsewhere is refused, not followed)
and is scrubbed from every error message here and from every answer by ``llm.base.ask``. Every
request has a total deadline (``timeout``), not a per-read one, and at most ``max_response_bytes``
of an answer are read. Retries with exponential backoff and jitter on 429, 5xx, timeouts, dropped
connections and malformed answers, honouring Retry-After. An unreachable server, a missing key or
a 401/403 fail at once with a clear message: retrying cannot help.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .base import Backend, GenerationParams, LLMError, LLMOptions, LLMUnavailable, scrub_secret

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
REDIRECTS = {301, 302, 303, 307, 308}
MAX_RESPONSE_BYTES = 1 << 20  # a label is a few words: a megabyte is far more than any honest answer


class _Retryable(Exception):
    """A failure worth another attempt (its message says what happened)."""

    def __init__(self, problem: str, retry_after: str | None = None) -> None:
        super().__init__(problem)
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


class OpenAICompatLLM:
    backend = "openai"

    def __init__(self, model: str, base_url: str, *, api_key_env: str | None = None, concurrency: int = 4,
                 timeout: float = 60.0, max_retries: int = 5, backoff: float = 1.0, max_backoff: float = 30.0,
                 max_response_bytes: int = MAX_RESPONSE_BYTES) -> None:
        if not model or not base_url.startswith(("http://", "https://")):
            raise LLMUnavailable(f"bad OpenAI-compatible spec: model {model!r} at {base_url!r}; "
                                 "write openai:MODEL@http(s)://HOST/v1")
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.scope = self.base_url  # answers are cached per server: another address is another model
        self.api_key_env = api_key_env
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_response_bytes = max_response_bytes
        self.retries_made = 0
        if api_key_env and not os.environ.get(api_key_env):
            raise LLMUnavailable(f"the API key variable ${api_key_env} is not set: export {api_key_env}=... "
                                 "(or leave api_key_env= out for a server that needs no key)")

    def _key(self) -> str:
        return os.environ.get(self.api_key_env or "", "")

    def secret(self) -> str:
        """The API key ('' without one): what :func:`llm.base.scrub_answer` takes out of every answer."""
        return self._key()

    def _scrub(self, text: str) -> str:
        """``text`` with the API key (were a server to echo it) replaced."""
        return scrub_secret(text, self._key())

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self._key():
            headers["Authorization"] = f"Bearer {self._key()}"
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
        try:
            for attempt in range(self.max_retries + 1):
                try:
                    return self._attempt(url, data)
                except _Retryable as exc:
                    problem = str(exc)
                    if attempt < self.max_retries:
                        self.retries_made += 1
                        self._wait(attempt, exc.retry_after)
            raise LLMError(f"{url}: {problem} after {self.max_retries + 1} attempts")
        except LLMError as exc:  # LLMUnavailable too: no message leaves here with the key in it
            raise type(exc)(self._scrub(str(exc))) from None

    def _attempt(self, url: str, data: bytes) -> str:
        """One request with one total deadline; same-origin 307/308 redirects are followed."""
        deadline = time.monotonic() + self.timeout
        for _ in range(4):
            response = self._post(url, data, deadline)
            if response.status not in REDIRECTS:
                return self._read_answer(url, response)
            location = urljoin(url, response.headers.get("Location", ""))
            if _origin(location) != _origin(url):
                raise LLMUnavailable(f"{self.base_url} redirected the request to another address ({location}); "
                                     "topiclens sends the key and documents only where you point it: give that "
                                     "address in llm= (openai:MODEL@URL) if you trust it")
            if response.status not in (307, 308):
                raise LLMUnavailable(f"{url} answered {response.status} (redirect to {location}): give the final "
                                     "address in llm= (openai:MODEL@URL)")
            url = location
        raise LLMUnavailable(f"{self.base_url} redirected too many times: give the final address")

    def _read_answer(self, url: str, response: _Response) -> str:
        if response.status == 200:
            return _answer_text(response.body)
        detail = response.body[:300].decode("utf-8", "replace")
        if response.status in (401, 403):
            hint = f"check ${self.api_key_env}" if self.api_key_env else "name the key's variable with api_key_env="
            raise LLMUnavailable(f"{self.base_url} refused the request ({response.status}): {hint}")
        if response.status == 404:
            raise LLMUnavailable(f"{url} answered 404: check the base URL (usually ends in /v1) "
                                 f"and the model name {self.model!r}")
        if response.status in RETRY_STATUS:
            raise _Retryable(f"HTTP {response.status}", response.headers.get("Retry-After"))
        raise LLMError(f"{url} answered {response.status}: {detail}")

    def _post(self, url: str, data: bytes, deadline: float) -> _Response:
        parts = urlsplit(url)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        path = parts.path + (f"?{parts.query}" if parts.query else "")

        def remaining() -> float:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Retryable(f"no complete answer within {self.timeout:g} s")
            return left

        connection = connection_class(parts.hostname, parts.port, timeout=remaining())
        try:
            connection.request("POST", path, body=data, headers=self._headers())
            sock = connection.sock  # the connection lets go of it once the response says Connection: close
            sock.settimeout(remaining())
            response = connection.getresponse()
            chunks, size = [], 0
            while True:
                sock.settimeout(remaining())
                chunk = response.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise _Retryable(f"answer longer than {self.max_response_bytes:,} bytes")
                chunks.append(chunk)
            return _Response(response.status, response.headers, b"".join(chunks))
        except TimeoutError:
            raise _Retryable(f"no complete answer within {self.timeout:g} s") from None
        except (ConnectionRefusedError, socket.gaierror) as exc:
            raise LLMUnavailable(f"cannot reach {self.base_url} ({exc}): is the server running?") from None
        except (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead,
                BrokenPipeError) as exc:
            raise _Retryable(f"connection dropped ({type(exc).__name__})") from None
        except (http.client.HTTPException, OSError) as exc:
            raise _Retryable(f"connection failed ({exc})") from None
        finally:
            connection.close()


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, parts.hostname, port


def _answer_text(raw: bytes) -> str:
    try:
        payload = json.loads(raw)
        content = payload["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise _Retryable(f"malformed answer: {raw[:120]!r}") from None
    if not isinstance(content, str):
        raise _Retryable(f"answer content is {type(content).__name__}, not text")
    return content


def from_spec(rest: str, options: LLMOptions) -> OpenAICompatLLM:
    """The server of an ``openai:MODEL@BASE_URL`` spec."""
    model, _, base_url = rest.partition("@")
    return OpenAICompatLLM(model, base_url, api_key_env=options.api_key_env, concurrency=options.concurrency,
                           timeout=options.timeout, max_retries=options.max_retries)


BACKEND = Backend("openai", "openai:MODEL@BASE_URL", from_spec, accepts=lambda rest: "@" in rest)
