"""The web app of `groundup serve`: the digit page, `POST /api/predict`, `GET /api/models`.

Layer 4, beside `groundup.cli`; the only package that speaks HTTP. A prediction takes the
same path as `groundup predict`'s: `groundup.data.images` makes the picture MNIST-like
(`digit_from_bytes`, the in-memory twin of `load_digit`), then the model's NumPy `Predictor`
reads it. The body is capped while it is read, the picture's size is checked from its
header before it is decoded, and nothing is written to disk. Every refusal is a 4xx status
with a JSON body `{"error": "one line"}`, which the page shows.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import numpy as np
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from groundup.data.images import digit_from_bytes
from groundup.errors import GroundupError
from groundup.serve.models import ServedModel
from groundup.serve.pages import Page, extra_pages
from groundup.serve.schemas import ErrorBody, ModelList, Prediction

STATIC = Path(__file__).parent / "static"
MAX_BODY = 5 * 1024 * 1024  # bytes: a phone photo fits; more is refused while it arrives
MAX_PIXELS = 1 << 24  # 4096 x 4096: checked from the header, before decoding
PICTURE = "the picture"  # how messages name an upload: clients never name files here
# a page that loads nothing but its own files (the picture preview is a blob: URL)
CSP = ("default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")
BODY_DOC = {  # the request body in the OpenAPI schema: the picture file's bytes as they are
    "required": True,
    "description": "A picture of one digit: PNG, JPEG or any format Pillow reads (the "
    f"page sends its canvas as PNG). At most {MAX_BODY:,} bytes and {MAX_PIXELS:,} pixels.",
    "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("image/png", "image/jpeg", "application/octet-stream")},
}
REFUSALS = {  # documented in the OpenAPI schema
    400: "An empty body, or a Content-Length that is not a number.",
    404: "An unknown model name.",
    413: f"A body over {MAX_BODY:,} bytes.",
    422: "Not an image, a truncated one, too many pixels, or no ink (a blank canvas).",
}


class ApiError(Exception):
    """A request the API refuses: an HTTP status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def create_app(models: dict[str, ServedModel], pages: list[Page] | None = None) -> FastAPI:
    """Return the app answering with `models` (the first is the default), linking `pages`
    (default: `extra_pages()`) from the page's header."""
    if not models:
        raise GroundupError("no model to serve")
    pages = extra_pages() if pages is None else pages
    app = FastAPI(
        title="groundup serve",
        summary="Draw a digit, or send a picture of one, and see what a groundup model reads.",
        version="1",
        docs_url=None,  # FastAPI's viewers load scripts from a CDN; the page works offline
        redoc_url=None,
        responses={s: {"model": ErrorBody, "description": d} for s, d in REFUSALS.items()},
    )
    _add_error_handlers(app)
    warm_up(models)
    index = _index_html(pages)
    default = next(iter(models))
    listing = {"default": default, "models": [m.info() for m in models.values()]}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(index, headers={"Content-Security-Policy": CSP})

    @app.get("/api/models", response_model=ModelList, summary="The models served")
    def list_models() -> dict:
        """Return each model's name, architecture and test accuracy; `default` answers a
        prediction that names no model."""
        return listing

    @app.post("/api/predict", response_model=Prediction, summary="Read a digit",
              openapi_extra={"requestBody": BODY_DOC})
    async def predict(
        request: Request,
        model: str | None = Query(None, max_length=200,
                                  description="A name from /api/models; default: the first."),
    ) -> JSONResponse:
        """Return the digit in the picture sent as the body, its ten probabilities, the
        28x28 image the model saw and the time each step took. The picture goes through the
        same steps as `groundup predict`'s."""
        start = time.perf_counter()
        chosen = _model(models, model)
        data = await read_body(request, MAX_BODY)
        # ~3 ms of work, run right here in the event loop: it holds the GIL for most of that,
        # so a thread pool was measured to add latency and no throughput (docs/serve.md)
        return JSONResponse(predict_bytes(chosen, data, start))

    for extra in pages:
        app.include_router(extra.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def predict_bytes(model: ServedModel, data: bytes, start: float) -> dict:
    """Return the `Prediction` of `model` for the picture file in `data` (timed from `start`);
    a picture that cannot be read is a GroundupError."""
    read = time.perf_counter()
    pixels = digit_from_bytes(data, PICTURE, max_pixels=MAX_PIXELS)  # (28, 28) in [0, 1)
    seen = time.perf_counter()
    probs = model.predictor.predict_proba(pixels.reshape(1, -1))[0]
    done = time.perf_counter()
    return {
        "model": model.name,
        "digit": int(np.argmax(probs)),
        "probabilities": [round(float(p), 6) for p in probs],
        "view": (pixels * 256).astype(np.uint8).tolist(),  # as `predict` shows it
        "timing": {
            "read_ms": _ms(read - start),
            "preprocess_ms": _ms(seen - read),
            "predict_ms": _ms(done - seen),
            "total_ms": _ms(done - start),
        },
    }


def warm_up(models: dict[str, ServedModel]) -> None:
    """Run one picture through each model, so that the first visitor does not wait for the
    decoders to load and the caches to fill (the first prediction takes ~10x longer)."""
    import io

    from PIL import Image, ImageDraw

    for side in (128, 300):  # what the page sends; an upload, shrunk on the way
        image = Image.new("RGB", (side, side), "white")
        ImageDraw.Draw(image).line([(side // 3, side // 6), (side // 2, side * 5 // 6)],
                                   fill="black", width=side // 12)
        out = io.BytesIO()
        image.save(out, format="PNG")
        for model in models.values():
            predict_bytes(model, out.getvalue(), time.perf_counter())


async def read_body(request: Request, limit: int) -> bytes:
    """Return the request's body; ApiError 413 as soon as it is known to pass `limit` bytes
    (from Content-Length, or while it arrives), 400 if it is empty."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise ApiError(400, "Content-Length is not a number")
        if int(length) > limit:
            raise ApiError(413, _too_large(int(length), limit))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, _too_large(size, limit, more=True))
        chunks.append(chunk)
    if size == 0:
        raise ApiError(400, "empty body: send the picture's bytes (PNG or JPEG)")
    return b"".join(chunks)


def _model(models: dict[str, ServedModel], name: str | None) -> ServedModel:
    """Return the model called `name` (the first when None); ApiError 404 if there is none."""
    if name is None:
        return next(iter(models.values()))
    if name not in models:
        shown = name if len(name) <= 40 else name[:40] + "..."
        raise ApiError(404, f"unknown model {shown!r}; this server has {', '.join(models)}")
    return models[name]


def _too_large(size: int, limit: int, more: bool = False) -> str:
    over = "more than " if more else ""
    return f"the picture is too large: {over}{size:,} bytes (at most {limit:,})"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _add_error_handlers(app: FastAPI) -> None:
    """Make every refusal, the framework's own included, a JSON `{"error": "one line"}`."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, e: ApiError) -> JSONResponse:
        return _error(e.status, str(e))

    @app.exception_handler(GroundupError)
    async def unreadable(request: Request, e: GroundupError) -> JSONResponse:
        return _error(422, str(e))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        first = e.errors()[0] if e.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(422, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, e: HTTPException) -> JSONResponse:
        return _error(e.status_code, str(e.detail), getattr(e, "headers", None))


def _error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    line = message.strip().splitlines()[0] if message.strip() else "error"
    return JSONResponse({"error": line}, status_code=status, headers=headers)


def _index_html(pages: list[Page]) -> str:
    """Return the page's HTML with a header link to each of `pages`."""
    links = "".join(
        f'<a href="{html.escape(p.path)}">{html.escape(p.label)}</a>' for p in pages
    )
    return (STATIC / "index.html").read_text(encoding="utf-8").replace("<!-- pages -->", links)
