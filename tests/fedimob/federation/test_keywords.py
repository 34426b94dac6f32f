import pytest
from hypothesis import given
from hypothesis import strategies as st

from fedimob.federation.keywords import Intent, Request, plain_text, pledge_minutes, read_request


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('<p><span class="h-card"><a href="x">@<span>river</span></a></span> join 2h</p>',
         Request(Intent.JOIN, 120)),
        ("<p>@river@mob.example Je participe ! 1h30</p>", Request(Intent.JOIN, 90)),
        ("<p>@river count me in for 45 min</p>", Request(Intent.JOIN, 45)),
        ("<p>@river I&#39;m in: 1,5 heure</p>", Request(Intent.JOIN, 90)),
        ("<p>@river join</p>", Request(Intent.JOIN, None)),
        ("<p>@river je me retire, désolé</p>", Request(Intent.LEAVE)),
        ("<p>@river leave</p>", Request(Intent.LEAVE)),
        ("<p>@river what time does it start?</p>", None),
        ("<p>@joiner hello</p>", None),  # a handle containing "join" is not a request
        ("<p>@river rejoin the fun</p>", None),
        ("", None),
    ],
)  # fmt: skip
def test_requests_in_french_and_english(content: str, expected: Request | None) -> None:
    assert read_request(content) == expected


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("2h", 120), ("2 hours", 120), ("1h30", 90), ("3 heures", 180), ("90 min", 90), ("0h", None),
     ("room 101", None), ("v2.5h", None)],
)  # fmt: skip
def test_durations(text: str, minutes: int | None) -> None:
    assert pledge_minutes(text) == minutes


@given(st.text(max_size=2000))
def test_any_text_is_read_without_error(text: str) -> None:
    result = read_request(text)
    assert result is None or result.intent in {Intent.JOIN, Intent.LEAVE}
    assert len(plain_text(text)) <= 5000


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("<p>@river done 1200</p>", Request(Intent.REPORT, None, "1200")),
        ("<p>@river fait : 2h, 350 e-mails supprimés</p>", Request(Intent.REPORT, 120, "350")),
        ("<p>@river done 1h30</p>", Request(Intent.REPORT, 90, None)),
        ("<p>@river did 12,5 kg</p>", Request(Intent.REPORT, None, "12.5")),
        ("<p>@river done!</p>", None),  # nothing to record
    ],
)  # fmt: skip
def test_contribution_reports(content: str, expected: Request | None) -> None:
    assert read_request(content) == expected
