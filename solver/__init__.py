"""A reference solver that answers ROSE items from the image and the prompt text alone.

It proves every generated item is solvable (``rose certify``), serves as an
OpenAI-compatible endpoint (``rose serve``) and hosts the named baselines.
"""
