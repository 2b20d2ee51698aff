"""The workbench's routes (Starlette): the page, the model's data, edits with their previews, undo and
redo, LLM jobs and exports. Every handler checks what it is given (``requests``) and calls the workspace;
the heavy work runs in a worker thread so the server keeps answering."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...core.errors import TopicLensError, describe_os_error
from .guard import NO_FRAMES, Guard
from .requests import (
    EXPORTS,
    MAX_BODY,
    BodyTooLarge,
    check_export,
    parse_document,
    parse_edit,
    parse_generation,
    parse_llm_job,
    parse_rename,
    read_json_body,
)
from .workspace import Busy

PAGE_ASSETS = ("workbench.css", "workbench.js")


def _csp(nonce: str, frame_ancestors: str = NO_FRAMES) -> str:
    """Scripts: only the page's own inline script; no request leaves for another origin; framed only by
    ``frame_ancestors`` (by no page, unless a notebook shows the workbench)."""
    return (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data: blob:; "
            f"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors}")


def create_app(workspace, token: str, hosts: frozenset[str], *, title: str | None = None,
               frame_ancestors: str = NO_FRAMES) -> Guard:
    """The ASGI application over ``workspace``, behind :class:`~topiclens.apps.serve.guard.Guard`
    (``frame_ancestors``: the pages that may frame it, as CSP sources; by default none)."""

    def refused(exc: TopicLensError | OSError) -> Response:
        """A problem to fix, as one line: 400, or 409 while busy or for a file that cannot be written (the
        command line's line). A body over the cap also ends the connection, so the rest of it is never read."""
        headers = {"connection": "close"} if isinstance(exc, BodyTooLarge) else None
        if isinstance(exc, OSError):
            return JSONResponse({"error": describe_os_error(exc)}, status_code=409)
        return JSONResponse({"error": str(exc)}, status_code=409 if isinstance(exc, Busy) else 400, headers=headers)

    async def answer(work) -> Response:
        """``work()`` (awaited) as JSON, or why not."""
        try:
            return JSONResponse(await work())
        except (TopicLensError, OSError) as exc:
            return refused(exc)

    async def call(function, *args) -> Response:
        return await answer(lambda: run_in_threadpool(function, *args))

    async def body(request: Request) -> Any:
        return await read_json_body(request.stream(), request.headers.get("content-length"), MAX_BODY)

    async def page(request: Request) -> Response:
        from ...views.report import render_report

        nonce = secrets.token_urlsafe(16)

        def render() -> str:
            data = workspace.page_data()
            data["workbench"]["token"] = token
            return render_report(workspace.model, data=data, extra_assets=PAGE_ASSETS, nonce=nonce,
                                 title=title or f"topiclens workbench · {workspace.directory.name}")

        try:
            html = await run_in_threadpool(render)
        except (TopicLensError, OSError) as exc:  # the model cannot be shown: the one line, as plain text
            message = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
            return Response(f"topiclens: {message}\n", status_code=409, media_type="text/plain; charset=utf-8")
        return Response(html, media_type="text/html; charset=utf-8",
                        headers={"content-security-policy": _csp(nonce, frame_ancestors)})

    async def with_body(request: Request, handle) -> Response:
        async def work():
            payload = await body(request)
            return await run_in_threadpool(handle, payload)

        return await answer(work)

    async def topics(request: Request) -> Response:
        return await call(workspace.topics_data)

    async def job(request: Request) -> Response:
        return JSONResponse(None if workspace.job is None else workspace.job.snapshot())

    async def preview(request: Request) -> Response:
        return await with_body(request, lambda p: workspace.preview(parse_edit(p)))

    async def apply(request: Request) -> Response:
        return await with_body(request, lambda p: workspace.apply(parse_edit(p), parse_generation(p)))

    async def rename(request: Request) -> Response:
        return await with_body(request, lambda p: workspace.rename(*parse_rename(p)))

    async def undo(request: Request) -> Response:
        return await with_body(request, lambda p: workspace.step("undo"))

    async def redo(request: Request) -> Response:
        return await with_body(request, lambda p: workspace.step("redo"))

    async def document(request: Request) -> Response:
        return await with_body(request, lambda p: workspace.document(*parse_document(p)))

    async def llm(request: Request) -> Response:
        return await with_body(request, lambda p: workspace.start_job(*parse_llm_job(p)))

    async def llm_stop(request: Request) -> Response:
        return await with_body(request, lambda p: workspace.stop_job())

    async def export(request: Request) -> Response:
        try:
            name = check_export(request.path_params["name"])
            content = await run_in_threadpool(workspace.export, name)
        except (TopicLensError, OSError) as exc:
            return refused(exc)
        stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in workspace.directory.name)
        return Response(content, media_type=EXPORTS[name],
                        headers={"content-disposition": f'attachment; filename="{stem or "topiclens"}-{name}"'})

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    routes = [
        Route("/", page), Route("/favicon.ico", favicon),
        Route("/api/topics", topics), Route("/api/job", job),
        Route("/api/preview", preview, methods=["POST"]), Route("/api/apply", apply, methods=["POST"]),
        Route("/api/rename", rename, methods=["POST"]), Route("/api/undo", undo, methods=["POST"]),
        Route("/api/redo", redo, methods=["POST"]), Route("/api/llm", llm, methods=["POST"]),
        Route("/api/document", document, methods=["POST"]),
        Route("/api/llm/stop", llm_stop, methods=["POST"]), Route("/export/{name}", export),
    ]
    return Guard(Starlette(routes=routes), token, hosts, frame_ancestors=frame_ancestors)
