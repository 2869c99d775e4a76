"""Passages: sentence splitting, offsets into the source text, stable ids, resolved dates."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from conftest import SHARED_STORIES, needs
from storybrief.models import Source, Story
from storybrief.passages import MAX_PASSAGE_CHARS, split_passages
from storybrief.text import sentence_spans
from storybrief.sources import build_story


def _source(text: str, language: str = "en") -> Source:
    return Source(id="abcdef123456", number=1, origins=["x.txt"], language=language, text=text)


def test_offsets_point_into_the_source_text(seed_story):
    by_id = {s.id: s for s in seed_story.sources}
    assert seed_story.passages
    for passage in seed_story.passages:
        assert by_id[passage.source_id].text[passage.start:passage.end] == passage.text
        for date in passage.dates:
            assert passage.text[date.start:date.end] == date.expression


def test_indexes_and_unique_ids(seed_story):
    ids = [p.id for p in seed_story.passages]
    assert len(ids) == len(set(ids))
    for source in seed_story.sources:
        indexes = [p.index for p in seed_story.passages if p.source_id == source.id]
        assert indexes == list(range(len(indexes)))


def test_ids_stable_across_runs_and_when_an_article_is_added(seed_dir, tmp_path):
    first = build_story([seed_dir])
    again = build_story([seed_dir])
    assert [p.id for p in first.passages] == [p.id for p in again.passages]
    bigger = tmp_path / "bigger"
    shutil.copytree(seed_dir, bigger)
    (bigger / "005_extra.txt").write_text(
        "BRUSSELS - European ministers met on Monday to discuss sanctions on Russia and the reconstruction "
        "of Ukraine. They agreed to meet again in March.\n",
        encoding="utf-8",
    )
    grown = build_story([bigger])
    old = {p.id: p.text for p in first.passages}
    new = {p.id: p.text for p in grown.passages}
    assert old.items() <= new.items()
    assert len(grown.sources) == len(first.sources) + 1


def test_seed_dates_in_passages(seed_story):
    found = {(d.expression, d.iso, d.precision) for p in seed_story.passages for d in p.dates}
    assert ("Tuesday", "2026-02-03", "day") in found  # 000, published Thursday 2026-02-05
    assert ("mardi", "2026-02-03", "day") in found
    assert ("mercredi", "2026-02-04", "day") in found
    assert ("décembre", "2025-12", "month") in found
    assert ("2019", "2019", "year") in found
    assert ("February 3, 2026", "2026-02-03", "day") in found  # 003


def test_undated_source_resolved_against_the_cluster_date(seed_story):
    undated = next(s for s in seed_story.sources if s.published is None)
    dates = [d for p in seed_story.passages if p.source_id == undated.id for d in p.dates]
    # "earlier this week" against Thursday 2026-02-05: the week 2-8 Feb lies in February.
    assert ("earlier this week", "2026-02", "month") in {(d.expression, d.iso, d.precision) for d in dates}


def test_abbreviations_do_not_split():
    text = ("Mr. Smith met Dr. Jones and M. Macron in the U.S. on Feb. 3 at 10 a.m. to talk. "
            "Then they left for Paris.")
    spans = sentence_spans(text)
    sentences = [text[s:e] for s, e in spans]
    assert sentences == [
        "Mr. Smith met Dr. Jones and M. Macron in the U.S. on Feb. 3 at 10 a.m. to talk.",
        "Then they left for Paris.",
    ]


def test_french_quotes_and_guillemets():
    text = ("« Il faut dialoguer, mais en mettant des conditions. » Le président a ensuite quitté la salle. "
            "\"Des discussions sont en cours\", a-t-il dit. Rien de plus n'a été précisé par l'Elysée.")
    passages = split_passages(_source(text, "fr"), dt.date(2026, 2, 4))
    assert [p.text for p in passages] == [
        "« Il faut dialoguer, mais en mettant des conditions. »",
        "Le président a ensuite quitté la salle.",
        "\"Des discussions sont en cours\", a-t-il dit.",
        "Rien de plus n'a été précisé par l'Elysée.",
    ]


def test_short_fragments_merge_and_long_sentences_split():
    long_sentence = "The delegates, " + ", ".join(f"item {i} of the agenda" for i in range(80)) + "."
    text = f"Yes. The talks resumed on Monday in Geneva after a pause.\n\n{long_sentence}"
    passages = split_passages(_source(text), dt.date(2026, 2, 4))
    assert passages[0].text == "Yes. The talks resumed on Monday in Geneva after a pause."
    assert passages[0].dates[0].iso == "2026-02-02"
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert len(passages) > 2
    for p in passages:
        assert text[p.start:p.end] == p.text


def test_repeated_sentence_gets_a_deterministic_unique_id():
    text = "The meeting took place in Moscow.\n\nThe meeting took place in Moscow."
    first, second = split_passages(_source(text), None)
    assert first.id == "abcdef-" + first.id.split("-")[1]
    assert second.id == first.id + "-2"


@needs(SHARED_STORIES / "libya-2011-fr.jsonl")
def test_libya_cluster_passages_are_consistent(tmp_path):
    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "stories" / "libya-2011-fr.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:12]]
    small = tmp_path / "libya12.jsonl"
    small.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    story = build_story([small])
    by_id = {s.id: s for s in story.sources}
    assert len(story.passages) > 100
    for passage in story.passages:
        assert by_id[passage.source_id].text[passage.start:passage.end] == passage.text
    years = {d.iso[:4] for p in story.passages for d in p.dates if d.relative}
    assert years <= {"2010", "2011"}


def test_the_topics_own_terms_hold_in_the_articles_language():
    """The Libya eval's topic says "Libya", its French articles "Libye": no French passage named
    the subject, and its timeline was told by English tweets."""
    from storybrief.models import Subject
    from storybrief.passages import names_subject, own_terms

    libya = Subject(terms=["libya", "kadhafi", "libye", "tripoli"], origin="topic", label="Libya 2011 (French)")
    assert own_terms(libya) == ["libya", "libye"]
    assert names_subject("Les rebelles de Libye ont pris Tripoli.", libya, 1)


def test_a_first_name_others_bear_does_not_name_the_subject():
    """'Ali' of Ali Abdullah Saleh is Ben Ali's too: Tunisia's 14 January stood in Yemen's timeline.
    'Michael' of Michael Jackson is also Judge Michael Pastor's. The surname tells the person."""
    from storybrief.models import Passage, Subject
    from storybrief.passages import SubjectWords, given_names

    yemen = Subject(terms=["yemen", "ali", "saleh"], origin="topic", label="Yemen Ali Saleh")
    texts = ["Le président Ali Abdullah Saleh refuse de partir.", "Ali Abdallah Saleh signe l'accord.",
             "Le 14 janvier l'armée refuse de suivre Ben Ali."]
    assert given_names(yemen, texts) == {"ali"}
    mj = Subject(terms=["michael", "jackson", "murray"], origin="topic", label="Michael Jackson")
    assert given_names(mj, ["Michael Jackson died.", "Michael Jackson's doctor, Dr Conrad Murray.",
                            "Jackson died at home.", "Judge Michael Pastor ruled."]) == {"michael"}

    def passage(text: str) -> Passage:
        return Passage(id=text[:8], source_id="s", index=1, start=0, end=len(text), text=text, dates=[])

    words = SubjectWords(terms=frozenset({"yemen", "saleh"}), own=frozenset({"yemen"}))
    assert words.grade([passage("Le 14 janvier l'armée refuse de suivre Ben Ali.")]) == 0
    assert words.grade([passage("Le président Saleh refuse.")]) == 1
    assert words.grade([passage("Au Yémen, Saleh refuse.")]) == 2
    # A section's or headline's passage names the story by any term: Kadhafi's death is Libya's
    # news, though its sentence does not say "Libye"; Ben Ali's is not Yemen's.
    libya = SubjectWords(terms=frozenset({"libya", "libye", "kadhafi"}), own=frozenset({"libya", "libye"}))
    assert libya.named_in(passage("Muammar Kadhafi a été tué jeudi, près de sa ville natale de Syrte."))
    assert not words.named_in(passage("Le 14 janvier l'armée refuse de suivre Ben Ali."))


def test_a_passage_under_a_subhead_naming_the_subject_is_about_it():
    """A year's review heads its Yemen part 'Yemen, aux armes citoyens'; its sentences say 'Sanaa'
    and 'le président', and Egypt's part, under its own subhead, is not Yemen's."""
    from storybrief.models import Subject
    from storybrief.passages import SubjectWords, subheads
    from storybrief.text import is_subhead

    text = ("Printemps arabe : les dictateurs déchus?\n\nEgypte, terre du Pharaon Moubarak\n\n"
            "Son véritable procès s'est ouvert le 3 août.\n\nYemen, aux armes citoyens\n\n"
            "Le 27 janvier, 16 000 manifestants descendent dans les rues de la capitale Sanaa.")
    source = Source(id="abcdef123456", number=1, origins=["x.txt"], language="fr", text=text,
                    published=dt.date(2011, 8, 22))
    story = Story(name="review", sources=[source], passages=split_passages(source, source.published))
    heads = subheads(story)
    trial = next(p for p in story.passages if p.text.startswith("Son véritable"))
    march = next(p for p in story.passages if p.text.startswith("Le 27 janvier"))
    assert heads[trial.id].startswith("Egypte") and heads[march.id].startswith("Yemen")
    yemen = SubjectWords.of(Subject(terms=["yemen", "saleh"], origin="topic", label="Yemen"), story)
    assert yemen.grade([march]) == 2 and yemen.grade([trial]) == 0
    assert is_subhead("Yemen, aux armes citoyens") and not is_subhead("Ailleurs, la lutte continue…")
    assert not is_subhead("Il était une fois la Tunisie en 2010.")
