"""The API of `groundup serve`, against a real server process: answers, and each refusal."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from groundup.serve.app import MAX_BODY, MAX_PIXELS
from tests.serve.conftest import Server, drawn_digit, png

SEVEN = [[(0.28, 0.2), (0.72, 0.2), (0.45, 0.82)]]


@pytest.fixture(scope="module")
def client(server: Server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def post(client: httpx.Client, body, model: str | None = None, **kw) -> httpx.Response:
    params = {"model": model} if model is not None else {}
    return client.post("/api/predict", content=body, params=params, **kw)


def fake_png(width: int, height: int) -> bytes:
    """Return a tiny PNG file whose header claims `width` x `height` pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))


def assert_refused(r: httpx.Response, status: int, needle: str) -> None:
    """The answer is `status` with a JSON body {"error": one line containing `needle`}."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    assert needle in body["error"] and "\n" not in body["error"], body


def test_models_are_listed_with_their_metadata(client, digit_model: Path) -> None:
    r = client.get("/api/models")
    assert r.status_code == 200
    listing = r.json()
    assert listing["default"] == "fast"
    by_name = {m["name"]: m for m in listing["models"]}
    assert list(by_name) == ["fast", "tiny"]
    assert by_name["fast"]["arch"].startswith("cnn 784-conv8-conv16-10")
    assert by_name["tiny"]["arch"] == "mlp 784-32-10 (relu)"
    assert by_name["fast"]["test_accuracy"] > 0.95
    assert by_name["tiny"]["params"] == 784 * 32 + 32 + 32 * 10 + 10


def test_a_drawn_digit_is_read_as_groundup_predict_reads_it(client, digit_model, tmp_path) -> None:
    """One path: the answer equals load_digit + the NumPy predictor on the same file."""
    from groundup.data.images import load_digit
    from groundup.predictor import load_predictor
    from groundup.serve.schemas import Prediction

    body = png(drawn_digit(SEVEN))
    r = post(client, body)
    assert r.status_code == 200, r.text
    answer = r.json()
    Prediction.model_validate(answer)  # the documented shape
    path = tmp_path / "seven.png"
    path.write_bytes(body)
    pixels = load_digit(path)
    probs = load_predictor(digit_model).predict_proba(pixels.reshape(1, -1))[0]
    assert answer["digit"] == int(np.argmax(probs)) == 7
    assert answer["probabilities"] == pytest.approx(probs.tolist(), abs=1e-6)
    assert sum(answer["probabilities"]) == pytest.approx(1, abs=1e-4)
    assert np.array_equal(np.array(answer["view"]), (pixels * 256).astype(np.uint8))
    assert answer["model"] == "fast"
    assert 0 < answer["timing"]["predict_ms"] <= answer["timing"]["total_ms"]


def test_a_model_is_chosen_by_name(client) -> None:
    r = post(client, png(drawn_digit(SEVEN)), model="tiny")
    assert r.status_code == 200 and r.json()["model"] == "tiny"


def test_a_jpeg_is_read(client) -> None:
    import io

    out = io.BytesIO()
    drawn_digit(SEVEN, side=300).save(out, format="JPEG", quality=90)
    r = post(client, out.getvalue(), headers={"content-type": "image/jpeg"})
    assert r.status_code == 200 and r.json()["digit"] == 7


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        (b"", 400, "empty body"),
        (b"hello, this is not a picture", 422, "not an image"),
        (png(drawn_digit(SEVEN))[:200], 422, "truncated"),
        (png(Image.new("RGB", (128, 128), "white")), 422, "no ink found"),  # a blank canvas
        (png(Image.new("L", (4, 4), 0)), 422, "too small"),
        (fake_png(5000, 5000), 422, f"at most {MAX_PIXELS:,}"),  # over our cap
        (fake_png(100_000, 100_000), 422, "too many pixels"),  # a bomb, by Pillow's guard too
    ],
    ids=["empty", "not-an-image", "truncated", "blank-canvas", "tiny", "too-many-pixels",
         "decompression-bomb"],
)
def test_bad_pictures_are_refused_in_one_line(client, body: bytes, status: int, needle) -> None:
    assert_refused(post(client, body), status, needle)


def test_a_body_over_the_cap_is_refused_from_its_length(client) -> None:
    assert_refused(post(client, b"\0" * (MAX_BODY + 1)), 413, "too large")


def test_a_body_over_the_cap_is_refused_while_it_arrives(client) -> None:
    """Sent in chunks with no Content-Length: the server stops at the cap."""
    def chunks():
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"\0" * 65536

    assert_refused(post(client, chunks()), 413, "more than")


def test_an_unknown_model_is_refused(client) -> None:
    r = post(client, png(drawn_digit(SEVEN)), model="../../etc/passwd")
    assert_refused(r, 404, "unknown model '../../etc/passwd'; this server has fast, tiny")
    assert_refused(post(client, b"x", model="m" * 300), 422, "model")


def test_other_mistakes_are_json_too(client) -> None:
    assert_refused(client.get("/nothing-here"), 404, "Not Found")
    assert_refused(client.get("/api/predict"), 405, "Method Not Allowed")


def test_the_openapi_schema_documents_the_api(client) -> None:
    schema = client.get("/openapi.json").json()
    predict = schema["paths"]["/api/predict"]["post"]
    assert {"image/png", "image/jpeg"} <= set(predict["requestBody"]["content"])
    assert predict["parameters"][0]["name"] == "model"
    assert {"200", "404", "413", "422"} <= set(predict["responses"])
    assert "get" in schema["paths"]["/api/models"]
    assert {"Prediction", "ModelList", "ErrorBody"} <= set(schema["components"]["schemas"])


def test_the_page_and_its_files_are_served(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<canvas" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert "http" not in client.get("/static/app.js").text  # nothing from the web


def test_after_every_refusal_the_server_still_serves_and_wrote_nothing(
        client, server: Server) -> None:
    """Runs after the refusals above (file order): nothing on disk, the next answer good."""
    for body in (b"", b"junk", fake_png(100_000, 100_000), b"\0" * (MAX_BODY + 1)):
        assert post(client, body).status_code >= 400
    assert post(client, png(drawn_digit(SEVEN))).json()["digit"] == 7
    assert list(server.cwd.iterdir()) == [] and list(server.tmpdir.iterdir()) == []
    assert server.process.poll() is None
    assert not any("Traceback" in line for line in server.err), server.err
