"""The file rules every layer shares: one output-path rule, atomic writes, CSV tables.

Layer 0. Every file groundup writes passes one output-path rule (`check_output_file`),
before any work starts and again at the write: a file name (not empty, ".", "/", nor
ending in a separator) of a regular file or of nothing (never a directory, device, FIFO or
socket, even for root), in a directory that really takes a new file (tried: os.access says
yes to root on a read-only file system). With `sidecar=True` its JSON copy (`sidecar_path`)
passes too and is never the file itself: a name ending in .json is refused, since the copy
would overwrite it and a copy named otherwise is one a reader could not guess. A problem
is a one-line `SettingError(param, ...)` naming the caller's parameter.

Writes are atomic (`atomic_path`, `atomic_paths`): a temporary beside the target, fsynced,
`os.replace`d over it, the directory fsynced. Temporaries go on every exit Python sees,
Ctrl-C included; one left by `kill -9` is named `.NAME.gutmp-PID-XXXXXXXX[.suffix]`, and
`prepare_output_file` (a run's check of its outputs) removes those of its targets whose
process is gone or started after the file was written (the PID was reused). A set of files
(a model and its JSON copy) is renamed into place under an exclusive `flock` on the
directory, so two runs writing one model each leave a whole pair, never one's model beside
the other's copy. Readers need no lock: the metadata embedded in the model is the one read;
the JSON file is a copy for people.

`read_csv` is the one way a user's table is read, with one-line errors for every way it
can be wrong, and `check_finite` the one rule for its numbers (no inf, nothing past
float32, no gap unless the caller fills gaps), naming the column and the row.

    paths.py        the output-path rule (check_output_file, prepare_output_dir, ...)
    atomic.py       atomic writes, alone or as a locked pair
    temporaries.py  temporaries' names, and removing those a killed run left
    tables.py       read_csv, check_finite
"""

from groundup.fileio.atomic import (
    atomic_path,
    atomic_paths,
    atomic_write_bytes,
    atomic_write_text,
    directory_lock,
)
from groundup.fileio.paths import (
    check_distinct_outputs,
    check_output_file,
    output_problem,
    prepare_output_dir,
    prepare_output_file,
    sidecar_path,
)
from groundup.fileio.tables import FLOAT32_MAX, check_finite, read_csv
from groundup.fileio.temporaries import TEMP_TAG, remove_stale_temporaries

__all__ = [
    "FLOAT32_MAX",
    "TEMP_TAG",
    "atomic_path",
    "atomic_paths",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_distinct_outputs",
    "check_finite",
    "check_output_file",
    "directory_lock",
    "output_problem",
    "prepare_output_dir",
    "prepare_output_file",
    "read_csv",
    "remove_stale_temporaries",
    "sidecar_path",
]
