"""Read a cluster of articles, clean them, merge near-duplicates and build the Story.

Plain functions with explicit inputs: `read_articles` -> `dedupe` -> `build_story`.
Every problem with the input is an `InputError` whose one-line message names the file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import heapq
import json
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from storybrief.dates import reconcile_years
from storybrief.errors import InputError
from storybrief.models import Article, Source, Story
from storybrief.text import (ALL_STOP_WORDS, STOP_WORDS, fold, guess_language, month_number, month_pattern, sentence_spans,
                             weekday_number, word_spans)

__all__ = [
    "MAX_ARTICLE_BYTES",
    "MAX_JSONL_BYTES",
    "ARTICLE_SUFFIXES",
    "read_articles",
    "clean_text",
    "extract_metadata",
    "ArticleMetadata",
    "dedupe",
    "build_story",
    "cluster_boilerplate",
    "outlet_from_url",
    "outlet_from_text",
]

MAX_ARTICLE_BYTES = 5 * 1024 * 1024
MAX_JSONL_BYTES = 200 * 1024 * 1024
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
DEFAULT_DUPLICATE_THRESHOLD = 0.8
MAX_BOILERPLATE_LINE_CHARS = 250

# --------------------------------------------------------------------------- decoding


# Control characters (Unicode category Cc) other than the whitespace ones.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _decode(data: bytes, name: str, warnings: list[str] | None = None) -> str:
    """Bytes -> text. A byte-order mark says the encoding (UTF-8, -16, -32). Text that is UTF-8
    apart from a few stray bytes stays UTF-8, each stray byte run replaced (U+FFFD) and counted
    in a warning; text with no UTF-8 sequence at all is decoded in its detected charset.
    Binary is an InputError."""
    bom_encoding = next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)
    if bom_encoding is not None:
        text, bad = _decode_counting(data, bom_encoding)
    else:
        if b"\x00" in data:
            raise InputError(f"{name}: binary file (NUL bytes), not an article")
        text, bad = _decode_counting(data, "utf-8-sig")
        if bad and not _has_utf8_sequences(data):
            from charset_normalizer import from_bytes

            best = from_bytes(data).best()
            if best is None:
                raise InputError(f"{name}: binary or undecodable file, not an article")
            text, bad = str(best), 0
    controls = len(_CONTROL.findall(text))
    if text and (controls + bad) / len(text) > 0.01:
        raise InputError(f"{name}: binary file (control characters or undecodable bytes), not an article")
    if bad and warnings is not None:
        warnings.append(f"{name}: {bad} undecodable byte sequence{'s' if bad > 1 else ''} replaced (U+FFFD)")
    return text


def _decode_counting(data: bytes, encoding: str) -> tuple[str, int]:
    """`data` decoded with every undecodable byte run replaced, and how many runs there were."""
    text = data.decode(encoding, errors="replace")
    if "\ufffd" not in text:
        return text, 0
    genuine = data.count("\ufffd".encode(encoding.removesuffix("-sig"))) if encoding.startswith("utf-8") else 0
    return text, len(re.findall("\ufffd+", text)) - genuine


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _has_utf8_sequences(data: bytes) -> bool:
    """Whether `data` holds a multi-byte UTF-8 sequence: a stray byte in UTF-8 text, not a
    legacy charset, when it does."""
    return _UTF8_SEQUENCE.search(data) is not None


def _read_bytes(path: Path, limit: int) -> bytes:
    size = path.stat().st_size
    if size > limit:
        raise InputError(f"{path}: {size / 1e6:.1f} MB is over the {limit / 1e6:.0f} MB limit for one article file")
    return path.read_bytes()


# --------------------------------------------------------------------------- cleaning rules

_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_TERMINAL = re.compile(r"[.!?…:;\"”»’)\]]\s*$")

_URL_LINE = re.compile(r"^\s*(?:(?:https?://|www\.)\S+\s*)+$", re.I)
_RELATED_LINE = re.compile(
    r"^\s*(?:related(?: articles?| stories| content)?|read (?:also|more)|see also|more on this|"
    r"(?:à |a )?lire (?:aussi|également|la suite)|voir aussi|sur le même sujet|dans la même rubrique)\b\s*[:»›-]?"
    r"|^\s*(?:(?:à |a )?lire|voir|regarder|écouter|read|watch|listen)\s*:\s*\S",
    re.I,
)
# A link to another article: a short line that opens with a link arrow ("» Le mystère de la
# fortune de Kadhafi", "> Relisez notre suivi ...") and does not end a sentence.
_LINK_LINE = re.compile(r"^\s*(?:»|>|›|→)\s*[«\"“]?[A-ZÀ-Ý0-9].{0,200}(?<![.!?])$")
# A section's slug left as a line of its own ("actualite", "envoye_special").
_SLUG_LINE = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")
# Short chrome lines: the whole line is one of these words.
_CHROME_EXACT = re.compile(
    r"^\s*(?:once|monthly|annual|yearly|continue|preview|share|tweet|email|e-mail|print|imprimer|partager|envoyer|"
    r"commenter|réagir|menu|search|rechercher|close|fermer|advertisement|publicité|read more|lire la suite|"
    r"voir plus|load more|good luck\s*!?|remind me later\.?|not ready to support today\?|"
    r"payment methods|paiment methods|moyens de paiement|newsletters?|abonnés?|s'abonner|se connecter|"
    r"log ?in|sign ?in|sign ?up|subscribe|facebook|twitter|linkedin|whatsapp|instagram|youtube)\s*[.!:]?\s*$",
    re.I,
)
# Keywords that mark a short line (<= 160 chars) as site chrome.
_CHROME_KEYWORDS = re.compile(
    r"newsletter|sign up|subscribe|subscriber|abonnez|abonnement|s'abonner|inscrivez-vous|"
    r"privacy policy|cookies?\b.{0,40}\b(?:accept|consent|policy|politique|paramètres|settings)|"
    r"\b(?:accept|consent)\w*\b.{0,40}\bcookies|confidentialité|politique de protection|support us\b|"
    r"support (?:independent|today)|donate now|make a donation|faites un don|"
    r"remind me later|code promo|mot de passe|password|adresse (?:e-?)?mail|e-mail address|favoris|"
    r"partagé cet article|share this|follow us|suivez[- ]nous|suivez le |all rights reserved|tous droits réservés|"
    r"copyright|©|téléchargez l'application|download (?:the|our) app|découvrez l'application|offre limitée|"
    r"sans engagement|connectez-vous|créez votre compte|votre compte|your account|merci de compléter|"
    r"les sites du groupe|nos journaux et magazines|les sites éditoriaux|boutique (?:le|du)|"
    r"all quotes delayed|this content was produced|ce contenu a été|ce billet fait partie d|"
    r"publié le \d|mis à jour le \d|\d+ minutes? de lecture|temps de lecture|\d+ min read|"
    r"les autres sites d|toute la météo|tout savoir pour|nos autres sites|retour à l'accueil|back to top|"
    r"^\s*(?:accueil|home)\s*[|>»›]|agrandir le texte|réduire le texte|ajouter aux favoris|envoyer par (?:e-?)?mail|"
    r"plan du site|charte de modération|la rédaction vous conseille|édition du jour|^\s*daté du |guides? (?:d'achat|shopping)|"
    r"offre numérique|accédez à l'intégralité|édition abonnés|accès illimité|j'ai déjà un compte|je n'ai pas de compte|"
    r"champs obligatoires|est obligatoire$|conditions d'utilisation|nouveau brouillon|jump to (?:navigation|content)|"
    r"skip to (?:navigation|content)|formulaire de recherche|^\s*\d+ réactions?\s*[|]|"
    r"your comments may be published|test your knowledge|transmettre à la rédaction|consultez les articles de la rubrique|"
    r"an error occurred while processing|^les invités de |libres opinions des invités|^le fil d(?:u|e cette)\b|"
    r"^dans le (?:club|journal)$|not responsible for the content of external|^try our\b|\bOJD\b|^les forums d|"
    r"^expérience le point$",
    re.I,
)
# A byline run into its paragraph: "By Peter Bowes BBC News, Los Angeles Jackson was due ...".
_INLINE_BYLINE = re.compile(
    r"^(?:By|Par) [A-ZÀ-Ý][\w'’-]+(?: [A-ZÀ-Ý][\w'’.-]+){0,2} (?:BBC News|BBC World Service)"
    r"(?:, (?:Los Angeles|New York|Las Vegas|Hong Kong|New Delhi|San \w+|Santa \w+|[A-Z][\w-]+))?\s+(?=\S)",
    re.M,
)
# A line that is a site's name and a date: "Slate.fr — 27 septembre 2011 à 18h41".
_SITE_STAMP = re.compile(
    r"^\s*([A-Z][\w'’-]*\.(?:fr|com|be|ch|net|org|co\.uk))\s*[—–-]\s*\d{1,2}(?:er)?\s+[^\W\d_]+\.?\s+\d{4}\b[^\n]{0,20}$",
    re.M,
)
# A line that is only a weekday and a day of the month: a site header's "today" stamp.
_WEEKDAY_STAMP = re.compile(
    r"^\s*(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday),?\s+\d{1,2}(?:er)?\s+[^\W\d_]+\.?\s*$",
    re.I,
)
# BBC page leftovers inside a paragraph: "Last updated at 15:41 GMT Help", with its date.
# An embed's credit in brackets: "(Vidéo mise en ligne par alabdulkadir)", "(video uploaded by x)".
_MEDIA_CREDIT = re.compile(
    r"[^\S\n]*\((?:vid[ée]o|photo|image)s?\s+(?:mises?\s+en\s+ligne|publi[ée]e?s?|post[ée]e?s?|upload[ée]d?|posted|"
    r"uploaded|shared)\s+(?:par|by)\s+[^()\n]{1,60}\)"
    r"|[^\S\n]*\((?:vid[ée]o|photo|image)s?\s+(?:de|from|by|via)\s+@?[\w.-]+\)"  # "(Vidéos de taizcitynet)"
    r"|[^\S\n]*\((?:vid[ée]o|photo|image)s?\s*:\s*[\w.&'’ /-]{2,40}\)",  # "(photo: Houston Chronicle)"
    re.I,
)
# A caption that ends in its credit, at the start of a line, with the title glued before it:
# "Dr Conrad Murray: Trial timeline Dr Murray was raised on ... grandparents (photo: Houston
# Chronicle) Michael Jackson's personal physician ...": the article starts after the credit.
_CAPTION_TO_CREDIT = re.compile(r"^[^\S\n]*[^\n.!?]{1,300}\((?:vid[ée]o|photo|image)s?\s*:\s*[\w.&'’ /-]{2,40}\)[^\S\n]*",
                                re.I | re.M)
# A pull quote, a name and its words without a full stop, glued at the start of a line before the
# sentence it illustrates: 'Katherine Jackson: "Four years won't bring my son back" Murray was
# found guilty earlier this month' (said in prose, the quote has a verb: 'She said: "...".').
_GLUED_PULL_QUOTE = re.compile(
    r"^[^\S\n]*(?:[A-Z][\w.'’-]*[^\S\n]+){0,4}[A-Z][\w.'’-]*:[^\S\n]*[\"“][^\"”\n]{3,200}[^.!?…,\"”\s][\"”][^\S\n]+"
    r"(?=[A-Z])",
    re.M,
)
# A link's language, noted after it: "[en anglais]", "(en arabe)", "(en anglais comme la plupart des liens du billet)".
_LINK_LANGUAGE = re.compile(
    r"[^\S\n]*[\[(](?:en|in) (?:anglais|arabe|français|espagnol|allemand|English|Arabic|French|Spanish)"
    r"(?:[^()\[\]\n]{0,60})[)\]]"
)
_INLINE_STAMP = re.compile(
    r"(?:\b\d{1,2} [A-Z][a-z]+ \d{4} )?(?:\bPage )?\b[Ll]ast updated at \d{1,2}:\d{2}(?: GMT| UK| ET)?"
    r"(?:,? \w+day,? \d{1,2} \w+(?:,? \d{4})?(?: \d{1,2}:\d{2} UK)?)?"
    r"(?:\s+(?:Help|E-mail this to a friend|Printable version))*\s*"
)
# BBC pages of 2009-2011 leave "Page" of "Page last updated at ..." and a server-side include's
# failure notice in front of the text.
_SSI_ERROR = re.compile(r"\s*\(an error occurred while processing this directive\)\s*")
# BBC bylines of a kind other than "By X BBC News": "Interview by Debbie Randle, words by Del Crookes".
_CREDIT_RUN = re.compile(r"^(?:(?:interview|words|pictures|video|report) by [A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?,?\s+)+",
                         re.I)
# A fact box flattened into the paragraph it stood beside: "Born: August 29, 1958, Gary, Indiana,
# US Also known as: The King of Pop, Wacko Jacko Biggest hits: ..., Earth Song He told ...".
_FACT_LABEL = re.compile(r"(?:^|(?<=\s))[A-Z][a-z]+(?: [a-z]+){0,3}: ")
MIN_FACT_LABELS = 2
# Capitalised words that are not sentence openers in running text: titles before a name, the
# pronouns and demonstratives that open titles of works ("I Want You Back", "This Is It").
_NOT_OPENERS = frozenset({"Dr", "Mr", "Mrs", "Ms", "Miss", "Doctor", "Rev", "Sir", "Lady", "Lord", "Prof", "St", "Mme",
                          "Me", "Mgr", "I", "You", "We", "My", "Your", "Our", "This"})
_OPENERS_AFTER_NAME = frozenset({"The", "A", "An", "There", "He", "She", "They", "But", "His", "Their"})
_YEAR = re.compile(r"(?:19|20)\d\d")
# Words that open a clause before a name ("... friends in 2006 When Michael Jackson died"): after a
# caption's closing year they open the sentence even though a capitalised word follows.
_CLAUSE_OPENERS = frozenset({"When", "While", "After", "Before", "Although", "Because", "Since", "Once"})
MIN_LEAD_IN_WORDS = 3
MIN_LOWERCASE_WORDS_AFTER = 3
MAX_LEAD_INS = 3
# A header line that, once the article body is behind it, starts a trailing block of chrome.
_TRAILING_HEADER = re.compile(
    r"^\s*(?:sign up for|subscribe to|a message from|dear readers|support (?:us|the )|"
    r"newsletters?\b|inscrivez-vous|abonnez-vous|related(?: articles?| stories)?\s*:?\s*$|more from|most read|"
    r"les plus lus|(?:»\s*)?dossier spécial|commentaires?\s*(?:\(\d+\))?\s*:?\s*$|comments?\s*(?:\(\d+\))?\s*:?\s*$|"
    r"vos réactions|réagissez|sur le même sujet|dans la même rubrique|à lire aussi\s*:?\s*$|"
    r"lire aussi\s*:?\s*$|read more\s*:?\s*$|les services de|nos valeurs|discover thomson reuters)",
    re.I,
)
MAX_TRAILING_HEADER_CHARS = 60
MIN_BODY_CHARS_BEFORE_TRAILER = 400
_CAPTION_CREDIT = re.compile(
    r"(?:^|[.,;]\s+|\s[-–—|/]\s*|\s)\(?(?:EPA|AFP|AP|Reuters|TASS|ITAR-TASS|Getty Images|Getty|Sputnik|RIA Novosti|"
    r"Kremlin\.ru|Xinhua|DPA|ANP|Anadolu|Shutterstock|Wikimedia Commons|Wikimedia|Pool|Handout|Flickr|"
    r"AFP PHOTO|Photo|Photos|Crédit|Credit|DR)"
    r"(?:\s*[/|,-]\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)*\)?\s*$"
)
# A photo caption ending in its credit: "Un manifestant blessé ... à Sana'a. Photo Luke Somers,
# copyright Demotix (18/09/2011).", "... en Libye. Crédits photo : GORAN TOMASEVIC/REUTERS",
# "... Photo @abanidrees.". The credit opens a sentence (or follows a dash) with a capital,
# an @handle or a slash, and runs to the end of the line.
_CAPTION_ENDING_IN_CREDIT = re.compile(
    r"(?:^|[.!?»”\")]\s+|\s[-–—|]\s*|\s)(?:Crédits? photos?|CRÉDITS? PHOTOS?|Photos?|PHOTO|Copyright|©|Source photo|"
    r"Photo credit|Picture)\s*:?\s*(?:[A-ZÀ-Ý@/-]|\(?-?/)[^.!?]{0,80}[.]?\s*$"
)
MAX_CAPTION_CHARS = 300
# A photo credit alone: "REUTERS/Kevin Lamarque", "AFP/Getty Images".
_CREDIT_ONLY = re.compile(r"^(?:REUTERS|Reuters|AFP|AP|EPA|GETTY IMAGES|Getty Images)\s*/\s*[A-Z][\w.-]*(?: [A-Z][\w.-]*){0,3}$")
# An author's name alone, as the last paragraph: "Jean-Pierre Langellier", "Sarah Diffalah – Le Nouvel
# Observateur".
_SIGNATURE = re.compile(
    r"^[A-ZÀ-Ý][\w'’-]+(?: (?:[A-ZÀ-Ý][\w'’-]+|de|du|van|von|Le|La)){1,3}(?: [–—-] [A-ZÀ-Ý][\w'’ .-]{1,40})?$"
)
_CAPTION_PREFIX = re.compile(r"^\s*(?:photo|image|crédits? photo|credits?|illustration)\s*:", re.I)
_CREDITS_START = re.compile(r"^\s*(?:\(|(?:avec|with|reporting by|writing by|editing by|additional reporting)\b)", re.I)
_CREDITS_KEY = re.compile(
    r"édité par|edité par|edited by|editing by|rédigé par|writing by|reporting by|pour le service français|"
    r"\b(?:avec|with) (?:AFP|Reuters|AP)\b|\bavec\b.{0,200}\bà (?:Paris|Moscou|Londres|Washington|Bruxelles)",
    re.I,
)
_SOURCE_PAREN = re.compile(r"^\s*\((?:[\w.'’ -]{1,40}(?:avec|with|,)\s*)?(?:AFP|Reuters|AP|Belga|ATS)\)\s*$", re.I)
_BYLINE = re.compile(r"^\s*(?:[Bb]y|[Pp]ar)\s+[A-ZÀ-Ý][\w'’-]+(?:\s+(?:de |du |van |von |le |la )?[A-ZÀ-Ý][\w'’.-]+){0,3}\s*$")

_MONTHS_EN = month_pattern("en")
_MONTHS_FR = month_pattern("fr")
_HEADER_DATE = re.compile(r"^\s*date\s*[:=]?\s*(\d{4})-(\d{2})-(\d{2})\b\s*", re.I)
# A line that is only a date (optionally with a time and "updated ..." tail).
_DATE_LINE_EN = re.compile(
    rf"^\s*(?:(?:published|updated|posted)\s*:?\s*)?(?:[A-Z][a-z]+day,?\s+)?({_MONTHS_EN})\s+(\d{{1,2}}),?\s+(\d{{4}})"
    r"(?:[\s,]+\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?.*)?\s*$",
    re.I,
)
_DATE_LINE_FR = re.compile(
    rf"^\s*(?:(?:publié|mis à jour|le)\s*:?\s*)*(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
    rf"(\d{{1,2}})(?:er)?\s+({_MONTHS_FR})\s+(\d{{4}})(?:\s+(?:à\s+)?\d{{1,2}}\s*[h:]\s*\d{{0,2}}.*)?\s*$",
    re.I,
)
_DATE_LINE_NUM = re.compile(
    r"^\s*(?:(?:publié|mis à jour|published|updated|le)\s*:?\s*)*(\d{1,2})[./](\d{1,2})[./](\d{4})"
    r"(?:\s+(?:à\s+)?\d{1,2}\s*[h:]\s*\d{0,2})?(?:,?\s*mis à jour.*)?\s*$",
    re.I,
)
_DATE_LINE_ISO = re.compile(r"^\s*(?:(?:published|updated|date)\s*:?\s*)?(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:]+\S*)?\s*$", re.I)
_DATELINE = re.compile(
    r"^\s*(?P<city>[A-ZÀ-Ý][A-ZÀ-Ý'’.-]+(?:\s[A-ZÀ-Ý][A-ZÀ-Ý'’.-]+){0,3})"
    r"(?:,\s*[A-Z][\w.]+(?:\s[A-Z][\w.]+)?)?(?:\s*\((?P<agency>[A-Za-z][\w .]{1,20})\))?\s*[-–—]\s+\S"
)
_OUTLET_SELF = [
    re.compile(r"^\s*support (the [A-Z][\w'’&.-]*(?:\s[A-Z][\w'’&.-]*){0,3})\s*!?\s*$", re.I),
    re.compile(r"^\s*a message from (the [A-Z][\w'’&.-]*(?:\s[A-Z][\w'’&.-]*){0,3})\s*:?\s*$", re.I),
    re.compile(r"^\s*by supporting (the [A-Z][\w'’&.-]*(?:\s[A-Z][\w'’&.-]*){0,3})\s*,"),
    re.compile(r"^\s*©\s*(?:copyright\s+)?(?:(?:19|20)\d\d\s+)?([A-Z][\w'’&.]*(?:\s[A-Z0-9][\w'’&.]*){0,3})\s*(?:[-–|.]\s*)?$"),
    # "© Le Monde de la Photo  2007-2020": the years may be a range.
    re.compile(r"^\s*©\s*([A-Z][\w'’&.]*(?:\s(?:[A-Z][\w'’&.]*|du|de|la|le|des)){0,4})\s+(?:19|20)\d\d"
               r"(?:\s*[-–]\s*(?:19|20)\d\d)?\s*$"),
]
_AGENCIES = {"reuters": "Reuters", "afp": "AFP", "ap": "AP", "upi": "UPI", "ansa": "ANSA", "dpa": "DPA"}

# Outlet values that say nothing: the row's outlet is then read from its URL or text.
_PLACEHOLDER_OUTLET = re.compile(r"^\s*(?:unknown|unnamed\b.*|none|null|n/?a|-+|\?+)?\s*$", re.I)
# Domains to outlet names; any other domain names its outlet itself ("example.org").
_DOMAIN_OUTLETS = {
    "bbc.co.uk": "BBC", "bbc.com": "BBC", "lemonde.fr": "Le Monde", "lefigaro.fr": "Le Figaro",
    "liberation.fr": "Libération", "lexpress.fr": "L'Express", "20minutes.fr": "20 Minutes",
    "rtbf.be": "RTBF", "france24.com": "France 24", "rfi.fr": "RFI", "lepoint.fr": "Le Point",
    "nouvelobs.com": "L'Obs", "leparisien.fr": "Le Parisien", "la-croix.com": "La Croix",
    "francetvinfo.fr": "franceinfo", "globalvoices.org": "Global Voices", "reuters.com": "Reuters",
    "apnews.com": "AP", "theguardian.com": "The Guardian", "nytimes.com": "The New York Times",
    "themoscowtimes.com": "The Moscow Times", "aljazeera.com": "Al Jazeera", "aljazeera.net": "Al Jazeera",
}


def _copyright(name: str) -> str:
    """A copyright line of the outlet itself: the name ends there ("© Le Monde 2011"), so
    "© Le Monde de la Photo" is another publication."""
    return rf"©\s*(?:\d{{4}}\s*)?{name}(?=[^\S\n]*(?:\d|[-–—.,;|/\n]|$))"


# What a scraped page leaves of its outlet: a copyright, a menu, a "Le Monde avec AFP"
# credit, the BBC's own correspondents and page stamps. Bare mentions ("told Le Monde")
# and links to other sites (an article citing lexpress.fr) are not enough.
_OUTLET_MARKS = [
    ("BBC", re.compile(r"\bthe BBC['’]s [A-Z]|\btold (?:the )?BBC\b|\bBBC News\b|[Ll]ast updated at \d{1,2}:\d{2}\b")),
    ("RTBF", re.compile(r"sites de la RTBF|" + _copyright("RTBF"))),
    ("Le Monde", re.compile(r"\bLe Monde(?:\.fr)? avec (?:AFP|Reuters|AP)\b|" + _copyright("Le Monde") + r"|^Suivez Le Monde$|"
                            r"^Newsletters du Monde$", re.M | re.I)),
    ("Le Point", re.compile(r"^Expérience Le Point$|^Les forums du Point$", re.M)),
    ("Mediapart", re.compile(r"invités de Mediapart|l['’]intégralité de Mediapart")),
    ("Le Figaro", re.compile(r"sites du Groupe Figaro|" + _copyright("Le Figaro"))),
    ("20 Minutes", re.compile(r"Copyright 20\s?Minutes|fréquentation de 20\s?Minutes")),
    ("L'Express", re.compile(r"application L['’]Express")),
    ("Libération", re.compile(_copyright("Libération"))),
    ("France 24", re.compile(_copyright("France 24"))),
    ("Slate", re.compile(r"^La quotidienne de Slate$|" + _copyright("Slate"), re.M)),
]


def outlet_from_url(url: str | None) -> str | None:
    """The outlet a URL's domain names: a known outlet, else the bare domain."""
    if not url:
        return None
    match = re.match(r"^(?:[a-z]+://)?(?:www\d?\.|m\.|mobile\.|news\.)?([^/:?#\s]+)", url.strip(), re.I)
    if not match or "." not in match.group(1):
        return None
    domain = match.group(1).lower()
    for known, name in _DOMAIN_OUTLETS.items():
        if domain == known or domain.endswith("." + known):
            return name
    return domain


def outlet_from_text(raw: str) -> str | None:
    """The outlet whose page leftovers the raw text carries most, if any; else the site
    that stamps a line with its name and the date ("Slate.fr — 27 septembre 2011 à 18h41")."""
    counts = {name: len(pattern.findall(raw)) for name, pattern in _OUTLET_MARKS}
    best = max(counts, key=lambda name: counts[name])
    if counts[best]:
        return best
    stamp = _SITE_STAMP.search(raw)
    if stamp:
        return stamp.group(1)
    # An agency's own dispatch: people spoke to it ("ont déclaré mercredi à Reuters") and its
    # reporters' credits close the text ("(John Irish, avec ..., édité par ...)").
    last = next((line for line in reversed(raw.strip().split("\n")) if line.strip()), "")
    told = _TOLD_AGENCY.search(raw)
    return _AGENCIES[fold(told.group(1)).lower()] if told and _is_credits(last) else None


# "told Reuters", "a déclaré à l'AFP"; "according to Reuters" is another outlet citing it.
_TOLD_AGENCY = re.compile(r"\b(?:told|à) (?:l['’])?(Reuters|AFP)\b")


def _given_outlet(value: object) -> str | None:
    if not isinstance(value, str) or _PLACEHOLDER_OUTLET.match(value):
        return None
    return value.strip()


def _normalise_spaces(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    text = re.sub(r" {2,}", " ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def _line_key(line: str) -> str:
    return re.sub(r"\s+", " ", _ZERO_WIDTH.sub("", line)).strip().lower()


def _is_chrome(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if _URL_LINE.match(stripped) or _RELATED_LINE.match(stripped) or _CHROME_EXACT.match(stripped):
        return True
    if len(stripped) <= 160 and _CHROME_KEYWORDS.search(stripped):
        return True
    if len(stripped) <= 60 and re.match(r"^(?:support|soutenez)\s.{2,50}!$", stripped, re.I):
        return True  # "Support The Moscow Times!" appeals
    if len(stripped) <= 160 and not re.search(r"[.!?:]\s*$", stripped) and _CAPTION_CREDIT.search(stripped):
        return True
    if len(stripped) <= 200 and _CAPTION_PREFIX.match(stripped):
        return True
    if len(stripped) <= MAX_CAPTION_CHARS and _CAPTION_ENDING_IN_CREDIT.search(stripped):
        return True
    if _LINK_LINE.match(stripped) or _SLUG_LINE.match(stripped) or _CREDIT_ONLY.match(stripped):
        return True
    if len(stripped) <= 400 and _is_credits(stripped):
        return True
    if (_SOURCE_PAREN.match(stripped) or _BYLINE.match(stripped) or _WEEKDAY_STAMP.match(stripped)
            or _SITE_STAMP.match(stripped)):
        return True
    return _is_date_line(stripped) is not None


def _opens_sentence(word: str, next_word: str | None, lowercase_words: frozenset[str],
                    capitalised_inside: frozenset[str], after_year: bool = False) -> bool:
    """Whether a capitalised `word` that follows a lower-case one without punctuation opens a
    new sentence: a function word ("The", "A", "There") or a common word the article otherwise
    writes in lower case ("Police", "Stars"), not followed by another capitalised word (titles
    and names: "Le Monde", "The Jackson 5", "Number Ones")."""
    if not (word[:1].isupper() and (word[1:].islower() or word == "A")) or word in _NOT_OPENERS:
        return False
    if month_number(word) or weekday_number(word):
        return False
    if next_word is not None and next_word[:1].isupper() and not (after_year and word in _CLAUSE_OPENERS):
        return False
    folded = fold(word)
    if folded in STOP_WORDS["en"]:
        return True
    return folded in lowercase_words and folded not in capitalised_inside


def _glued_lead_in(line: str, lowercase_words: frozenset[str], capitalised_inside: frozenset[str]) -> int | None:
    """Where the article's sentence starts when a photo caption or headline is glued in front of it
    with no closing punctuation ("Stores have seen a surge in sales of Jackson's albums A total
    of 11 ..."): the offset of the sentence, or None. Only the line's first sentence is searched,
    the lead-in has at least MIN_LEAD_IN_WORDS words and the sentence after it reads as prose."""
    spans = list(word_spans(line))
    if spans and re.search(r"[.!?;:…]", line[:spans[0].start()]):
        return None
    for i in range(1, len(spans)):
        prev, word = spans[i - 1], spans[i]
        between = line[prev.end():word.start()]
        if re.search(r"[.!?;:…]", between):
            return None
        if i < MIN_LEAD_IN_WORDS or not re.fullmatch(r"['’\"”)]?\s", between) or line[word.end():word.end() + 1] == ".":
            continue  # an initial ("Cindy A.") is not a sentence's first word
        before, opener = prev.group(), word.group()
        after_year = bool(_YEAR.fullmatch(before))
        if fold(before) in ALL_STOP_WORDS or (before[:1].isdigit() and not after_year):
            continue  # a number names ("the Jackson 5 The ..."); a year ends a caption ("... in 2009 The headboard")
        if not before[:1].islower() and opener not in _OPENERS_AFTER_NAME | (_CLAUSE_OPENERS if after_year else set()):
            continue  # after a name ("... O2 Arena The release") only these open a sentence ("Beat It")
        next_word = spans[i + 1].group() if i + 1 < len(spans) else None
        if not _opens_sentence(opener, next_word, lowercase_words, capitalised_inside, after_year):
            continue
        if _reads_as_prose(line, word.start()) and not _CHRONOLOGY_DATE.fullmatch(line[:word.start()].strip()):
            return word.start()
    return None


# A chronology's date opening its entry ("20 October 2011 The prosecution's ..."), no lead-in.
_CHRONOLOGY_DATE = re.compile(rf"\d{{1,2}}(?:er)? (?:{_MONTHS_EN}|{_MONTHS_FR}) (?:19|20)\d\d,?", re.I)


def _reads_as_prose(line: str, start: int) -> bool:
    """Whether the sentence that starts at `start` reads as prose: enough lower-case words."""
    sentence = sentence_spans(line, start, len(line))
    end = sentence[0][1] if sentence else len(line)
    return sum(1 for w in word_spans(line[start:end]) if w.group()[:1].islower()) >= MIN_LOWERCASE_WORDS_AFTER


# A headline is at most this many words.
MAX_HEADLINE_WORDS = 15


def _glued_headline(line: str) -> int | None:
    """Where the first sentence starts when the article's headline or a caption is glued in front
    of it and the sentence opens with the name the lead-in opens with ("Michael Jackson doctor gets
    four years in prison Michael Jackson's former doctor, Conrad Murray, has been sentenced ...",
    "Michael Jackson died in June 2009 Michael Jackson was in good spirits."):
    the offset of the sentence, or None. Names are no sentence openers for `_glued_lead_in`
    (a verb or a noun in apposition comes before a name: "caused Michael Jackson's death",
    "pop star Michael Jackson"); a name the headline itself began with is."""
    spans = list(word_spans(line))
    if len(spans) < 2 or not spans[0].group()[:1].isupper():
        return None
    for i in range(MIN_LEAD_IN_WORDS, min(len(spans), MAX_HEADLINE_WORDS + 1)):
        prev, word = spans[i - 1], spans[i]
        if re.search(r"[.!?;:…]", line[spans[0].start():word.start()]):
            return None
        before = prev.group()
        ends_clause = (before[:1].islower() and fold(before) not in ALL_STOP_WORDS) or _YEAR.fullmatch(before)
        if not (ends_clause and line[prev.end():word.start()] == " "):
            continue
        if fold(word.group()).split("'")[0].split("’")[0] != fold(spans[0].group()):
            continue
        if _reads_as_prose(line, word.start()):
            # "... court documents show Pop star Michael Jackson was ...": the sentence starts
            # with the title before the name.
            first = i
            while first - 1 > MIN_LEAD_IN_WORDS and spans[first - 1].group().lower() in _BEFORE_A_NAME:
                first -= 1
            return spans[first].start() if spans[first].group()[:1].isupper() else word.start()
    return None


# A chronology's entry glued after a caption that has no closing stop ('... over the dose" 20 October
# 2011 The prosecution's final witness ...'): the date and the capitalised word after it start a line.
_DATE_SEAM = re.compile(
    rf"(?<=[a-zà-ÿ\"”’»)])[^\S\n]+(?=\d{{1,2}}(?:er)? (?:{month_pattern('en', capitalised=True)}|{_MONTHS_FR}) "
    r"(?:19|20)\d\d,? [A-ZÀ-Ý])")


def _split_at_date_seams(line: str) -> list[str]:
    """The line cut before each chronology date that a caption runs into. The text before the
    date ends with a closing quote or a lower-case word other than a function word: a date after
    one ("died on 25 June 2009 Michael ...") is part of its sentence."""
    parts, start = [], 0
    for seam in _DATE_SEAM.finditer(line):
        before = line[start:seam.start()]
        words = list(word_spans(before))
        quote_ends = re.search(r"[\"”’»)]$", before) is not None
        last = words[-1].group() if words else ""
        if not (quote_ends or (last[:1].islower() and fold(last) not in ALL_STOP_WORDS)):
            continue
        parts.append(before)
        start = seam.end()
    return parts + [line[start:]]


# What tells a clause: an auxiliary or a common reporting verb (no tagger: a word list).
_FINITE = frozenset({"is", "was", "are", "were", "has", "have", "had", "must", "will", "would", "can", "could",
                     "should", "may", "might", "did", "does", "says", "said", "told", "tells"})
# Words before a name that make it their object or apposition, not a new sentence's subject
# ("to give Michael Jackson", "accuse Dr Murray", "pop star Michael Jackson").
_BEFORE_A_NAME = frozenset(
    "give gave accuse against star superstar singer pop doctor physician lawyer attorney judge brother sister father "
    "mother son daughter wife husband president minister chief leader spokesman spokeswoman actor actress officer "
    "detective prosecutor expert witness bodyguard friend promoter producer manager nurse late help helped "
    "named called call visit meet met see saw join joined".split())
MIN_CAPTION_WORDS = 5


def _glued_caption(line: str) -> int | None:
    """Where the lede starts when a photo caption, a clause without a full stop, is glued in
    front of it and the lede opens with a full name as its subject ("The judge told Dr Murray he
    must not administer anesthetic Michael Jackson's former doctor has denied a charge ..."): the
    offset, or None. The caption has a verb of its own, the word before the name is none that
    takes a name after it (a verb, a title: "pop star Michael Jackson"), and a verb follows the
    name within a few words."""
    spans = list(word_spans(line))
    for i in range(MIN_CAPTION_WORDS, len(spans) - 2):
        word, following = spans[i], spans[i + 1]
        if re.search(r"[.!?;:…,]", line[:word.start()]):
            return None
        # "... had speculated that Jackson was in very poor health Pop star Michael Jackson had a
        # strong heart": the lede opens with the title before the name.
        first = i
        while first - 1 > MIN_CAPTION_WORDS and spans[first - 1].group().lower() in _BEFORE_A_NAME:
            first -= 1
        if not spans[first].group()[:1].isupper():
            first = i
        prev = spans[first - 1]
        before = prev.group()
        if (line[prev.end():spans[first].start()] != " " or not (before[:1].islower() or _YEAR.fullmatch(before))
                or fold(before) in ALL_STOP_WORDS or before.lower() in _BEFORE_A_NAME
                or before.endswith(("ing", "ed"))):
            continue
        if (not (word.group()[:1].isupper() and following.group()[:1].isupper()) or month_number(word.group())
                or fold(word.group()) in ALL_STOP_WORDS):
            continue  # a full name ("Michael Jackson's", "Dr Conrad Murray"), not "June" or "When Michael"
        run_end = next((j for j in range(i, len(spans)) if not spans[j].group()[:1].isupper()), len(spans))
        opener = spans[run_end].group().lower() if run_end < len(spans) else ""
        if opener in ALL_STOP_WORDS and opener not in _FINITE:
            continue  # "... in downtown Los Angeles when the buzzes were heard": the name ends a clause
        lead = {w.group().lower() for w in spans[:first]}
        after = [w.group().lower() for w in spans[i + 2:i + 8]]
        start = spans[first].start()
        if (lead & _FINITE or any(w.endswith("ed") for w in lead)) and (
                set(after) & _FINITE or any(w.endswith("ed") for w in after)) and _reads_as_prose(line, start):
            return start
    return None


def _article_case_vocabulary(raw: str) -> tuple[frozenset[str], frozenset[str]]:
    """The (folded) words an article writes in lower case, and those it capitalises after a
    lower-case word (names and titles of works, never sentence openers)."""
    lowercase = frozenset(fold(m.group()) for m in word_spans(raw) if m.group()[:1].islower())
    inside = frozenset(fold(m.group(1)) for m in re.finditer(r"\b[a-zà-ÿ][\w'’-]* ([A-ZÀ-Ý][\w'’-]*)", raw))
    return lowercase, inside


def _strip_fact_box(line: str) -> str:
    """The line without a flattened fact box at its start; empty when it is all fact box."""
    first_stop = re.search(r"[.!?](?:\s|$)", line)
    labels = list(_FACT_LABEL.finditer(line[:first_stop.start() if first_stop else len(line)]))
    if len(labels) < MIN_FACT_LABELS or labels[0].start() != 0:
        return line
    spans = list(word_spans(line))
    after_label = [w for w in spans if w.start() >= labels[-1].end()][1:]
    for word in after_label:
        text = word.group()
        if text[:1].isupper() and text not in _NOT_OPENERS and fold(text) in ALL_STOP_WORDS:
            return line[word.start():]
    return ""


def _cleaned_lines(raw: str) -> list[str]:
    """The raw text's lines without page stamps, bylines, fact boxes and (in English) the captions
    and headlines glued in front of the text."""
    text = _INLINE_BYLINE.sub("", _INLINE_STAMP.sub("", _normalise_spaces(raw)))
    text = _LINK_LANGUAGE.sub("", _MEDIA_CREDIT.sub("", _CAPTION_TO_CREDIT.sub("", _GLUED_PULL_QUOTE.sub("", text))))
    lines = [_strip_fact_box(_CREDIT_RUN.sub("", part)) for line in _SSI_ERROR.sub(" ", text).split("\n")
             for part in _split_at_date_seams(line)]
    if guess_language(text) == "en":  # glued captions are told apart by English function words
        lowercase_words, capitalised_inside = _article_case_vocabulary(text)
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        cut = None if first is None else _glued_headline(lines[first]) or _glued_caption(lines[first])
        if first is not None and cut is not None:
            lines[first:first + 1] = [lines[first][:cut].rstrip(), lines[first][cut:]]
        lines = [_strip_lead_ins(line, lowercase_words, capitalised_inside)[1] for line in lines]
    return lines


# A headline printed twice, the first time after its section's name ("Monde Libye: Kadhafi aurait
# échappé ..." then "Libye: Kadhafi aurait échappé ..."): the first copy goes.
MAX_RUBRIC_CHARS = 20


def _drop_rubric_copies(lines: list[str]) -> list[str]:
    return [line for line, following in zip(lines, lines[1:] + [""], strict=True)
            if not (following and line.endswith(" " + following) and len(line) - len(following) <= MAX_RUBRIC_CHARS)]



def _strip_lead_ins(line: str, lowercase_words: frozenset[str], capitalised_inside: frozenset[str]) -> tuple[str, str]:
    """(first lead-in removed, rest of the line): glued captions and headlines taken off the front."""
    first = ""
    for _ in range(MAX_LEAD_INS):
        cut = _glued_lead_in(line, lowercase_words, capitalised_inside)
        if cut is None:
            break
        first = first or line[:cut].strip()
        line = line[cut:]
    return first, line


def _is_credits(line: str) -> bool:
    """A credits line: "(John Irish, avec ..., édité par ...)" or "Avec X à Tunis, édité par Y"."""
    if not _CREDITS_START.match(line):
        return False
    if line.startswith("(") and not line.rstrip(". ").endswith(")"):
        return False
    return bool(_CREDITS_KEY.search(line))


def _is_date_line(line: str) -> dt.date | None:
    if len(line) > 120:
        return None
    for pattern, order in ((_DATE_LINE_ISO, "ymd"), (_DATE_LINE_EN, "mdy"), (_DATE_LINE_FR, "dmy"), (_DATE_LINE_NUM, "dmy")):
        m = pattern.match(line)
        if not m:
            continue
        a, b, c = m.group(1), m.group(2), m.group(3)
        try:
            if order == "ymd":
                return dt.date(int(a), int(b), int(c))
            if order == "mdy":
                return dt.date(int(c), month_number(a, "en") or 0, int(b))
            month = int(b) if b.isdigit() else month_number(b, "fr") or 0
            return dt.date(int(c), month, int(a))
        except (ValueError, KeyError):
            return None
    return None


@dataclass
class ArticleMetadata:
    """What an article's own text says about it; None where it says nothing."""

    title: str | None = None
    published: dt.date | None = None
    dateline: str | None = None
    outlet: str | None = None


def _is_hard_wrapped(block: list[str]) -> bool:
    """PDF/e-mail text: the lines of a block (but the last) fill nearly the same width."""
    if len(block) < 2:
        return False
    widths = [len(line) for line in block[:-1]]
    widest = max(widths)
    if widest > 130 or len(block[-1]) > widest + 15:
        return False  # a wrapped paragraph's last line is no wider than the wrap width
    open_ended = sum(1 for line in block[:-1] if not _TERMINAL.search(line))
    if open_ended < 0.5 * len(widths):
        return False  # lines that end sentences are separate paragraphs, not a wrapped one
    return sum(1 for w in widths if w >= 0.6 * widest) >= 0.6 * len(widths)


def _join(a: str, b: str) -> str:
    if a.endswith("-") and b[:1].islower():
        return a + b
    return a + " " + b


_RUBRICS = frozenset(
    """
    reportage infographie infographies vidéo video vidéos videos photos photo exclusif exclusive analyse analysis
    entretien interview direct décryptage decryptage tribune éditorial editorial opinion update breaking live
    témoignage enquête portrait chronique récit
    """.split()
)


def _is_rubric(city: str) -> bool:
    """Section labels ("REPORTAGE -", "EN DIRECT -", "MINUTE PAR MINUTE -") are not datelines."""
    words = city.lower().split()
    return "." in city or any(w in _RUBRICS for w in words) or "minute" in words or "par" in words


def extract_metadata(raw: str) -> ArticleMetadata:
    """Title, publication date, dateline and self-named outlet from an article's raw text."""
    meta = ArticleMetadata()
    nonblank = [line for line in _normalise_spaces(raw).split("\n") if line]
    if not nonblank:
        return meta
    header = _HEADER_DATE.match(nonblank[0])
    if header:
        try:
            meta.published = dt.date(int(header.group(1)), int(header.group(2)), int(header.group(3)))
        except ValueError:
            pass
        rest = nonblank[0][header.end():].strip()
        if rest:
            meta.title = rest
    for line in nonblank[:12]:
        if meta.published is None:
            found = _is_date_line(line)
            if found:
                meta.published = found
    for line in nonblank:
        for pattern in _OUTLET_SELF:
            m = pattern.match(line)
            if m:
                meta.outlet = m.group(1).strip()
                break
        if meta.outlet:
            break
    # Dateline: the first line of the body.
    for line in nonblank[:8]:
        if _is_chrome(line):
            continue
        m = _DATELINE.match(line)
        if m and len(m.group("city")) >= 3 and not _is_rubric(m.group("city")):
            meta.dateline = m.group("city").strip()
            agency = (m.group("agency") or "").strip().lower()
            if agency in _AGENCIES and meta.outlet is None:
                meta.outlet = _AGENCIES[agency]
            break
    return meta


def clean_text(raw: str, boilerplate: frozenset[str] = frozenset()) -> str:
    """Article text without site chrome and extraction artefacts, one paragraph a line.

    `boilerplate` holds normalised lines (see `cluster_boilerplate`) to drop as well.
    Paragraphs are separated by a blank line; hard-wrapped lines are joined; a paragraph
    cut by dumped URLs or "Related" lines is rejoined with its continuation.
    """
    lines = _cleaned_lines(raw)
    lines = _drop_rubric_copies(lines)
    if lines and _HEADER_DATE.match(lines[0] or ""):
        lines[0] = lines[0][_HEADER_DATE.match(lines[0]).end():].strip()  # type: ignore[union-attr]
    # 1. Line-level removal; remember where something was cut out.
    kept: list[str | None] = []  # None marks a removed line (junk)
    body_chars = 0
    for line in lines:
        if (
            body_chars >= MIN_BODY_CHARS_BEFORE_TRAILER
            and len(line) <= MAX_TRAILING_HEADER_CHARS
            and _TRAILING_HEADER.match(line)
            and not re.search(r":\s*\S", line)
        ):
            break  # 3. trailing chrome: a header after the body starts a block that runs to the end
        if line and (_is_chrome(line) or _line_key(line) in boilerplate):
            kept.append(None)
        else:
            kept.append(line)
            body_chars += len(line)
    # 2. Paragraphs: blocks of non-blank lines; junk lines split blocks but are remembered.
    paragraphs: list[tuple[str, bool]] = []  # (text, junk_removed_before_it)
    block: list[str] = []
    junk_pending = False

    def flush() -> None:
        nonlocal block, junk_pending
        if not block:
            return
        if _is_hard_wrapped(block):
            joined = block[0]
            for line in block[1:]:
                joined = _join(joined, line)
            paragraphs.append((joined, junk_pending))
        else:
            current = block[0]
            first = True
            for line in block[1:]:
                if line[:1].islower() and not _TERMINAL.search(current):
                    current = _join(current, line)
                else:
                    paragraphs.append((current, junk_pending if first else False))
                    first = False
                    current = line
            paragraphs.append((current, junk_pending if first else False))
        block = []
        junk_pending = False

    for maybe_line in kept:
        if maybe_line is None:
            flush()
            junk_pending = True
        elif not maybe_line:
            flush()
        else:
            block.append(maybe_line)
    flush()
    # 4. Rejoin a paragraph cut by removed junk: it ends mid-sentence and runs on.
    # Trailing paragraphs that are account/newsletter/legal notices, even long ones.
    while paragraphs and len(paragraphs) > 1 and (
            (len(paragraphs[-1][0]) <= 600 and _CHROME_KEYWORDS.search(paragraphs[-1][0]))
            or _SIGNATURE.match(paragraphs[-1][0])):
        paragraphs.pop()
    merged: list[str] = []
    for para, junk_before in paragraphs:
        if len(merged) > 1:  # never onto the first paragraph: that is the title when there is one
            prev = merged[-1]
            runs_on = len(prev) >= 30 and bool(re.search(r"(?:\b[a-zà-ÿ][\w'’-]*|,)$", prev))
            if runs_on and (junk_before or para[:1].islower()):
                merged[-1] = _join(prev, para)
                continue
        merged.append(para)
    return "\n\n".join(p.strip() for p in merged if p.strip())


def cluster_boilerplate(texts: Sequence[str], min_documents: int = 3) -> frozenset[str]:
    """Lines repeated verbatim across at least `min_documents` different articles.

    Site chrome (menus, headline lists, account prompts) repeats across articles of the
    same site; an article's own paragraphs do not, unless the article itself is repeated.
    Documents that share most of their long lines count as one, so three copies of the
    same wire story do not lose their body.
    """
    doc_lines: list[set[str]] = []
    for text in texts:
        doc_lines.append({key for key in (_line_key(line) for line in text.split("\n")) if len(key) >= 3})
    frequency: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(doc_lines):
        for key in keys:
            frequency[key].append(index)
    long_lines = [{key for key in keys if len(key) >= 150} for keys in doc_lines]

    def same(a: int, b: int) -> bool:
        la, lb = long_lines[a], long_lines[b]
        if not la or not lb:
            return False
        return len(la & lb) / min(len(la), len(lb)) >= 0.5

    distinct_cache: dict[tuple[int, ...], int] = {}

    def distinct(docs: tuple[int, ...]) -> int:
        if docs not in distinct_cache:
            representatives: list[int] = []
            for doc in docs:
                if not any(same(doc, rep) for rep in representatives):
                    representatives.append(doc)
                    if len(representatives) >= min_documents:
                        break
            distinct_cache[docs] = len(representatives)
        return distinct_cache[docs]

    return frozenset(
        key
        for key, docs in frequency.items()
        if len(docs) >= min_documents
        and len(key) <= MAX_BOILERPLATE_LINE_CHARS  # a long shared line is more likely quoted wire copy
        and distinct(tuple(docs)) >= min_documents
    )


# --------------------------------------------------------------------------- reading


@dataclass
class _Raw:
    origin: str
    text: str
    html: bool = False
    fields: dict = field(default_factory=dict)


def _parse_date_field(value: object, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise InputError(f"{where}: published {value!r} is not an ISO date (YYYY-MM-DD)")


_FIELDS = ("id", "url", "title", "outlet", "published", "language", "text")


def _row(obj: object, where: str) -> _Raw:
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object with a 'text' field")
    text = obj.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: article has no 'text' string")
    if len(text.encode("utf-8")) > MAX_ARTICLE_BYTES:
        raise InputError(f"{where}: article text is over the {MAX_ARTICLE_BYTES / 1e6:.0f} MB limit")
    fields = {key: obj.get(key) for key in _FIELDS if key != "text" and obj.get(key) not in (None, "")}
    fields["published"] = _parse_date_field(fields.get("published"), where)
    return _Raw(origin=where, text=text, fields=fields)


def _read_file(path: Path, warnings: list[str] | None = None) -> list[_Raw]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        text = _decode(_read_bytes(path, MAX_JSONL_BYTES), str(path), warnings)
        rows = []
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: malformed JSON ({exc.msg})") from None
            rows.append(_row(obj, f"{path}#L{number}"))
        return rows
    text = _decode(_read_bytes(path, MAX_ARTICLE_BYTES), str(path), warnings)
    if suffix == ".json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: malformed JSON ({exc.msg})") from None
        if isinstance(obj, list):
            return [_row(item, f"{path}#{i}") for i, item in enumerate(obj)]
        return [_row(obj, str(path))]
    if suffix in (".html", ".htm"):
        return [_Raw(origin=str(path), text=text, html=True)]
    if suffix == ".md":
        text = _plain_markdown(text)
    return [_Raw(origin=str(path), text=text)]


def _plain_markdown(text: str) -> str:
    """Markdown markup that is not article text: heading marks, link targets, emphasis, images."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s+", "", text)
    text = re.sub(r"(?m)^\s{0,3}>\s?", "", text)
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if path.is_dir():
            found = sorted(
                (p for p in path.iterdir()
                 if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in ARTICLE_SUFFIXES),
                key=lambda p: p.name,
            )
            if not found:
                raise InputError(f"{path}: no readable articles ({', '.join(ARTICLE_SUFFIXES)}) in this directory")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: not a regular file or directory")
    return files


def _from_html(raw: _Raw) -> tuple[str, dict]:
    import trafilatura

    doc = trafilatura.bare_extraction(raw.text, with_metadata=True, include_comments=False, include_tables=False)
    if doc is None or isinstance(doc, dict) or not (doc.text or "").strip():  # a dict only when asked for one
        raise InputError(f"{raw.origin}: no article text found in this HTML page")
    fields: dict = {}
    if doc.title:
        fields["title"] = doc.title.strip()
    if doc.sitename:
        fields["outlet"] = doc.sitename.strip()
    if doc.url:
        fields["url"] = doc.url
    if doc.date:
        try:
            fields["published"] = dt.date.fromisoformat(str(doc.date)[:10])
        except ValueError:
            pass
    # trafilatura gives one paragraph a line; make them blank-line separated.
    text = "\n\n".join(line for line in (doc.text or "").split("\n") if line.strip())
    return text, fields


def _title_from(cleaned: str) -> str | None:
    """The first paragraph when it reads as a headline: short, several words, no closing period."""
    first = cleaned.split("\n\n", 1)[0].strip()
    if len(first) > 200 or len(first.split()) < 3 or re.search(r"[.:;,][\"”»’')]?$", first):
        return None
    if _is_chrome(first) or outlet_from_text(first):
        return None  # a site's menu or credit line, never the article's title
    return first


OPENING_WORDS = 12


def opening(text: str, max_words: int = OPENING_WORDS) -> str | None:
    """An untitled article's first words, to name it by where a title would stand ("The Kremlin
    has declined to confirm or deny reports that a senior…"): a file name tells an editor
    nothing. The dateline is left off; a cut ends on a word that carries meaning."""
    first = text.strip().split("\n\n", 1)[0]
    dateline = _DATELINE.match(first)
    if dateline:
        first = first[dateline.end() - 1:]  # the pattern ends on the body's first character
    spans = sentence_spans(first)
    if not spans:
        return None
    sentence = " ".join(first[spans[0][0]:spans[0][1]].split())
    tokens = sentence.split(" ")
    if len(tokens) <= max_words:
        return sentence.rstrip(".;:, ")
    kept = tokens[:max_words]
    while len(kept) > 3 and (fold(kept[-1].strip(",;:()«»\"“”")) in ALL_STOP_WORDS or not kept[-1].strip(",;:()")):
        kept.pop()
    return " ".join(kept).rstrip(",;:( ") + "…"


def _content_id(text: str) -> str:
    normalised = re.sub(r"\s+", " ", text).strip().lower()
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()[:12]


def read_articles(paths: Sequence[Path], warnings: list[str] | None = None) -> list[Article]:
    """Read, clean and describe every article under `paths` (files, directories, JSON/JSONL);
    what could not be read cleanly is added to `warnings`."""
    if isinstance(paths, (str, Path)):
        paths = [Path(paths)]
    if not paths:
        raise InputError("no input paths given")
    raws: list[_Raw] = []
    for path in _expand(paths):
        raws.extend(_read_file(path, warnings))
    if not raws:
        raise InputError(f"{', '.join(map(str, paths))}: no readable articles")
    texts: list[str] = []
    extra: list[dict] = []
    for raw in raws:
        if raw.html:
            text, fields = _from_html(raw)
            texts.append(text)
            extra.append(fields)
        else:
            texts.append(raw.text)
            extra.append({})
    boilerplate = cluster_boilerplate(texts) if len(texts) >= 3 else frozenset()
    articles: list[Article] = []
    for raw, text, html_fields in zip(raws, texts, extra, strict=True):
        meta = extract_metadata(text)
        cleaned = clean_text(text, boilerplate)
        if not cleaned.strip():
            raise InputError(f"{raw.origin}: no article text left after cleaning")
        fields = {**html_fields, **raw.fields}
        published = fields.get("published")
        published_from: Literal["metadata", "text"] | None = "metadata" if published else None
        if published is None and meta.published is not None:
            published, published_from = meta.published, "text"
        title = fields.get("title") or meta.title
        if title is None:
            title = _title_from(cleaned)
        outlet = (_given_outlet(fields.get("outlet")) or outlet_from_url(fields.get("url")) or meta.outlet
                  or outlet_from_text(text))
        articles.append(
            Article(
                id=_content_id(cleaned),
                origin=raw.origin,
                title=title,
                outlet=outlet,
                url=fields.get("url"),
                published=published,
                published_from=published_from,
                dateline=meta.dateline,
                language=str(fields.get("language") or guess_language(cleaned)),
                text=cleaned,
            )
        )
    return _outlets_of_collections(articles, raws)


# A collection's placeholder outlet ("unknown") stands for one outlet when at least this
# share of its rows show that outlet's leftovers and none shows another's.
COLLECTION_OUTLET_SHARE = 0.25


def _outlets_of_collections(articles: list[Article], raws: list[_Raw]) -> list[Article]:
    """Rows of one file that share a placeholder outlet come from one collection: when the
    rows that show their outlet all show the same one, it is every row's (the MJ rows read
    "unknown", and are BBC pages)."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, raw in enumerate(raws):
        given = raw.fields.get("outlet")
        if isinstance(given, str) and _given_outlet(given) is None:
            groups[(raw.origin.partition("#")[0], given.strip().lower())].append(i)
    for members in groups.values():
        found = {articles[i].outlet for i in members if articles[i].outlet}
        shown = sum(1 for i in members if articles[i].outlet)
        if len(found) == 1 and shown >= COLLECTION_OUTLET_SHARE * len(members):
            outlet = found.pop()
            for i in members:
                articles[i] = articles[i].model_copy(update={"outlet": outlet})
    return articles


# --------------------------------------------------------------------------- near-duplicates

_WORD = re.compile(r"\w+", re.UNICODE)


def _shingles(text: str, size: int = 5) -> set[int]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {hash(" ".join(words))} if words else set()
    return {hash(" ".join(words[i:i + size])) for i in range(len(words) - size + 1)}


def _similarity(a: set[int], b: set[int]) -> float:
    """Overlap coefficient: shared shingles over the smaller set (a scrape inside a longer copy counts)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _candidate_pairs(shingles: list[set[int]], threshold: float) -> list[tuple[int, int]]:
    """The pairs (i < j) that can reach `threshold`, found by prefix filtering rather than by
    comparing every pair (quadratic on a large JSONL). With shingles in one global order
    (their hash), a set A overlapping B in at least threshold x |A| shingles must have one of
    its first |A| - ceil(threshold x |A|) + 1 shingles in B; sets are indexed by those only,
    smaller sets first, so every pair is probed from its larger member."""
    prefix_index: dict[int, list[int]] = defaultdict(list)
    pairs: list[tuple[int, int]] = []
    for j in sorted(range(len(shingles)), key=lambda k: len(shingles[k])):
        bag = shingles[j]
        found: set[int] = set()
        for shingle in bag:
            found.update(prefix_index.get(shingle, ()))
        pairs.extend((min(i, j), max(i, j)) for i in found)
        if bag:
            prefix = len(bag) - math.ceil(threshold * len(bag) - 1e-9) + 1
            for shingle in heapq.nsmallest(prefix, bag):
                prefix_index[shingle].append(j)
    return sorted(pairs)


_FROM_RANK = {"metadata": 0, "text": 1, "cluster": 2, None: 3}


def dedupe(articles: list[Article], threshold: float = DEFAULT_DUPLICATE_THRESHOLD) -> list[Source]:
    """Merge near-duplicate articles into Sources, numbered 1..N by date, then origin."""
    shingles = [_shingles(article.text) for article in articles]
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sizes = [len(s) for s in shingles]
    for i, j in _candidate_pairs(shingles, threshold):
        small, large = sorted((sizes[i], sizes[j]))
        if small == 0 or small < threshold * 0.25 * large:
            continue  # a short piece cannot be a near-duplicate of a much longer one
        if _similarity(shingles[i], shingles[j]) >= threshold:
            parent[find(j)] = find(i)
    groups: dict[int, list[Article]] = defaultdict(list)
    for i, article in enumerate(articles):
        groups[find(i)].append(article)

    merged: list[Source] = []
    for members in groups.values():
        # The longest text is kept (the cleaner copy when one was truncated); ties by origin.
        best = sorted(members, key=lambda a: (-len(a.text), a.origin))[0]
        ordered = [best] + [m for m in members if m is not best]

        def pick(attr: str, ordered: list[Article] = ordered):
            for member in ordered:
                value = getattr(member, attr)
                if value not in (None, "", "und"):
                    return value
            return None

        dated = sorted((m for m in members if m.published), key=lambda m: (_FROM_RANK[m.published_from], m.origin))
        merged.append(
            Source(
                id=_content_id(best.text),
                number=1,
                origins=sorted(m.origin for m in members),
                title=pick("title"),
                outlet=pick("outlet"),
                url=pick("url"),
                published=dated[0].published if dated else None,
                published_from=dated[0].published_from if dated else None,
                dateline=pick("dateline"),
                language=pick("language") or "und",
                text=best.text,
            )
        )
    merged.sort(key=lambda s: (s.published or dt.date.max, s.origins[0]))
    return [source.model_copy(update={"number": n}) for n, source in enumerate(merged, start=1)]


# --------------------------------------------------------------------------- story


def _display_name(origin: str) -> str:
    path, _, line = origin.partition("#")
    return Path(path).name + (f"#{line}" if line else "")


def build_story(paths: Sequence[Path], name: str | None = None, topic: str | None = None) -> Story:
    """Read -> dedupe -> passages -> subject: the Story the later stages work from.

    The subject is `topic` when given (the user's, or a story's name), else the names the
    articles share; articles not about it are set aside as off-topic, with a warning.
    """
    from storybrief.passages import find_subject, set_aside_off_topic, split_passages

    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    warnings: list[str] = []
    articles = read_articles(paths, warnings)
    sources = dedupe(articles)
    dates = [s.published for s in sources if s.published]
    cluster_date = max(dates) if dates else None
    passages = []
    for source in sources:
        base = source.published
        if base is None:
            where = ", ".join(_display_name(o) for o in source.origins)
            if cluster_date is not None:
                base = cluster_date
                warnings.append(
                    f"{where}: no publication date; relative dates resolved against the cluster's latest date "
                    f"{cluster_date.isoformat()}"
                )
            else:
                warnings.append(f"{where}: no publication date; relative dates left unresolved")
        passages.extend(split_passages(source, base))
    passages = reconcile_years(passages)
    if name is None:
        first = paths[0]
        name = first.name if first.is_dir() else first.stem
    subject = find_subject(sources, topic)
    off_topic = set_aside_off_topic(sources, subject)
    return Story(name=name, sources=sources, passages=passages, warnings=warnings, subject=subject,
                 off_topic=off_topic)
