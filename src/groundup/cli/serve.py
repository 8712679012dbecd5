"""`groundup serve [MODEL...]`: a web page to draw digits on and watch a model read them."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from groundup.cli.apps import app

DEFAULT_MODEL = Path("model.safetensors")


@app.command()
def serve(
    models: list[Path] = typer.Argument(
        None,
        metavar="MODEL",
        help="Model files saved by `groundup train` (.safetensors); the page offers a choice "
        "when there are several. Default: ./model.safetensors.",
        show_default=False,
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host",
        help="The address to listen on. The default is this machine only; 0.0.0.0 makes the "
        "page reachable from the network.",
    ),
    port: int = typer.Option(8000, "--port", help="The port to listen on (0: any free one)."),
    open_browser: bool = typer.Option(
        False, "--open", help="Also open the page in your web browser."
    ),
) -> None:
    """Serve a web page to draw digits on, and the API behind it, until Ctrl-C.

    While you draw (or when you drop a picture on it), the page shows the
    digit the model reads, the ten probabilities, and the 28x28 image the
    model saw; pictures go through the same steps as `groundup predict`'s.

    The API is described at /openapi.json: POST /api/predict (a picture's
    bytes as the body, ?model=NAME) and GET /api/models.
    """
    from groundup.errors import GroundupError
    from groundup.serve import create_app, load_models
    from groundup.serve.server import is_loopback, listen, run, url

    if not models:
        if not DEFAULT_MODEL.exists():
            raise GroundupError(
                f"no model given and no {DEFAULT_MODEL} here: run `groundup train` first, "
                "or name a model file"
            )
        models = [DEFAULT_MODEL]
    served = load_models(models)
    web_app = create_app(served)
    sock = listen(host, port)
    address = url(host, sock.getsockname()[1])
    if not is_loopback(host):
        print(f"warning: --host {host}: the page and its API are reachable from the network, "
              "by anyone who can reach this machine", file=sys.stderr, flush=True)
    try:  # from here on, a Ctrl-C is the normal way to stop
        print(f"serving {', '.join(served)} at {address}  (Ctrl-C stops)", flush=True)
        if open_browser:
            import webbrowser

            webbrowser.open(address)  # the socket already listens: the page loads when ready
        run(web_app, sock)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    print("stopped", file=sys.stderr, flush=True)
