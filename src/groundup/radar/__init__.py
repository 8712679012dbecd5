"""groundup.radar: the two-band radar images of Kaggle's Statoil/C-CORE Iceberg Classifier
Challenge — read as a stream, corrected by the backscatter formulas, drawn as 3-D surfaces,
and classified ship or iceberg by a small net of groundup's own layers.

Layer 3. The reading, the formulas and the generator import no torch; the net does.

    records.py   one record's fields and their checks (Record, parse_record)
    reader.py    streaming with ijson: iter_records, find_record, iter_batches, read_arrays
    physics.py   dB <-> linear, HH/HV bands, angle corrections, sigma0 / gamma0 from beta0
    synth.py     synthetic records in the competition's format (ids "synth-...")
    summary.py   counts, angles, per-band statistics by class, the brightest records
    pictures.py  surfaces over images (PNG), the gallery
    html.py      the interactive 3-D page (plotly, self-contained)
    net.py       RadarNet and the Flips augmentation
    modelio.py   the model file: safetensors + JSON, its schema checked on read
    fitting.py   fit_radar (stratified split, log loss), predict_file (Kaggle submission)
"""

from groundup.radar.reader import RadarArrays, find_record, iter_batches, iter_records, read_arrays
from groundup.radar.records import PIXELS, SIDE, Record

__all__ = [
    "PIXELS",
    "SIDE",
    "RadarArrays",
    "Record",
    "find_record",
    "iter_batches",
    "iter_records",
    "read_arrays",
]
