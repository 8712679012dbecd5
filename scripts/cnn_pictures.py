"""Draw docs/img/cnn_filters.png and docs/img/cnn_feature_maps.png from a trained cnn.

    .venv/bin/python scripts/cnn_pictures.py --model MODEL.safetensors   # a model file
    .venv/bin/python scripts/cnn_pictures.py [--epochs N] [--save PATH]  # train the default cnn
    .venv/bin/python scripts/cnn_pictures.py --cost                      # the cost table only

The filters are the first conv layer's; the feature maps are those of test digit `--digit`
(default 0, a 7), normalised with the model's own statistics. Every run also prints the
model's parameters and multiply-adds per image, layer by layer (`model_cost`); `--cost`
prints them for the default cnn (channels 16,32,64, pool max), the small one (8,16, stride) and
the default mlp, without training anything.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from groundup.data import N_PIXELS, load_mnist
from groundup.models import build_model
from groundup.models.conv_plots import plot_conv_filters, plot_feature_maps
from groundup.models.evaluate import model_norm
from groundup.nn import Conv2d, Linear, Module, Sequential

COSTED = (  # the two cnns docs/cnn.md describes, and train's default mlp to compare with
    ("cnn channels (16, 32, 64), pool max",
     {"name": "cnn", "channels": (16, 32, 64), "pool": "max"}),
    ("cnn channels (8, 16), pool stride", {"name": "cnn", "channels": (8, 16), "pool": "stride"}),
    ("mlp 784-512-10", {"name": "mlp", "hidden": (512,)}),
)


def model_cost(model: Module, n_in: int = N_PIXELS) -> list[tuple[str, int, int]]:
    """Return (layer, parameters, multiply-adds per image) for each Conv2d and Linear.

    One zero image runs through the model's own layers to learn each conv's output size: a
    conv's multiply-adds are out_h * out_w * c_out * c_in * k * k, a Linear's n_in * n_out.
    (Biases, activations and pools are one operation per output element: left out.)
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model_cost walks a Sequential, not {type(model).__name__}")
    rows = []
    x = torch.zeros(1, n_in)
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            params = sum(p.numel() for p in layer.parameters())
            if isinstance(layer, Conv2d):
                _, c_out, oh, ow = x.shape
                macs = oh * ow * c_out * layer.c_in * layer.k * layer.k
                rows.append((f"conv {layer.c_in}->{c_out} k{layer.k}"
                             f"{' stride ' + str(layer.stride) if layer.stride > 1 else ''}"
                             f", out {oh}x{ow}", params, macs))
            elif isinstance(layer, Linear):
                rows.append((f"linear {layer.n_in}->{layer.n_out}", params,
                             layer.n_in * layer.n_out))
    return rows


def cost_lines(model: Module, title: str) -> list[str]:
    """Return the cost table of `model` as text lines, totals last (FLOPs = 2 x multiply-adds)."""
    rows = model_cost(model)
    lines = [title, f"  {'layer':<34}{'parameters':>11}{'multiply-adds':>15}"]
    lines += [f"  {name:<34}{p:>11,}{m:>15,}" for name, p, m in rows]
    params, macs = sum(r[1] for r in rows), sum(r[2] for r in rows)
    if params != model.num_parameters():  # every parameter must sit in a conv or a Linear
        raise RuntimeError(f"counted {params:,} of {model.num_parameters():,} parameters")
    lines.append(f"  {'total':<34}{params:>11,}{macs:>15,}"
                 f"   ({2 * macs / 1e6:.2f} MFLOPs per image)")
    return lines


def print_costs() -> None:
    """Print the cost tables of the models in COSTED."""
    for title, settings in COSTED:
        print("\n".join(cost_lines(build_model(**settings), title)) + "\n")


def get_model(args: argparse.Namespace) -> tuple[Module, dict]:
    """Return (model, metadata): loaded from --model, or a cnn trained now (saved to --save)."""
    if args.model is not None:
        from groundup.models.io import load_model

        return load_model(args.model)
    from groundup.models import TrainSpec, train_mnist
    from groundup.models.io import save_model

    spec = TrainSpec(model="cnn", device="cpu",
                     **({"epochs": args.epochs} if args.epochs is not None else {}))
    print(f"training a cnn for {spec.validate().epochs} epochs ...")
    r = train_mnist(spec)
    if args.save is not None:
        print(f"saved {save_model(args.save, r.model, r.meta)}")
    return r.model.eval(), r.meta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, help="a cnn model file; without it, train one")
    ap.add_argument("--epochs", type=int, help="epochs when training (default: train's)")
    ap.add_argument("--save", type=Path, help="where to save the model trained here")
    ap.add_argument("--out-dir", type=Path, default=Path("docs/img"))
    ap.add_argument("--digit", type=int, default=0, help="the test row whose maps to draw")
    ap.add_argument("--cost", action="store_true", help="print the cost tables and stop")
    args = ap.parse_args()
    if args.cost:
        print_costs()
        return
    model, meta = get_model(args)
    arch = f"channels {tuple(meta['channels'])}, pool {meta.get('pool', 'max')}"
    acc = meta.get("test_accuracy")
    print("\n".join(cost_lines(model, f"cnn {arch}"
                               + (f", test accuracy {acc:.4f}" if acc is not None else ""))))
    x, y = load_mnist("test", normalize=False)
    digit = x[args.digit]
    print(plot_conv_filters(model, args.out_dir / "cnn_filters.png"))
    print(plot_feature_maps(model, digit, args.out_dir / "cnn_feature_maps.png",
                            norm=model_norm(meta),
                            name=f"test digit {args.digit} (a {int(y[args.digit])})"))


if __name__ == "__main__":
    main()
