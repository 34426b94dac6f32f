from fedimob.domain.text import render_markdown, sanitise_html


def test_markdown_is_rendered_and_raw_html_escaped() -> None:
    html = render_markdown("**Join** us\n\n<script>alert(1)</script>")
    assert "<strong>Join</strong>" in html
    assert "<script>" not in html


def test_links_are_http_only_and_get_a_safe_rel() -> None:
    html = render_markdown("[site](https://example.org) [bad](javascript:alert(1))")
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert 'href="javascript:' not in html
    assert sanitise_html('<a href="javascript:alert(1)">x</a>').count("href") == 0


def test_remote_html_keeps_only_the_small_allowlist() -> None:
    dirty = (
        '<p onclick="x()">Hi <img src=x onerror=alert(1)><a href="https://a.example" '
        'style="color:red">link</a><iframe src="https://evil"></iframe></p>'
    )
    clean = sanitise_html(dirty)
    for forbidden in ("onclick", "<img", "onerror", "style=", "<iframe"):
        assert forbidden not in clean
    assert '<a href="https://a.example" rel="nofollow noopener noreferrer">link</a>' in clean
