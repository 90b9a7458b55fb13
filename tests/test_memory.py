"""Memory: util.memory (with the mmap threshold fixed, large buffers freed between kept objects go back to the
system), and what the model keeps per paper."""
import platform
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# what the probes below start with: the process's resident MB
RSS = textwrap.dedent("""
    import sys
    def rss():
        return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) // 1024
""")
# 200 buffers of 1 MB, each followed by a small object that stays: freed, how many MB does the process give back?
PROBE = RSS + textwrap.dedent("""
    from generator.util.memory import fixed_mmap_threshold
    if sys.argv[1] == "fixed":
        assert fixed_mmap_threshold()
    first = bytearray(8 << 20)
    del first  # a mapping freed: glibc's threshold slides up to 8 MB unless it was fixed
    big, small = [], []
    for i in range(200):
        big.append(bytearray(1 << 20))
        small.append(bytes(2000) + bytes([i % 256]))
    before = rss()
    del big
    print(before - rss())
""")


def _given_back(probe: str, mode: str) -> int:
    """The MB a fresh process running `probe` with argument `mode` gave back."""
    run = subprocess.run([sys.executable, "-c", probe, mode], capture_output=True, text=True, cwd=ROOT, check=True)
    return int(run.stdout)


glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="not glibc's malloc")


@glibc_only
def test_fixed_threshold_gives_freed_buffers_back():
    assert _given_back(PROBE, "fixed") >= 150
    assert _given_back(PROBE, "sliding") < 50  # the control: what the search index's process did before


# 100k objects of 2 kB on the heap, one in a hundred kept (so the heap cannot shrink from its top): freed,
# how many MB does the process give back, with give_back() after the frees or without?
TRIM_PROBE = RSS + textwrap.dedent("""
    from generator.util.memory import give_back
    objs = [bytes(2000) + bytes([i % 256]) for i in range(100_000)]
    kept = objs[::100]
    before = rss()
    del objs
    if sys.argv[1] == "trim":
        assert give_back()
    print(before - rss())
""")


@glibc_only
def test_give_back_returns_free_heap_pages():
    """SearchJob calls give_back() before it forks, so that the job does not start out holding the free pages."""
    assert _given_back(TRIM_PROBE, "trim") >= 150
    assert _given_back(TRIM_PROBE, "keep") < 50


def _papers(n: int):
    from generator.content.files import Paper
    return [Paper(title=f"Paper {i}", slug=f"paper-{i}", extra={"authors": ["Ada Lovelace", f"Alan  Turing {i % 3}"],
                                                              "keywords": ["LLM", "Vision"]}) for i in range(n)]


def test_authors_and_keywords_are_kept_without_a_dict_per_paper():
    """authors_of/keywords_of keep their lists in Paper fields: a key added to each instance's __dict__ instead
    gave every Paper a dict table of its own (~730 bytes; 63 MB at 100k papers)."""
    from generator.model.paper import authors_of, keywords_of
    papers = _papers(2000)
    tracemalloc.start()
    try:
        for p in papers:
            authors_of(p)
            keywords_of(p)
        used = tracemalloc.get_traced_memory()[0] / len(papers)
    finally:
        tracemalloc.stop()
    assert used < 400, f"{used:.0f} bytes a paper"  # two short lists and one new name: ~250 bytes
    p = papers[4]
    assert authors_of(p) == ["Ada Lovelace", "Alan Turing 1"] and keywords_of(p) == ["LLM", "Vision"]
    assert authors_of(p)[0] is p.extra["authors"][0]  # a clean name is the file's own str, not a copy
    assert keywords_of(p)[1] is p.extra["keywords"][1]


def test_linked_urls_share_one_str_per_page():
    from generator.model.people import group_authors, group_topics, linked_urls
    papers = _papers(60)
    topics, authors = group_topics(papers), group_authors(papers)
    a, b = (sorted(linked_urls(p, topics, authors)) for p in papers[:2])
    assert a[0] == b[0] and a[0] is b[0]


def test_a_card_is_small_and_reads_as_the_dict_it_replaced():
    """A listing card is a slotted object (not a dict of 13 names), its link made when read, its teaser kept
    without the `…` that would make Python hold the whole str at two bytes a character: ~65 MB less at 100k
    papers in every process that renders. Templates and the paper page's context see the same values."""
    import datetime as dt
    import pickle
    from generator.content.files import Paper
    from generator.model.cards import TEASER, Card, card
    from generator.render.environment import Environment
    p = Paper(title="A Title", slug="a-title", body="word " * 100, date=dt.date(2025, 3, 4), organization="Org X",
              upvotes=3, extra={"authors": ["Ada Lovelace", "Alan Turing", "Grace Hopper"]})
    c = card(p)
    d = c.as_dict()
    assert list(d) == list(Card.NAMES) and d["link"] == "papers/a-title/" and d["org_url"] == "org/org-x/"
    assert d["teaser"].endswith("…") and len(d["teaser"]) <= TEASER + 1 and d["lead_authors"] == ("Ada Lovelace",
                                                                                                   "Alan Turing")
    assert sys.getsizeof(c._teaser) < len(c._teaser) + 60  # one byte a character
    assert all(c[name] == value for name, value in d.items())
    with pytest.raises(KeyError):
        c["_teaser"]
    assert pickle.loads(pickle.dumps(c)) == c == card(p) and c != card(Paper(title="B", slug="b"))
    env = Environment(autoescape=True)
    assert env.from_string("{{ p.title }}|{{ p['link'] }}|{{ p.teaser[-1] }}|{{ p.date }}").render(p=c) == (
        "A Title|papers/a-title/|…|2025-03-04")
    papers = [Paper(title=f"Paper {i}", slug=f"paper-{i}", body="word " * 100, organization="Org X", upvotes=i)
              for i in range(2000)]
    tracemalloc.start()
    try:
        cards = [card(p) for p in papers]
        used = tracemalloc.get_traced_memory()[0] / len(cards)
    finally:
        tracemalloc.stop()
    assert used < 450, f"{used:.0f} bytes a card"  # the object and its teaser (~180 characters): ~370 bytes
