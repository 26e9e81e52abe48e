"""Deterministic ROSE scene/task generator and Hugging Face dataset writer."""
