"""groundup.serve: the web page and API of `groundup serve` (draw a digit, watch a model read it).

Layer 4, beside `groundup.cli`, and the only package that speaks HTTP:

    app.py      the FastAPI app: the page, POST /api/predict, GET /api/models, JSON refusals
    models.py   the served models, loaded once by the NumPy predictor (no torch)
    pages.py    the other pages linked from the header (the slot for more)
    schemas.py  the answers' shapes, for the OpenAPI schema
    server.py   the listening socket and uvicorn
    static/     the page: plain HTML, CSS and JavaScript, no build step, nothing from the web

    from groundup.serve import create_app, load_models
    app = create_app(load_models(["model.safetensors"]))
"""

from groundup.serve.app import create_app
from groundup.serve.models import ServedModel, load_models

__all__ = ["ServedModel", "create_app", "load_models"]
