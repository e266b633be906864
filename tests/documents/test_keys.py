"""Document names and download URLs for Urjanet source links."""

from __future__ import annotations

import hashlib

from datafeeds_core.documents.keys import document_name, download_url, statement_id

STATEMENT = "1e808a93-3569-dee0-9bf7-22000a29aae2"
LINK = f"https://sources.o2.urjanet.net/sourcewithhttpbasicauth?id={STATEMENT}"


def test_statement_id_is_the_id_parameter() -> None:
    assert statement_id(LINK) == STATEMENT
    assert document_name(LINK) == STATEMENT


def test_the_key_is_all_the_text_after_id_as_the_old_system_stored_it() -> None:
    # The old system's greedy `?id=(.*)`: trailing parameters are part of its keys, so a
    # document it stored is found again only under the same key.
    assert document_name(LINK + "&download=true&x=1") == STATEMENT + "&download=true&x=1"
    assert document_name(f"https://sources.o2.urjanet.net/source?id={STATEMENT}x") == (
        STATEMENT + "x"
    )
    assert document_name("file:///data/source?id=1") == "1"


def test_link_without_id_or_with_an_unsafe_id_is_named_by_its_sha224() -> None:
    for link in (
        "https://sources.o2.urjanet.net/sourcewithhttpbasicauth",
        f"https://sources.o2.urjanet.net/sourcewithhttpbasicauth?x=1&id={STATEMENT}",
        "https://sources.o2.urjanet.net/source?id=../../etc/passwd",
        "https://sources.o2.urjanet.net/source?id=.hidden",
        "https://sources.o2.urjanet.net/source?id=",
        LINK + "#page=2",
        "file:///tmp/statement.pdf",
    ):
        assert statement_id(link) is None
        assert document_name(link) == hashlib.sha224(link.encode()).hexdigest()


def test_deprecated_source_form_is_rewritten_for_download() -> None:
    old = f"https://sources.o2.urjanet.net/source?id={STATEMENT}"
    assert download_url(old) == LINK
    assert document_name(old) == document_name(LINK)


def test_other_links_download_unchanged() -> None:
    for link in (
        LINK,
        "https://sources.o2.urjanet.net/sources?id=1",
        "https://sources.o2.urjanet.net/source",
        "file:///data/source?id=1",
    ):
        assert download_url(link) == link
