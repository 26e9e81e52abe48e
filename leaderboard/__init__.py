"""Leaderboard: submission bundles, a board directory in Hugging Face dataset layout, and its static site."""
