"""Running Spindeln in production: serving with worker processes, backups and restores."""
