"""What a Hugging Face Hub dataset id looks like, for the publisher and the lmms-eval data source."""

from __future__ import annotations

import re

# owner/name, each part starting with a letter or digit
HUB_REPO_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")


def is_hub_repo_id(value: str) -> bool:
    return bool(HUB_REPO_ID_RE.match(value or ""))
