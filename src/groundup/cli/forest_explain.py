"""groundup forest_explain sub-command (not written yet)."""
