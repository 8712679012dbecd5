"""groundup broadcast sub-command (not written yet)."""
