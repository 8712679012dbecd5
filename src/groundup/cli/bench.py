"""groundup bench sub-command (not written yet)."""
