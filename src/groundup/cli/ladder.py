"""groundup ladder sub-command (not written yet)."""
