"""groundup train sub-command (not written yet)."""
