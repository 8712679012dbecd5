"""groundup tune sub-command (not written yet)."""
