"""An interactive 3-D view of one record: a self-contained HTML page that works offline.

plotly (https://plotly.com/python/) draws both bands as surfaces side by side, on one z
range and one colour scale, rotatable and zoomable in any browser. The plotly.js library
(about 4.7 MB) is written into the page itself, not linked from a CDN, so the file opens
with no network.
"""

from __future__ import annotations

import os
from pathlib import Path

from groundup.fileio import atomic_path, prepare_output_file
from groundup.radar.pictures import BAND_TITLES, View, title
from groundup.radar.records import Record

COLORSCALE = "Viridis"


def write_html(record: Record, path: str | os.PathLike, view: View = View()) -> Path:
    """Return the path after writing the record's interactive 3-D view as one HTML file."""
    path = prepare_output_file(path, "html")
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    values = view.values(record)
    lo, hi = float(values.min()), float(values.max())
    fig = make_subplots(rows=1, cols=2, specs=[[{"type": "surface"}, {"type": "surface"}]],
                        subplot_titles=BAND_TITLES, horizontal_spacing=0.02)
    for b in range(2):
        fig.add_trace(go.Surface(z=values[b], cmin=lo, cmax=hi, colorscale=COLORSCALE,
                                 showscale=b == 1, colorbar={"title": view.unit},
                                 name=BAND_TITLES[b]), row=1, col=b + 1)
    scene = {"zaxis": {"range": [lo, hi], "title": view.unit},
             "xaxis": {"title": "x"}, "yaxis": {"title": "y"},
             "aspectratio": {"x": 1, "y": 1, "z": 0.6}}
    fig.update_layout(title=title(record), scene=scene, scene2=scene, height=650,
                      margin={"l": 10, "r": 10, "t": 70, "b": 10})
    with atomic_path(path, ".html") as tmp:
        fig.write_html(tmp, include_plotlyjs=True, full_html=True, auto_open=False)
    return path
