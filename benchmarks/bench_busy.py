"""Seconds per training epoch on a quiet machine and with one core busy: torch's thread policy
vs groundup's (`groundup.threads.configure_threads`, what `groundup train` runs first).

    .venv/bin/python benchmarks/bench_busy.py [--models mlp,logreg,cnn] [--repeats 3]
        [--epochs 3] [--rows 20000] [--policies default,ours] [--late] [--wait 120]

Each run is a fresh process (the thread settings are fixed when torch loads) that trains
`train_mnist`'s recipe on the first `rows` training images for `epochs` epochs and reports
the median training seconds of the epochs after the first, scaled to the full 50,000 images.
"Busy" runs start a `python -c "while True: pass"` loop first and stop it after; with
--late, "late" runs start it when the first epoch ends and train 2 epochs more (the median
is of epochs with it running, under a count chosen while the machine was quiet: the
epoch in which ThreadWatch notices is one of them). Runs are
interleaved (repeat, model, quiet/busy, policy in a rotating order) so that a slow spell of
a shared machine hits every policy; the table shows medians over the repeats. Before each
run it waits (up to --wait seconds) for the machine to fall quiet, and each run measures the
cores other programs used while it trained ("others' cores": near 0 quiet, near 1 busy;
more means someone else's work was running too, and the figures are not clean).

Policies: default = torch's own (one spinning OpenMP thread per usable core), ours = what
groundup chooses; for comparison: passive (every core, OMP_WAIT_POLICY=PASSIVE), spin
(every core, GOMP_SPINCOUNT=10000), one (one thread).
Target (issue 12): ours busy/quiet <= 2, ours/default on a quiet machine <= 1.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

MODELS = {  # TrainSpec settings of each model; the rest are the recipe's defaults
    "mlp": {"model": "mlp"},  # 784-512-10
    "mlp100": {"model": "mlp", "hidden": (100,)},
    "logreg": {"model": "logreg"},
    "cnn": {"model": "cnn", "channels": (8, 16)},
}
POLICY_ENV = {  # the environment of each policy's run; "ours" adds nothing
    "default": {},
    "ours": {},
    "passive": {"OMP_WAIT_POLICY": "PASSIVE"},
    "spin": {"GOMP_SPINCOUNT": "10000"},
    "one": {"OMP_NUM_THREADS": "1"},
}
FULL_EPOCH = 50_000
# CPU-bound until stopped, or until this benchmark is gone (then it is orphaned: ppid changes)
BUSY = "import os, sys\nwhile os.getppid() == int(sys.argv[1]):\n    for _ in range(10**5): pass"


def start_busy() -> subprocess.Popen:
    """Return a started CPU-bound process that ends when this one does."""
    return subprocess.Popen([sys.executable, "-c", BUSY, str(os.getpid())])


class BusyAfterFirstEpoch:
    """A fit callback: starts a busy process when the first epoch ends, stops it at the end."""

    hog: subprocess.Popen | None = None

    def before_fit(self, state: object) -> None: ...
    def before_epoch(self, state: object) -> None: ...
    def after_batch(self, state: object) -> None: ...

    def after_epoch(self, state: object, log: object) -> None:
        if self.hog is None:
            self.hog = start_busy()

    def after_fit(self, state: object) -> None:
        if self.hog is not None:
            self.hog.kill()
            self.hog.wait()


def worker(policy: str, model: str, epochs: int, rows: int, late: bool) -> None:
    """Train one model in this process under `policy` and print its timings as JSON; with
    `late`, a busy process starts when the first epoch ends."""
    choice, callbacks = None, []
    if policy == "ours":
        from groundup.threads import ThreadWatch, configure_threads

        choice = configure_threads()  # as groundup's CLI does, before torch loads
        callbacks = [ThreadWatch()]  # re-counts the idle cores while training
    import torch

    from groundup.models import TrainSpec
    from groundup.models.job import train_mnist
    from groundup.threads import cpu_times, others_idle_cores, read_proc_stat

    stat0, cpu0 = read_proc_stat(), time.process_time()
    result = train_mnist(TrainSpec(**MODELS[model], epochs=epochs), train_rows=rows,
                         callbacks=[*callbacks, *([BusyAfterFirstEpoch()] if late else [])])
    stat1, cpu1 = read_proc_stat(), time.process_time()
    scaled = [t * FULL_EPOCH / rows for t in result.history.seconds]
    later = scaled[1:] or scaled
    cores = len(os.sched_getaffinity(0))
    free = others_idle_cores(cpu_times(stat0 or ""), cpu_times(stat1 or ""), cpu1 - cpu0,
                             os.sysconf("SC_CLK_TCK"), os.sched_getaffinity(0))
    print(json.dumps({
        "seconds": statistics.median(later),
        "epochs": scaled,
        "threads": torch.get_num_threads(),
        "reason": choice.reason if choice else "",
        "changes": callbacks[0].changes if callbacks else [],  # ThreadWatch's (from, to)
        "others": None if free is None else cores - free,  # cores other programs used
    }))


def wait_quiet(limit: float) -> bool:
    """Return whether the machine fell quiet (every core >= 90% idle for 0.5 s) within
    `limit` seconds; other people's work would otherwise count as "quiet"."""
    from groundup.threads import available_cores, sample_idle_cores

    end = time.monotonic() + limit
    while True:
        idle = sample_idle_cores(0.5)
        if idle is None or idle >= 0.9 * available_cores():
            return True
        if time.monotonic() > end:
            return False


def run(policy: str, model: str, cond: str, args: argparse.Namespace) -> dict:
    """Return the worker's report for one run under `cond`: quiet, busy (a busy process
    running throughout) or late (one that starts when the first epoch ends)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OMP_", "GOMP_", "MKL_", "KMP_"))}
    env.update(POLICY_ENV[policy])
    if policy == "default":  # torch's default count, said out loud so that nothing changes it
        env["OMP_NUM_THREADS"] = str(len(os.sched_getaffinity(0)))
    quiet = wait_quiet(args.wait)
    hog = start_busy() if cond == "busy" else None
    try:
        if hog:
            time.sleep(0.3)  # let it take its core
        out = subprocess.run(
            [sys.executable, __file__, "--worker", policy, model,
             str(args.epochs + 2 * (cond == "late")), str(args.rows), str(int(cond == "late"))],
            env=env, capture_output=True, text=True, check=True,
        ).stdout
    finally:
        if hog:
            hog.kill()
            hog.wait()
    return {**json.loads(out.strip().splitlines()[-1]), "quiet_before": quiet}


def table(results: dict, policies: list[str], models: list[str], conds: list[str]) -> None:
    """Print, per model and policy, median seconds/epoch in each condition and the ratios."""
    heads = "".join(f"{c + ' s/ep':>12}" for c in conds)
    ratios = "".join(f"{c + '/quiet':>12}" for c in conds[1:])
    print(f"{'model':8} {'policy':8}{heads}{ratios} {'quiet/default':>13}  threads"
          f"{'':{4 * len(conds) - 6}}  others' cores")

    def med(key: tuple, field: str) -> float:
        values = [r[field] for r in results[key] if r[field] is not None]
        return statistics.median(values) if values else float("nan")

    for m in models:
        base = med((m, "default", "quiet"), "seconds") if "default" in policies else None
        for p in policies:
            secs = [med((m, p, c), "seconds") for c in conds]
            vs = f"{secs[0] / base:13.2f}" if base else f"{'':13}"
            th = "/".join(",".join(sorted({str(r["threads"]) for r in results[m, p, c]}))
                          for c in conds)
            others = "/".join(f"{med((m, p, c), 'others'):.2f}" for c in conds)
            print(f"{m:8} {p:8}" + "".join(f"{v:12.2f}" for v in secs)
                  + "".join(f"{v / secs[0]:12.2f}" for v in secs[1:])
                  + f" {vs}  {th:{4 * len(conds) + 1}}  {others}")


def main() -> None:
    """Run the interleaved runs of every model, condition and policy and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="mlp,logreg,cnn")
    parser.add_argument("--policies", default="default,ours")
    parser.add_argument("--late", action="store_true",
                        help="also time runs where the busy process starts after epoch 1")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--wait", type=float, default=120.0,
                        help="seconds to wait, before each run, for other programs to stop")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the busy process too
    if args.worker:
        policy, model, epochs, rows, late = args.worker
        worker(policy, model, int(epochs), int(rows), late == "1")
        return
    models, policies = args.models.split(","), args.policies.split(",")
    conds = ["quiet", "busy", *(["late"] if args.late else [])]
    for name in (*models, *policies):
        if name not in MODELS and name not in POLICY_ENV:
            parser.error(f"unknown model or policy {name!r}")
    results: dict = {}
    for rep in range(args.repeats):
        order = policies[rep % len(policies):] + policies[:rep % len(policies)]
        for m in models:
            for cond in conds:
                for p in order:
                    r = run(p, m, cond, args)
                    results.setdefault((m, p, cond), []).append(r)
                    others = "?" if r["others"] is None else f"{r['others']:.2f}"
                    print(f"# rep {rep + 1} {m} {cond:5} {p:8} {r['seconds']:7.2f} s/epoch, "
                          f"{r['threads']} threads, others used {others} cores"
                          f"{'' if r['quiet_before'] else ' (never quiet)'}; {r['reason']}"
                          f"{' changes ' + str(r['changes']) if r['changes'] else ''}"
                          + (f"; epochs {[round(t, 2) for t in r['epochs']]}"
                             if cond == "late" else ""), flush=True)
    print(f"# cores: {len(os.sched_getaffinity(0))}, rows {args.rows} scaled to {FULL_EPOCH}, "
          f"{args.epochs} epochs (first dropped), medians of {args.repeats} repeats")
    table(results, policies, models, conds)


if __name__ == "__main__":
    main()
