"""Folding for discover's search: case, accents, ligatures; bounded however long the input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fedimob.domain.search_text import (
    MAX_QUERY_TERMS,
    MAX_SEARCH_TEXT,
    MAX_TERM,
    campaign_search_text,
    fold,
    query_terms,
    search_text_of,
)


def test_fold_drops_case_and_accents() -> None:
    assert fold("École") == "ecole"
    assert fold("ÉCOLE") == fold("école") == fold("ecole") == "ecole"
    assert fold("Noël à Montréal") == "noel a montreal"
    assert fold("Straße") == "strasse"
    assert fold("İstanbul") == "istanbul"
    assert fold("Ærø") == "aero"


def test_fold_spells_out_ligatures_and_compatibility_forms() -> None:
    assert fold("cœur") == fold("Cœur") == "coeur"
    assert fold("ﬁlm") == "film"  # the fi ligature
    assert fold("ｃａｆé") == "cafe"  # full-width letters
    assert fold("Łódź") == "lodz"


def test_fold_collapses_spaces_and_keeps_wildcards_literal() -> None:
    assert fold("  river \t clean-up\n") == "river clean-up"
    assert fold("100% _fun_") == "100% _fun_"


def test_campaign_search_text_holds_every_part_one_per_line() -> None:
    text = campaign_search_text(
        title="Nettoyage de l'Erdre",
        summary="Avec l'École des Plantes",
        association="Les Amis de la Loire",
        place="Quai de Versailles, Nantes",
        categories=["écologie", "rivière"],
    )
    assert text.split("\n") == [
        "nettoyage de l'erdre",
        "avec l'ecole des plantes",
        "les amis de la loire",
        "quai de versailles, nantes",
        "ecologie",
        "riviere",
    ]
    # A phrase never spans two parts: the title's end and the summary's start are apart.
    assert "erdre avec" not in text


def test_search_text_is_capped_and_skips_empty_parts() -> None:
    assert search_text_of(["", "  ", "A"]) == "a"
    assert len(search_text_of(["ﷺ" * 5000, "x" * 10_000])) == MAX_SEARCH_TEXT


def test_query_terms_fold_deduplicate_and_drop_words_inside_others() -> None:
    assert query_terms("École  Nantes école") == ["ecole", "nantes"]
    assert query_terms("clean cleanup") == ["cleanup"]
    assert query_terms("%") == ["%"]
    assert query_terms("") == []
    assert query_terms("\u0301\u0301") == []  # only combining marks: nothing to look for


def test_query_terms_are_bounded() -> None:
    many = " ".join(f"w{n:03}" for n in range(50))
    assert query_terms(many) == [f"w{n:03}" for n in range(MAX_QUERY_TERMS)]
    assert query_terms("a" * 10_000) == ["a" * MAX_TERM]


@given(st.text(max_size=300))
def test_fold_is_idempotent_and_terms_are_bounded_for_any_text(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once.casefold() == once
    terms = query_terms(text)
    assert len(terms) <= MAX_QUERY_TERMS
    assert all(0 < len(term) <= MAX_TERM for term in terms)
