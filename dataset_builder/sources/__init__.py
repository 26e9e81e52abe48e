"""Visual sources: one module per ROSE subset, each providing a ``Source``."""
