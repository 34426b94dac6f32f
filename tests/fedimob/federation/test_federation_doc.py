"""FEDERATION.md lists exactly the activity types the inbox handles."""

import re
from pathlib import Path

from fedimob.federation.registry import activity_handlers

DOC = Path(__file__).parents[3] / "FEDERATION.md"


def test_accepted_activities_table_matches_the_registry() -> None:
    section = DOC.read_text().split("## Accepted activities", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))
    assert documented == set(activity_handlers())
