"""groundup.animate (layer 3): pictures of what a matmul does, from `groundup.tensor.steps`.

    scene.py   the steps laid out: boxes on a grid and, frame by frame, what is lit
    frames.py  the frames drawn with Pillow: an animated GIF, one still PNG per step
    page.py    one self-contained HTML page (inline SVG and JavaScript) that plays them
"""
