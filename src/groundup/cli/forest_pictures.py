"""groundup forest_pictures sub-command (not written yet)."""
