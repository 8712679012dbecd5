"""Reading groundup's model and checkpoint files safely, with or without torch.

Layer 0 (imports no torch itself). A file is safetensors: named tensors plus a JSON
metadata document embedded in the header under the key "groundup", so weights and their
description can never drift apart. Reading never unpickles: a pickle-based file (such as a
`torch.save` `.pt`) is recognised by its first bytes and refused.

`read_model_file` is the one reader, for `groundup.train.tensorfile`, `groundup.models.io`
and `groundup.train.checkpoint` (torch tensors) and for `groundup.predictor` (NumPy arrays,
so `groundup predict` need not import torch). It judges a file by one schema before it
reads a byte of tensor data or anything is built:

    reader.py    regular file, no pickle, header size, then `validate`, then finite data
    schema.py    JSON depth; format and "tensors"; a model's architecture (`Arch`), its
                 normalisation, and the tensor shapes the architecture implies
    training.py  a checkpoint's epoch, step, history and state dicts, and their tensors
"""

from groundup.modelfile.reader import MAX_HEADER, META_KEY, read_model_file, validate
from groundup.modelfile.schema import (
    ACTIVATIONS,
    ARCH_FIELDS,
    FORMAT,
    MAX_DEPTH,
    MODELS,
    Arch,
    norm_of,
    parse_meta,
)

__all__ = [
    "ACTIVATIONS",
    "ARCH_FIELDS",
    "FORMAT",
    "MAX_DEPTH",
    "MAX_HEADER",
    "META_KEY",
    "MODELS",
    "Arch",
    "norm_of",
    "parse_meta",
    "read_model_file",
    "validate",
]
