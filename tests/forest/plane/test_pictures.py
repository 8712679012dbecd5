"""The picture set: every file written, titles in plain words, pixels equal to the forest's."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from groundup.errors import SettingError
from groundup.forest.plane.bagging import average_on_grid, grow_resampled_trees, to_random_forest
from groundup.forest.plane.colours import ColourScale
from groundup.forest.plane.grid import PlaneGrid
from groundup.forest.plane.pictures import (
    FILE_NAMES,
    PictureSettings,
    draw_forest_pictures,
    forest_figure,
    one_tree_figure,
    trees_figure,
)
from groundup.forest.plane.synthetic import PlaneData, make_corners, make_xor
from groundup.plot import plt


def _titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes if ax.get_visible()]


def test_the_whole_set_is_written_with_progress(tmp_path) -> None:
    data = make_corners(n=80, seed=1)
    seen = []
    paths = draw_forest_pictures(
        data, tmp_path / "pics", PictureSettings(grid_size=24),  # the GIF: tests/cli
        on_progress=lambda done, total, what: seen.append((done, total)),
    )
    assert [p.name for p in paths] == list(FILE_NAMES.values())[:5]
    for path in paths:
        with Image.open(path) as image:
            assert image.format == ("GIF" if path.suffix == ".gif" else "PNG")
            assert image.width > 200
    assert seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == list(range(1, len(seen) + 1))
    assert not [p for p in (tmp_path / "pics").iterdir() if p.name.startswith(".")]  # no temps


def test_titles_say_plainly_what_each_picture_shows() -> None:
    data = make_xor(n=100, task="classification")
    bag = grow_resampled_trees(data.X, data.y, n_trees=4, max_depth=2, task="classification")
    fig = trees_figure(bag, data)
    assert _titles(fig)[:4] == [f"tree {i} of 4 (50% sample)" for i in range(1, 5)]
    assert fig._suptitle.get_text().startswith("4 trees, each grown on its own 50% sample")
    plt.close(fig)
    fig = one_tree_figure(bag.trees[0], data)
    assert _titles(fig)[0] == "one tree: its split lines over the data"
    assert _titles(fig)[1].startswith("one tree: ")
    plt.close(fig)


def test_many_trees_show_the_first_eight() -> None:
    data = make_corners(n=60)
    bag = grow_resampled_trees(data.X, data.y, n_trees=10, max_depth=1, bootstrap=True)
    fig = trees_figure(bag, data)
    assert len([t for t in _titles(fig) if t.startswith("tree ")]) == 8
    assert "the first 8 of 10 trees" in fig._suptitle.get_text()
    assert _titles(fig)[0] == "tree 1 of 10 (bootstrap sample)"
    plt.close(fig)


def test_the_forest_picture_shows_the_random_forest_prediction_pixel_for_pixel() -> None:
    data = make_corners(n=150, seed=2)
    bag = grow_resampled_trees(data.X, data.y, n_trees=4, max_depth=3, seed=3)
    grid = PlaneGrid.square(data.bounds, 20)
    avg = average_on_grid(bag.trees, grid)
    scale = ColourScale(data)
    fig = forest_figure(avg, data, scale)
    assert _titles(fig)[0] == "average of 4 trees = forest"
    shown = fig.axes[0].get_images()[0].get_array()
    predicted = to_random_forest(bag).predict(grid.points()).reshape(20, 20)
    np.testing.assert_allclose(shown, scale.rgba(predicted), rtol=0, atol=1e-12)
    plt.close(fig)


def test_bad_settings_and_a_file_in_place_of_the_directory_are_user_errors(tmp_path) -> None:
    with pytest.raises(SettingError, match="^grid_size: must be an integer"):
        PictureSettings(grid_size=1)
    with pytest.raises(SettingError, match="^n_trees: must be a whole number in"):
        PictureSettings(n_trees=0)
    blocker = tmp_path / "taken"
    blocker.write_text("not a directory")
    with pytest.raises(SettingError, match="^out: .* is not a directory"):
        draw_forest_pictures(make_corners(n=20), blocker, PictureSettings(grid_size=8))
    assert blocker.read_text() == "not a directory"


def test_settings_describe_themselves() -> None:
    assert PictureSettings().describe() == "depth 3, min leaf 5"
    text = PictureSettings(max_depth=None, max_features=1).describe()
    assert text == "no depth limit, min leaf 5, max features 1"


@pytest.mark.parametrize(
    ("make", "settings", "message"),
    [
        (lambda: make_corners(n=1_000_000), PictureSettings(n_trees=1000),
         r"^n_trees: 1000 trees' resamples of 1,000,000 rows would need 8 GB"),
        (lambda: make_corners(n=20), PictureSettings(grid_size=2000, n_trees=100, gif=True),
         r"^grid_size: 32 pictures of 2000x2000 pixels, 1 value each would need 1 GB"),
        (lambda: PlaneData(np.random.default_rng(0).random((5000, 2)), np.arange(5000), "ids",
                           "classification", class_names=tuple(map(str, range(5000)))),
         PictureSettings(), r"^grid_size: 3 pictures of 300x300 pixels, 5,000 values each "
         r"would need 11 GB of memory; the limit is 1 GB"),
    ],
)
def test_memory_is_estimated_before_any_tree_is_grown(tmp_path, make, settings, message):
    with pytest.raises(SettingError, match=message):
        draw_forest_pictures(make(), tmp_path / "out", settings)
    assert not (tmp_path / "out").exists()
