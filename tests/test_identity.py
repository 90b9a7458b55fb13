"""Identity keeps meaning (content/slugs.py, ingest/merge.py): symbols that change what a title names stay in
the identity; a second abstract is kept in `other_abstracts`; one `seen` record per distinct listing."""
from __future__ import annotations

from generator.content.files import load_papers
from generator.content.slugs import identity
from generator.ingest import import_listings
from test_parser import listing, paper


def test_c_c_sharp_and_c_plus_plus_are_three_papers(tmp_path):
    assert len({identity("C Compilers Are Fast"), identity("C# Compilers Are Fast"),
                identity("C++ Compilers Are Fast")}) == 3
    assert identity("A* Search, Revisited") != identity("A Search Revisited")
    assert identity("Pass@k for Code") != identity("Passk for Code")
    src = listing(tmp_path, paper("C Compilers Are Fast", "About C.") + paper("C# Compilers Are Fast", "About C#.")
                  + paper("C++ Compilers Are Fast", "About C++."))
    report = import_listings([src], tmp_path / "content", 2025)
    papers, _, _ = load_papers(tmp_path / "content")
    assert report.new == 3 and sorted(p.body for p in papers) == ["About C#.", "About C++.", "About C."]
    assert len({p.slug for p in papers}) == 3


def test_punctuation_that_does_not_change_the_name_still_merges(tmp_path):
    assert identity("Scaling Laws: A Survey") == identity("scaling laws — a survey")


def test_a_second_abstract_is_kept_in_other_abstracts_never_dropped(tmp_path):
    root = tmp_path / "content"
    first = listing(tmp_path, paper("One Paper", "The first abstract."), name="a.txt", page="Oct 28")
    second = listing(tmp_path, paper("One Paper", "A different abstract."), name="b.txt", page="Oct 29")
    import_listings([first], root, 2025)
    report = import_listings([second], root, 2025)
    assert any("other_abstracts" in str(p) for p in report.problems)
    (p,), _, _ = load_papers(root)
    assert p.body == "The first abstract." and p.other_abstracts == ["A different abstract."]
    again = import_listings([first, second], root, 2025)  # idempotent: kept once, file not rewritten
    assert again.unchanged == 1
    (p,), _, _ = load_papers(root)
    assert p.other_abstracts == ["A different abstract."]


def test_two_listings_with_one_file_name_keep_a_seen_record_each(tmp_path):
    root = tmp_path / "content"
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    a = listing(tmp_path / "x", paper("Shared Paper", "Text.", date="Mar 11 3"), name="listing.txt")
    b = listing(tmp_path / "y", paper("Shared Paper", "Text.", date="Mar 11 9"), name="listing.txt")
    import_listings([a, b], root, 2025)
    (p,), _, _ = load_papers(root)
    assert len(p.seen) == 2 and len({s["digest"] for s in p.seen}) == 2
    c = listing(tmp_path / "x", paper("Shared Paper", "Text.", date="Mar 11 3"), name="listing.txt", page="Oct 30")
    import_listings([c], root, 2025)  # another day's listing of that name: a third record, no digest needed
    (p,), _, _ = load_papers(root)
    assert len(p.seen) == 3
    again = import_listings([b], root, 2025)  # one of the pair again on its own: its own record, not a new one
    assert again.unchanged == 1
