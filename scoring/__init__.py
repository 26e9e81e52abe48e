"""ROSE scoring: the answer grammar, per-item metrics and every table (no I/O in the core)."""
