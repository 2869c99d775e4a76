"""Reading, cleaning, metadata, near-duplicate merging and the Story, on the real seed files."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import needs
from storybrief.errors import InputError
from storybrief.sources import MAX_ARTICLE_BYTES, build_story, clean_text, dedupe, read_articles

S000 = "000_fccfc3972268bd59.txt"
S002 = "002_816dccdab0bdaa09.txt"
S003 = "003_6c1aee5aea172821.txt"
S004 = "004_b6086113cabfcc05.txt"
LIBYA = Path(__file__).resolve().parents[2] / "shared" / "data" / "stories" / "libya-2011-fr.jsonl"


@pytest.fixture(scope="module")
def articles(seed_dir):
    return {Path(a.origin).name: a for a in read_articles([seed_dir])}


# ---------------------------------------------------------------- cleaning seed 000 (PDF text)


def test_000_title_is_one_line(articles):
    a = articles[S000]
    assert a.title == "Macron Sent Top Diplomatic Adviser to Meet With Kremlin Officials in Moscow, Reports Say"
    assert a.text.split("\n\n")[0] == a.title


def test_000_has_no_urls_related_lines_or_captions(articles):
    text = articles[S000].text
    assert "http" not in text and "www." not in text
    assert "Related article" not in text
    assert "EPA / TASS" not in text
    assert "February 05, 2026" not in text  # the date line is metadata, not body


def test_000_paragraph_cut_by_urls_is_rejoined(articles):
    assert "reported that Bonne was sent to Russia to convey that Europe would not “rubber-stamp”" in articles[S000].text


def test_000_hard_wrapped_lines_are_joined(articles):
    paragraphs = articles[S000].text.split("\n\n")
    assert all("\n" not in p for p in paragraphs)
    assert any(p.startswith("French President Emmanuel Macron reportedly sent") and p.endswith("Ukraine and Russia.")
               for p in paragraphs)


def test_000_metadata(articles):
    a = articles[S000]
    assert a.published == dt.date(2026, 2, 5)
    assert a.published_from == "text"
    assert a.language == "en"
    assert a.outlet is None  # the PDF text does not name its outlet


# ---------------------------------------------------------------- seed 002 (scraped page)


def test_002_boilerplate_is_gone(articles):
    text = articles[S002].text
    for chrome in ("Support The Moscow Times", "newsletter", "Dear readers", "A Message from", "Monthly",
                   "Remind me later", "Read more", "paiment methods", "Privacy Policy", "undesirable"):
        assert chrome not in text
    assert text.endswith("“root causes of the Ukrainian crisis.”")


def test_002_outlet_from_its_own_appeal(articles):
    assert articles[S002].outlet == "The Moscow Times"
    assert articles[S002].published is None


# ---------------------------------------------------------------- seeds 003 and 004


def test_003_dateline_and_no_date(articles):
    a = articles[S003]
    assert a.dateline == "MOSCOW"
    assert a.published is None
    assert a.title is None  # the text opens with its first sentence, no headline


def test_004_header_date_language_and_title(articles):
    a = articles[S004]
    assert a.language == "fr"
    assert a.published == dt.date(2026, 2, 4)
    assert a.title == "Le conseiller diplomatique de Macron s'est rendu à Moscou mardi - sources"
    assert not a.text.startswith("date")
    assert "John Irish" not in a.text and "édité par" not in a.text  # credits line


def test_clean_text_general_rules():
    raw = (
        "Share\nA Headline About Things\n\nPhoto: someone\n\nThe minister said the plan would be\n"
        "https://example.com/a\n\ndelayed until the spring, officials said.\n\nSubscribe to our newsletter\n"
        "Cookies: accept our cookie policy\n"
    )
    cleaned = clean_text(raw)
    assert "The minister said the plan would be delayed until the spring, officials said." in cleaned
    assert "newsletter" not in cleaned and "Share" not in cleaned and "Photo" not in cleaned


@needs(LIBYA)
def test_libya_site_boilerplate_is_dropped():
    by_line = {a.origin.rsplit("#L", 1)[1]: a for a in read_articles([LIBYA])}
    texts = [a.text for a in by_line.values()]
    # Chrome repeated across the cluster's pages (menus, account prompts, promo codes).
    for chrome in ("Les sites du Groupe Figaro", "Code promo", "Suivez Le Monde", "Newsletters du monde",
                   "Boutique le Point", "Merci d'avoir partagé cet article", "mot de passe"):
        assert not any(chrome in t for t in texts), chrome
    first = by_line["1"]
    assert first.title == "38 blessés lors de manifestations en Libye"
    assert first.published == dt.date(2011, 2, 16) and first.published_from == "metadata"
    assert first.language == "fr"


# ---------------------------------------------------------------- near-duplicates and the story


def test_000_and_002_merge_into_one_source(seed_story):
    sources = seed_story.sources
    assert len(sources) == 3
    merged = [s for s in sources if len(s.origins) == 2]
    assert len(merged) == 1
    source = merged[0]
    assert {Path(o).name for o in source.origins} == {S000, S002}
    assert source.published == dt.date(2026, 2, 5)  # from 000
    assert source.outlet == "The Moscow Times"  # from 002
    assert [s.number for s in sources] == [1, 2, 3]
    assert [s.published for s in sources] == [dt.date(2026, 2, 4), dt.date(2026, 2, 5), None]


def test_undated_source_gets_a_warning_not_a_date(seed_story):
    undated = [s for s in seed_story.sources if s.published is None]
    assert len(undated) == 1 and undated[0].dateline == "MOSCOW"
    assert undated[0].published_from is None
    assert any(w.startswith(S003) and "no publication date" in w and "2026-02-05" in w for w in seed_story.warnings)


def test_story_name_defaults_to_directory(seed_story):
    assert seed_story.name == "articles"
    assert build_story([Path("examples/bonne-moscow/articles")], name="bonne").name == "bonne"


def test_dedupe_keeps_distinct_articles_apart(articles):
    sources = dedupe([articles[S003], articles[S004]])
    assert len(sources) == 2


def test_source_ids_are_content_based(seed_dir, tmp_path):
    first = {s.id for s in build_story([seed_dir]).sources}
    copy = tmp_path / "copy"
    shutil.copytree(seed_dir, copy)
    assert {s.id for s in build_story([copy]).sources} == first


# ---------------------------------------------------------------- input formats


def test_jsonl_rows_and_origins(tmp_path):
    path = tmp_path / "cluster.jsonl"
    rows = [
        {"id": "a", "url": "https://x.test/a", "title": "T1", "outlet": "Wire", "published": "2026-02-04",
         "language": "en", "text": "The council met on Tuesday in Brussels to discuss the budget for next year."},
        {"text": "Le conseil s'est réuni mardi à Bruxelles pour discuter du budget de l'année prochaine."},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    first, second = read_articles([path])
    assert first.origin == f"{path}#L1" and second.origin == f"{path}#L2"
    assert (first.title, first.outlet, first.url, first.published, first.published_from) == (
        "T1", "Wire", "https://x.test/a", dt.date(2026, 2, 4), "metadata")
    assert second.language == "fr"


def test_json_file_with_a_list(tmp_path):
    path = tmp_path / "two.json"
    path.write_text(json.dumps([{"text": "First article text about the summit meeting."},
                                {"text": "Second article text about another summit meeting."}]))
    assert len(read_articles([path])) == 2


def test_latin1_file_reads_correctly(tmp_path):
    path = tmp_path / "latin1.txt"
    text = "Le président français a déclaré mercredi à Moscou qu'il était prêt à négocier après l'été."
    path.write_bytes(text.encode("latin-1"))
    (article,) = read_articles([path])
    assert "président français a déclaré" in article.text and "l'été" in article.text


def test_html_gets_main_text(tmp_path):
    body = " ".join(["The summit in Geneva ended on Tuesday without an agreement on the ceasefire."] * 3)
    html = f"""<html><head><title>Summit ends - Daily Planet</title>
    <meta property="og:site_name" content="Daily Planet"></head><body>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li>Sport</li></ul></nav>
    <article><h1>Summit ends without deal</h1><p>{body}</p>
    <p>Delegates said they would meet again in March to continue the talks on prisoner exchanges.</p></article>
    <footer><p>Subscribe to our newsletter</p><p>Copyright 2026 Daily Planet. All rights reserved.</p></footer>
    </body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    (article,) = read_articles([path])
    assert "The summit in Geneva ended on Tuesday" in article.text
    assert "meet again in March" in article.text
    for chrome in ("Home", "Sport", "Subscribe", "All rights reserved"):
        assert chrome not in article.text
    assert article.title == "Summit ends without deal"
    assert article.outlet == "Daily Planet"


def test_hidden_and_other_files_are_skipped(tmp_path):
    (tmp_path / ".hidden.txt").write_text("A hidden article about the meeting of the council.")
    (tmp_path / "notes.csv").write_text("a,b")
    (tmp_path / "one.md").write_text("A visible article about the meeting of the council.")
    assert [Path(a.origin).name for a in read_articles([tmp_path])] == ["one.md"]


# ---------------------------------------------------------------- bad input


def _error(paths) -> str:
    with pytest.raises(InputError) as info:
        read_articles(paths)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_missing_path(tmp_path):
    assert "no such file" in _error([tmp_path / "nope.txt"])


def test_empty_directory(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert str(empty) in _error([empty])


def test_binary_file(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    message = _error([path])
    assert "binary" in message and str(path) in message


def test_oversized_file(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("word " * (6 * 1024 * 1024 // 5 + 1))
    assert path.stat().st_size > MAX_ARTICLE_BYTES
    message = _error([path])
    assert "limit" in message and str(path) in message


def test_malformed_jsonl_names_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "A fine article about the council meeting."}\n{"text": "broken\n', encoding="utf-8")
    message = _error([path])
    assert re.search(r"bad\.jsonl:2\b", message) and "malformed JSON" in message


def test_article_empty_after_cleaning(tmp_path):
    path = tmp_path / "chrome.txt"
    path.write_text("Subscribe to our newsletter\nhttps://example.com/\n")
    assert "no article text" in _error([path])


def test_markdown_markup_is_removed(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# Talks in Geneva\n\nThe **delegates** met [in Geneva](https://x.test/g) on Monday "
                    "to discuss the ceasefire terms.\n", encoding="utf-8")
    (article,) = read_articles(path)
    assert article.title == "Talks in Geneva"
    assert "The delegates met in Geneva on Monday to discuss the ceasefire terms." in article.text


def test_dateline_not_a_section_label():
    from storybrief.sources import extract_metadata

    assert extract_metadata("PARIS (Reuters) - Le gouvernement a annoncé mardi...").dateline == "PARIS"
    assert extract_metadata("PARIS (Reuters) - Le gouvernement a annoncé mardi...").outlet == "Reuters"
    assert extract_metadata("REPORTAGE - Dans les rues de Benghazi, la foule...").dateline is None


# ---------------------------------------------------------------- captions, links and page chrome (issue 15)

_PROSE_FR = ("Les forces loyales au colonel Kadhafi ont bombardé la ville de Misrata pendant toute la nuit, "
             "selon des témoins joints par téléphone.")


def _kept(raw: str) -> str:
    return clean_text(f"{_PROSE_FR}\n\n{raw}\n\n{_PROSE_FR.replace('nuit', 'journée')}")


@pytest.mark.parametrize("caption", [
    "Un manifestant blessé à la tête durant l'attaque reçoit des soins à l'hôpital improvisé dans l'université "
    "de Sana'a. Photo Luke Somers, copyright Demotix (18/09/2011).",
    "Un père joue avec son enfant devant un dessin de Kadhafi malmené par la révolte populaire. "
    "Crédits photo\u00a0: GORAN TOMASEVIC/REUTERS",
    "Kadhafi lors de sa brève apparition sur la place Verte, à Tripoli. Crédits photo\u00a0: -/AFP",
    "Un homme crache sur une photo de Mouammar Kadhafi. Photo @abanidrees.",
    "Ousban, un célèbre plat libyen qui est une sorte de haggis épicé – Photo @libyansrevolt",
])
def test_photo_caption_ending_in_its_credit_is_dropped(caption):
    cleaned = _kept(caption)
    assert caption.split(".")[0].split(" –")[0] not in cleaned
    assert cleaned.count("Misrata") == 2  # the prose around it stays


def test_prose_that_mentions_a_photo_is_kept():
    line = "Le journal a publié une photo de Mouammar Kadhafi prise à Syrte, que le CNT conteste."
    assert line in _kept(line)


@pytest.mark.parametrize("line", [
    "» Le mystère de la fortune de Kadhafi",
    "» ZAPPING VIDÉO - La marche des opposants à Kadhafi",
    "> Relisez notre suivi minute par minute des événements de la journée",
    "Lire : De l'ONU à l'Iran, les pressions diplomatiques se multiplient contre Kadhafi",
    "Voir : Manifestations de soutien au peuple libyen dans le monde",
    "Agrandir le texte", "Réduire le texte", "Envoyer par email", "Plan du site", "Charte de modération",
    "Jump to navigation", "Formulaire de recherche", "Le titre du commentaire est obligatoire",
    "Pour sauvegarder le nouveau brouillon, cliquez sur enregistrer", "J'ai déjà un compte",
    "Guide Shopping Le Parisien", "Profitez des avantages de l'offre numérique",
    "Accès illimité à tous les contenus payants sur tous vos écrans", "93 réactions | 104076 lu",
    "actualite", "envoye_special", "Your comments may be published on any BBC media worldwide.",
    "Then test your knowledge with these tough questions - will you score top marks or be left at the bottom "
    "of the class?.",
])
def test_links_and_page_chrome_lines_are_dropped(line):
    cleaned = _kept(line)
    assert line not in cleaned and cleaned.count("Misrata") == 2


def test_a_closing_guillemet_opening_a_line_is_not_a_link():
    line = "» a ajouté le porte-parole du CNT, Mahmoud Chammam, lors d'une conférence de presse à Benghazi."
    assert line in _kept(line)


# ---------------------------------------------------------------- BBC pages: glued captions, fact boxes, stamps


def test_bbc_fact_box_is_cut_from_the_paragraph():
    raw = ("Relatives of Michael Jackson will seek a second autopsy on the star, family friends say.\n"
           "Born: August 29, 1958, Gary, Indiana, US Also known as: The King of Pop, Wacko Jacko Biggest hits: "
           "I Want You Back, Don't Stop Til You Get Enough, Billie Jean, Bad, Black or White, Earth Song He met "
           "investigators to \"clarify some inconsistencies\", Miranda Sevcik said.")
    cleaned = clean_text(raw)
    assert "Born:" not in cleaned and "1958" not in cleaned and "Biggest hits" not in cleaned
    assert "He met investigators to \"clarify some inconsistencies\", Miranda Sevcik said." in cleaned


@pytest.mark.parametrize(("caption", "sentence"), [
    ("There has been an outpouring of grief around the world",
     "There was no sign of foul play in the death of Michael Jackson, coroners who completed a post-mortem "
     "on the singer's body have said."),
    ("Stores have seen a surge in sales of Jackson's albums",
     "A total of 11 Michael Jackson or Jackson Five albums featured in the top 200."),
    ("Dr Murray has already been interviewed twice by police",
     "The warrant, filed in Harris County District Court, said authorities were looking for evidence."),
    ("Michael Jackson estate agrees record Sony music deal Sony has sold 31 million Jackson albums since his "
     "death last June",
     "The estate of Michael Jackson has agreed the biggest music deal in history with Sony."),
    ("The value of Michael Jackson memorabilia has increased since his death in 2009",
     "The headboard from the bed in which Michael Jackson died has been withdrawn from auction."),
    ("Paramedic says Michael Jackson doctor cleaned up drugs Dr Murray, shown here in February, joined "
     "Jackson's entourage to get him fit for London concerts",
     "A second paramedic has testified that Michael Jackson's doctor sought to recover drugs from the room."),
])
def test_bbc_caption_glued_before_the_sentence_is_removed(caption, sentence):
    raw = ("Michael Jackson died at his home in Los Angeles, and his doctor is now on trial there.\n"
           f"{caption} {sentence}\nThe trial goes on next week in the superior court of Los Angeles.")
    cleaned = clean_text(raw)
    assert sentence in cleaned and caption not in cleaned


@pytest.mark.parametrize("line", [
    "Thriller raced to number seven, while Billie Jean got to 25, Smooth Criminal to 28, Beat It reached 30 "
    "and Earth Song number 38.",
    "Police have interviewed his personal physician Dr Conrad Murray but he has not been named as a suspect.",
    "Medical experts say they are not treating the death of pop star Michael Jackson as suspicious.",
    "He spoke eight days before the verdict as part of a documentary called The Man Who Killed Michael Jackson.",
    "In the UK Jackson scored a posthumous number one album with greatest hits compilation Number Ones, with "
    "four other albums reappearing in the top 20.",
    "The band toured in 2009 The Jackson 5 songs they played were hits.",
    "Pendant ce temps, Cindy A. exprime un sentiment partagé par tous ce soir, selon le quotidien Le Monde.",
    "Sur le front Est à Brega, des échanges d'artillerie ont eu lieu, a constaté un journaliste.",
    "(*) Auteur du livre Au coeur de la Libye de Kadhafi, éditions JC Lattès, paru en 2011.",
])
def test_prose_with_capitalised_words_inside_is_kept_whole(line):
    assert line in clean_text(f"{line}\n\n{line.replace('a ', 'the ', 1)}")


def test_bbc_page_stamp_error_notice_and_credit_run_are_removed():
    raw = ("Page last updated at 05:27 GMT, Tuesday, 27 September 2011 06:27 UK (an error occurred while "
           "processing this directive) The Black Eyed Peas have joined the line-up of the Michael Jackson "
           "tribute concert in Cardiff.\nPage Interview by Debbie Randle, words by Del Crookes The organiser of "
           "the Michael Jackson tribute concert is defending the event.")
    cleaned = clean_text(raw)
    assert cleaned.startswith("The Black Eyed Peas have joined")
    assert "The organiser of the Michael Jackson tribute concert is defending the event." in cleaned
    assert "Page" not in cleaned and "error occurred" not in cleaned and "Debbie Randle" not in cleaned


def test_a_line_glued_to_the_lead_is_cut_off_but_titles_nothing(tmp_path):
    # On BBC pages the glued line is as often a photo caption ("Fans sing outside the Jackson
    # family home") as the headline: no title is better than a caption read as one.
    path = tmp_path / "bbc.jsonl"
    row = {"outlet": "unknown", "published": "2011-05-13", "text": (
        "Michael Jackson headboard withdrawn from auction The value of Michael Jackson memorabilia has "
        "increased since his death in 2009.\nThe headboard was to be sold in Los Angeles.")}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (article,) = read_articles([path])
    assert article.title is None
    assert article.text.startswith("The value of Michael Jackson memorabilia")


def test_headline_repeated_after_its_section_name_is_kept_once(tmp_path):
    path = tmp_path / "monde.txt"
    path.write_text("Monde Libye: Kadhafi aurait échappé à un bombardement de l'Otan\n"
                    "Libye: Kadhafi aurait échappé à un bombardement de l'Otan\n\n"
                    "Le colonel Kadhafi aurait échappé samedi à un bombardement de l'Otan à Tripoli, selon le "
                    "porte-parole du régime.\n", encoding="utf-8")
    (article,) = read_articles([path])
    assert article.title == "Libye: Kadhafi aurait échappé à un bombardement de l'Otan"
    assert "Monde" not in article.text


def test_headline_and_pull_quote_ending_in_a_period_is_not_a_title():
    from storybrief.sources import _title_from

    assert _title_from("Conrad Murray 'responsible' for Michael Jackson's death Dr Steven Shafer: \"'Yes' is "
                       "not what a doctor says.\"\n\nThe trial went on.") is None


@pytest.mark.parametrize(("chrome", "outlet"), [
    ("Choix de consentement © Copyright 20\u00a0Minutes - La fréquentation de 20\u00a0Minutes est certifiée par "
     "l'ACPM", "20 Minutes"),
    ("Newsletters du monde\nSuivez Le Monde", "Le Monde"),
    ("Expérience Le Point\nNous sommes OJD\nLes forums du Point", "Le Point"),
    ("Les invités de Mediapart\nTribunes, points de vue et libres opinions des invités de la rédaction de Mediapart.",
     "Mediapart"),
    ("© La Règle du Jeu 2015", "La Règle du Jeu"),
    # Yemen's [11] and [2]: a copyright over a range of years, a newsletter plug.
    ("Abonnez-vous à la newsletter\n©\u00a0Le Monde de la Photo\u00a0 2007-2020", "Le Monde de la Photo"),
    ("La quotidienne de Slate\nUne sélection personnalisée des articles de Slate tous les matins.", "Slate"),
])
def test_outlet_read_from_the_page_chrome_of_an_unnamed_outlet(tmp_path, chrome, outlet):
    path = tmp_path / "fr.jsonl"
    row = {"outlet": "unnamed French outlet", "published": "2011-04-25", "text": (
        f"Libye : les rebelles progressent vers Tripoli\n{_PROSE_FR}\n{chrome}")}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (article,) = read_articles([path])
    assert article.outlet == outlet
    assert "Mediapart" not in article.text and "Minutes" not in article.text and "Suivez" not in article.text


@pytest.mark.parametrize("line", [
    "The BBC is not responsible for the content of external internet sites",
    "Try our Leona Lewis quiz with fun questions", "Nous sommes OJD", "Les forums du Point",
    "REUTERS/Kevin Lamarque",
])
def test_more_page_chrome_and_lone_credits_are_dropped(line):
    cleaned = _kept(line)
    assert line not in cleaned and cleaned.count("Misrata") == 2


def test_author_name_closing_the_article_is_dropped_but_a_name_inside_is_kept():
    cleaned = clean_text(f"{_PROSE_FR}\n\nMoussa Koussa\n\n{_PROSE_FR.replace('nuit', 'journée')}\n\nVincent Matalon\n")
    assert "Vincent Matalon" not in cleaned and "Moussa Koussa" in cleaned
    assert clean_text("Moussa Koussa") == "Moussa Koussa"  # never the whole article


def test_an_embeds_credit_and_a_links_language_are_dropped():
    """Global Voices: "(Vidéo mise en ligne par alabdulkadir)" became a Yemen brief's "What was said",
    and "(en anglais comme la plupart des liens du billet)" was translated into a timeline entry."""
    text = ("Un adolescent a été tué (en anglais comme la plupart des liens du billet) par balle à Aden [en arabe].\n""Des slogans ont résonné tout au long de la 60ème rue de Sanaa.  (Vidéo mise en ligne par alabdulkadir)\n"
            "Ici, Kadhafi fait un duo avec la chanteuse Shakira (video mise en ligne par camelsmaycry) :\nVoici un remix.")
    cleaned = clean_text(text)
    assert "mise en ligne" not in cleaned
    assert "Des slogans ont résonné tout au long de la 60ème rue de Sanaa." in cleaned
    assert "Un adolescent a été tué par balle à Aden." in cleaned


def test_a_headline_glued_before_a_sentence_opening_with_its_name_is_cut():
    """BBC rows glue the headline to the first sentence; when the sentence opens with the name the
    headline opens with, no function word marks the seam ("... in prison Michael Jackson's ...")."""
    text = ("Michael Jackson doctor gets four years in prison Michael Jackson's former doctor, Conrad Murray, has "
            "been sentenced to four years in prison for causing the King of Pop's death.\nHe was found guilty.")
    assert clean_text(text).split("\n\n")[:2] == [
        "Michael Jackson doctor gets four years in prison",
        "Michael Jackson's former doctor, Conrad Murray, has been sentenced to four years in prison for causing "
        "the King of Pop's death."]
    plain = "Michael Jackson died on 25 June at his home in Los Angeles, aged 50, after Michael Jackson had rehearsed."
    assert clean_text(plain) == plain


def test_an_untitled_article_is_named_by_its_opening_words():
    """Seven of Yemen's eleven sources read 'Untitled (yemen-2011-fr.jsonl#L3)'; an editor knows
    an article by its first words. The dateline is left off, and a cut ends on a word of meaning."""
    from storybrief.sources import opening

    assert opening("MOSCOW - The Kremlin has declined to confirm or deny reports that a senior French "
                   "diplomatic adviser visited Moscow earlier this week.") == (
        "The Kremlin has declined to confirm or deny reports that a senior…")
    assert opening("Un adolescent a été tué par balle à Aden, dans le sud du Yémen, ce lundi 21 février.") == (
        "Un adolescent a été tué par balle à Aden, dans le sud…")
    assert opening("Saleh signs the deal.\n\nMore follows.") == "Saleh signs the deal"


@pytest.mark.parametrize(("pull_quote", "sentence"), [
    ("Katherine Jackson: \"Four years won't bring my son back\"",
     "Murray was found guilty earlier this month after a six-week trial."),
    ("Dr Christopher Rogers: \"It's reasonable to believe that the doctor had an imperfect control over the dose\"",
     "The disclosure was made in court but not in front of jurors."),
])
def test_a_pull_quote_glued_before_a_sentence_is_removed(pull_quote, sentence):
    raw = f"Judge Michael Pastor sentenced Dr Murray on Tuesday.\n{pull_quote} {sentence}\nThe case is closed."
    cleaned = clean_text(raw)
    assert sentence in cleaned and pull_quote not in cleaned


@pytest.mark.parametrize("line", [
    "She said: \"He was murdered for his catalogue and they knew that.\" Tomorrow marks one year.",
    "Mr Flanagan: \"The effects would be trivial.\" The court heard it.",
    "Libye: \"pas un soulèvement populaire\"",
])
def test_a_quote_said_in_prose_or_a_title_is_kept(line):
    assert line in clean_text(f"Judge Michael Pastor sentenced Dr Murray on Tuesday.\n{line}\nThe case is closed.")
