"""groundup: the fast.ai lecture "SGD from scratch" as real, fast, tested software.

Everything above PyTorch's tensors and autograd is written here: modules and parameters
(`groundup.nn`), optimizers (`groundup.optim`), MNIST and the data loader (`groundup.data`),
the training loop (`groundup.train`), plus the lecture's side tools (broadcasting and the
matmul ladder in `groundup.tensor`, random-forest pictures and interpretation in
`groundup.forest`, hyper-parameter search in `groundup.tune`).
"""

__version__ = "0.1.0"
