"""What the model reads: the story's subject, off-topic articles set aside, the real outlet,
and pages without their captions, stamps and menus."""

from __future__ import annotations

import json

import pytest

from conftest import SHARED_STORIES
from storybrief.passages import select_passages
from storybrief.sources import build_story, clean_text, outlet_from_text, outlet_from_url, read_articles

YEMEN = SHARED_STORIES / "yemen-2011-fr.jsonl"
MJ = SHARED_STORIES / "mj-2009-en.jsonl"


def _number_of(story, row_id: str) -> int:
    """The source number of the JSONL row whose id is `row_id`."""
    rows = [json.loads(line) for line in YEMEN.read_text(encoding="utf-8").splitlines()]
    line = next(i for i, row in enumerate(rows, start=1) if row["id"] == row_id)
    return next(s.number for s in story.sources if any(o.endswith(f"#L{line}") for o in s.origins))


@pytest.fixture(scope="module")
def yemen():
    return build_story([YEMEN])


SUDAN_POST = "yemen-2011-01-30-gv_3"  # a Global Voices post on Sudan's 30 January protests


def _most_yemen_focused(story) -> int:
    """The article that names Yemen most often for its length."""
    def density(source):
        return source.text.lower().count("yémen") / len(source.text)
    return max(story.sources, key=density).number


@pytest.mark.parametrize("topic", [None, "Yemen 2011", "yemen-2011", "Yemen 2011 (French)"])
def test_the_sudan_post_is_set_aside_and_the_yemen_focused_article_kept(topic):
    story = build_story([YEMEN], topic=topic)
    set_aside = {o.number for o in story.off_topic}
    assert _number_of(story, SUDAN_POST) in set_aside
    assert _most_yemen_focused(story) not in set_aside
    assert len(set_aside) <= 3, "most of the cluster is about Yemen"
    assert "yemen" in story.subject.terms
    assert story.subject.origin == ("cluster" if topic is None else "topic")


def test_the_subject_is_not_the_cluster_centre(yemen):
    # The cluster is about the Arab Spring at large; its subject is still Yemen and Saleh.
    assert yemen.subject.terms[:3] == ["yemen", "ali", "saleh"]


def test_a_parenthesis_in_the_topic_annotates_the_name():
    # An eval case's name: "(French)" is the articles' language, not part of the subject.
    story = build_story([YEMEN], topic="Yemen 2011 (French)")
    assert "french" not in story.subject.terms and story.subject.terms[0] == "yemen"
    assert story.subject.label == "Yemen 2011 (French)"


def test_a_topic_picks_the_subject_out_of_the_cluster():
    story = build_story([YEMEN], topic="Soudan")
    assert story.subject.terms[0] == "soudan"
    assert _number_of(story, SUDAN_POST) not in {o.number for o in story.off_topic}


def test_off_topic_articles_are_never_shown_to_the_model(yemen):
    shown = {p.source_id for p in select_passages(yemen, 3000)}
    assert shown and not shown & {o.source_id for o in yemen.off_topic}


def test_mj_rows_read_unknown_but_are_bbc_pages():
    articles = read_articles([MJ])
    assert {a.outlet for a in articles} == {"BBC"}


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.bbc.co.uk/news/entertainment-arts-15235353", "BBC"),
        ("http://news.bbc.co.uk/2/hi/8119000.stm", "BBC"),
        ("https://www.lemonde.fr/afrique/article/2011/03/19/x.html", "Le Monde"),
        ("https://fr.globalvoices.org/2011/01/30/x", "Global Voices"),
        ("https://www.example-news.org/a/b", "example-news.org"),
        ("not a url", None),
        (None, None),
    ],
)
def test_outlet_from_url(url, outlet):
    assert outlet_from_url(url) == outlet


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("Les autres sites de la RTBF\nJeudi 23 juillet\nToute la météo\nLe texte.", "RTBF"),
        ("Le Monde avec AFP Publié le 29 août 2011 à 14h32", "Le Monde"),
        ("Choix de consentement © Copyright 20 Minutes - La fréquentation de 20 Minutes est certifiée", "20 Minutes"),
        ("Last updated at 15:41 GMT Help Live coverage of the trial", "BBC"),
        ("the BBC's Rajesh Mirchandani in Los Angeles says", "BBC"),
        ("Le texte.\n© Le Monde 2011\nSuivant", "Le Monde"),
        # Naming an outlet in a sentence does not make the page theirs.
        ("Le ministre a déclaré au Monde que la situation était grave.", None),
        # Nor does another publication whose name starts with it.
        ("Samuel Aranda lauréat du World Press Photo 2011\n© Le Monde de la Photo 2007-2020", None),
    ],
)
def test_outlet_from_page_leftovers(text, outlet):
    assert outlet_from_text(text) == outlet


def test_jsonl_outlet_wins_unless_it_is_a_placeholder(tmp_path):
    rows = [
        {"id": "a", "outlet": "Reuters", "text": "Protesters marched in Sanaa on Friday. Last updated at 15:41 GMT"},
        {"id": "b", "outlet": "unnamed French outlet", "text": "Les autres sites de la RTBF\nDes manifestants ont défilé."},
        {"id": "c", "outlet": "unknown", "url": "https://www.lemonde.fr/x", "text": "Des manifestants ont défilé à Sanaa."},
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert [a.outlet for a in read_articles([path])] == ["Reuters", "RTBF", "Le Monde"]


def test_site_menus_and_page_stamps_are_stripped():
    page = ("Les autres sites de la RTBF\nJeudi 23 juillet\nToute la météo\n"
            "Printemps arabe : Kadhafi bientôt déchu ?\n"
            "Ben Ali, Hosni Moubarak et Ali Abdullah Saleh sont tombés. La liste s'allonge.")
    cleaned = clean_text(page)
    assert cleaned.startswith("Printemps arabe")
    assert "RTBF" not in cleaned and "météo" not in cleaned and "Jeudi 23 juillet" not in cleaned
    bbc = "Last updated at 15:41 GMT Help Live coverage of the trial of Dr Conrad Murray continues."
    assert clean_text(bbc) == "Live coverage of the trial of Dr Conrad Murray continues."


def test_titles_are_never_site_menus():
    story = build_story([YEMEN])
    assert not any(s.title and ("sites de" in s.title or "météo" in s.title) for s in story.sources)


def test_mj_text_carries_no_bbc_page_stamps():
    story = build_story([MJ])
    assert not any("Last updated at" in s.text or "last updated at" in s.text for s in story.sources)


def test_a_site_stamp_names_the_outlet_and_is_stripped():
    page = "Abou Salim, le vrai-faux charnier libyen?\nSlate.fr — 27 septembre 2011 à 18h41\nLes autorités ont annoncé dimanche la découverte."
    assert outlet_from_text(page) == "Slate.fr"
    assert "Slate.fr" not in clean_text(page)


def test_the_brief_lists_articles_set_aside_as_off_topic(yemen):
    import datetime as dt

    from storybrief.models import Brief, SourceRef
    from storybrief.render import render

    brief = Brief(
        headline="Protests in Yemen", language="en", story=yemen.name,
        generated_at=dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc), sections=[], timeline=[],
        sources=[SourceRef(number=s.number, source_id=s.id, outlet=s.outlet, title=s.title) for s in yemen.sources],
        passages={}, off_topic=yemen.off_topic,
    )
    sudan = _number_of(yemen, SUDAN_POST)
    for fmt in ("md", "html"):
        line = next(x for x in render(brief, fmt).splitlines() if "Set aside as off-topic" in x)
        assert f"[{sudan}]" in line.replace("\\", "")


def test_a_byline_run_into_the_first_paragraph_is_stripped():
    text = "By Peter Bowes BBC News, Los Angeles The high profile trial in Los Angeles has attracted crowds."
    assert clean_text(text) == "The high profile trial in Los Angeles has attracted crowds."


def test_a_caption_run_into_a_chronology_entry_is_cut_off_and_the_entry_keeps_its_date():
    """The MJ round-up glued a witness's caption before "20 October 2011 The prosecution's final
    witness ...", and the lead-in rule took a chronology's own date for a caption."""
    text = ('7 November 2011 The jury finds him guilty after nine hours of deliberations.\n'
            'Dr Christopher Rogers: "It\'s reasonable to believe that the doctor had an imperfect control over the '
            'dose" 20 October 2011 The prosecution\'s final witness tells the court that the doctor made violations.\n'
            "Jackson was rehearsing for his London residency when he died 25 June 2009 Dr Murray finds Jackson "
            "unconscious in the bedroom of his mansion.\n"
            "The singer died on 25 June 2009 Michael Jackson was fifty years old.")
    assert clean_text(text).split("\n\n") == [
        "7 November 2011 The jury finds him guilty after nine hours of deliberations.",
        'Dr Christopher Rogers: "It\'s reasonable to believe that the doctor had an imperfect control over the dose"',
        "20 October 2011 The prosecution's final witness tells the court that the doctor made violations.",
        "Jackson was rehearsing for his London residency when he died",
        "25 June 2009 Dr Murray finds Jackson unconscious in the bedroom of his mansion.",
        # After a function word the date is the sentence's own.
        "The singer died on 25 June 2009 Michael Jackson was fifty years old.",
    ]


def test_a_caption_ending_in_a_year_is_cut_before_the_sentence_it_runs_into():
    """Two MJ lines quoted a caption fused with the article's first sentence."""
    repeated = ("Michael Jackson died in June 2009 Michael Jackson was in good spirits.\nWith less than three weeks "
                "to go before the start of his comeback concerts at London's O2 arena, he had to admit it.")
    assert clean_text(repeated).split("\n\n")[:2] == ["Michael Jackson died in June 2009",
                                                       "Michael Jackson was in good spirits."]
    clause = ("Dr Conrad Murray was hired by Jackson after becoming friends in 2006 When Michael Jackson died on "
              "25 June 2009, Dr Conrad Murray was at the hospital for the pop superstar.")
    assert clean_text(clause) == ("When Michael Jackson died on 25 June 2009, Dr Conrad Murray was at the hospital "
                                  "for the pop superstar.")
    # A song's title is a name, not a clause: "When Doves Cry" after a lower-case word stays.
    title = "The crowd sang along to the song When Doves Cry as the band played on into the night."
    assert clean_text(title) == title


def test_a_video_credit_is_dropped():
    text = ('A Taiz, les manifestants ont scandé "nous sacrifions notre âme et notre sang pour toi Syrie". '
            "(Vidéos de taizcitynet)")
    assert clean_text(text) == ('A Taiz, les manifestants ont scandé "nous sacrifions notre âme et notre sang pour '
                                'toi Syrie".')


def test_a_caption_ending_in_its_credit_is_dropped_with_the_title_glued_to_it():
    """MJ's [120] opened on its title, a photo caption and the caption's credit, then the lede;
    the brief's background quoted all three."""
    text = ("Dr Conrad Murray: Trial timeline Dr Murray was raised on the Caribbean island of Grenada by his "
            "maternal grandparents (photo: Houston Chronicle) Michael Jackson's personal physician, Dr Conrad "
            "Murray, has been convicted of the involuntary manslaughter of the pop superstar.")
    assert clean_text(text) == ("Michael Jackson's personal physician, Dr Conrad Murray, has been convicted of the "
                                "involuntary manslaughter of the pop superstar.")
    # Inside a paragraph, after a sentence, only the credit goes.
    assert clean_text("He said so. A man walks by (photo: AFP) as the crowd waits.") == (
        "He said so. A man walks by as the crowd waits.")


def test_an_agencys_own_dispatch_names_the_agency():
    """The seed's French article quotes people who spoke "à Reuters" and ends with Reuters' credits."""
    dispatch = ("Deux sources diplomatiques ont déclaré mercredi à Reuters que la visite avait eu lieu.\n\n"
                "(John Irish, avec Elizabeth Pineau, rédigé par Jean Terzian, édité par Bertrand Boucey)")
    assert outlet_from_text(dispatch) == "Reuters"
    # Another outlet citing the agency is not the agency.
    assert outlet_from_text("Deux sources ont déclaré à Reuters que la visite avait eu lieu.") is None


def test_a_caption_glued_before_a_lede_that_opens_with_a_full_name_is_cut():
    """The MJ brief's "What happened" quoted "The judge told Dr Murray he must not administer
    anesthetic Michael Jackson's former doctor has denied a charge ..." as one sentence."""
    lede = ("Michael Jackson's former doctor has denied a charge of involuntary manslaughter over the singer's death, "
            "at a court in Los Angeles.")
    text = f"The judge told Dr Murray he must not administer anesthetic {lede}\nA judge must decide whether to proceed."
    assert clean_text(text).split("\n\n")[:2] == ["The judge told Dr Murray he must not administer anesthetic", lede]
    # A lede that opens with a title before the name: the MJ brief quoted "speculated that Jackson
    # was in very poor health Pop star Michael Jackson had a strong heart ..." from an autopsy report.
    lede = ('Pop star Michael Jackson had a strong heart and was a "fairly healthy" 50-year-old, according to an '
            "autopsy report obtained in the US.")
    text = f"The tabloid press had speculated that Jackson was in very poor health {lede}\nThe report was leaked."
    assert clean_text(text).split("\n\n")[:2] == ["The tabloid press had speculated that Jackson was in very poor health",
                                                   lede]
    # A name that is an object, in apposition or the end of a clause stays where it is.
    for first in ("Prosecutors said the doctor had agreed to give Michael Jackson a powerful anesthetic to help him.",
                  "The doctor who was treating the pop star Michael Jackson has been charged with manslaughter.",
                  "It had just gone 11am on the ninth floor of the courthouse in downtown Los Angeles when the three "
                  "buzzes were heard."):
        assert clean_text(f"{first}\nA judge must decide whether to proceed.").startswith(first)


def test_a_title_glued_before_a_lede_that_opens_with_a_title_and_a_name_is_cut_before_the_title():
    """The MJ brief was headed "Michael Jackson was being treated for insomnia, court documents
    show Pop star": the lede's "Pop star" went with the headline."""
    text = ("Michael Jackson was being treated for insomnia, court documents show Pop star Michael Jackson had "
            "lethal levels of the anesthetic propofol in his body when he died, coroner's office documents show.\n"
            "A judge must decide whether to proceed.")
    assert clean_text(text).split("\n\n")[:2] == [
        "Michael Jackson was being treated for insomnia, court documents show",
        "Pop star Michael Jackson had lethal levels of the anesthetic propofol in his body when he died, coroner's "
        "office documents show."]
