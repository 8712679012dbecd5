"""models.job: the pieces of the training job that are not the training itself."""

from __future__ import annotations

from groundup.models.job import SCORING_BYTES, VALID_BS, scoring_bs
from groundup.models.spec import TrainSpec


def test_scoring_batches_shrink_for_wide_cnns_so_their_feature_maps_fit() -> None:
    assert scoring_bs(TrainSpec()) == VALID_BS  # an mlp keeps no feature maps
    narrow = TrainSpec(model="cnn", channels=(8, 16))
    wide = TrainSpec(model="cnn", channels=(256, 512))
    assert scoring_bs(narrow) == VALID_BS
    assert 1 <= scoring_bs(wide) < VALID_BS
    assert scoring_bs(wide) * 8 * wide.feature_map_floats() <= SCORING_BYTES
