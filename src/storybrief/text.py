"""The one text toolkit: sentences, words, folding, stop words, months, numbers, language.

Every stage (sources, passages, dates, scoring, verify) reads text through these functions,
so a sentence, a word, a month or a number means the same thing everywhere: the scorer is
fitted on the sentences that verify later feeds it, and "1 000" is 1000 in every check.

Supported languages: English and French fully; Spanish and German for months, weekdays,
stop words and number words.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace

from rapidfuzz.distance import Indel
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

__all__ = [
    "LANGUAGES",
    "MONTHS",
    "WEEKDAYS",
    "STOP_WORDS",
    "ALL_STOP_WORDS",
    "NEGATIONS",
    "Gloss",
    "NumberMention",
    "glossary",
    "glossed",
    "look_alikes",
    "name_forms",
    "back_reference",
    "implied_names",
    "same_name",
    "transliterated",
    "mend_name_spellings",
    "name_spellings",
    "fold",
    "words",
    "word_spans",
    "sentence_spans",
    "sentences",
    "month_number",
    "weekday_number",
    "month_name",
    "month_pattern",
    "weekday_pattern",
    "is_stop_word",
    "content_words",
    "numbers",
    "number_keys",
    "qualifier",
    "COMPATIBLE_QUALIFIERS",
    "guess_language",
]

LANGUAGES = ("en", "fr", "es", "de")

# --------------------------------------------------------------------------- folding


def fold(text: str) -> str:
    """Lower-case, accents stripped, typographic apostrophes made plain ("Été’s" -> "ete's")."""
    text = text.replace("’", "'").replace("ʼ", "'")
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# --------------------------------------------------------------------------- months, weekdays

# Full names first, then abbreviations; written with their accents (folded forms are derived).
_MONTH_NAMES = {
    "en": ["january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
           "august aug", "september sep sept", "october oct", "november nov", "december dec"],
    "fr": ["janvier janv", "février févr", "mars", "avril avr", "mai", "juin", "juillet juil",
           "août", "septembre sept", "octobre oct", "novembre nov", "décembre déc"],
    "es": ["enero ene", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre setiembre", "octubre", "noviembre", "diciembre dic"],
    "de": ["januar jänner", "februar", "märz", "april", "mai", "juni", "juli", "august",
           "september", "oktober okt", "november", "dezember dez"],
}
_WEEKDAY_NAMES = {
    "en": "monday tuesday wednesday thursday friday saturday sunday",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
    "de": "montag dienstag mittwoch donnerstag freitag samstag sonntag",
}


def _month_table(lang: str) -> dict[str, int]:
    table: dict[str, int] = {}
    for i, names in enumerate(_MONTH_NAMES[lang]):
        for name in names.split():
            table[name] = i + 1
            table[fold(name)] = i + 1
    return table


MONTHS: dict[str, dict[str, int]] = {lang: _month_table(lang) for lang in LANGUAGES}
"""Month name (as written, and folded) -> month number, per language."""
WEEKDAYS: dict[str, dict[str, int]] = {
    lang: {form: i for i, name in enumerate(names.split()) for form in (name, fold(name))}
    for lang, names in _WEEKDAY_NAMES.items()
}
"""Weekday name -> 0 (Monday) .. 6 (Sunday), per language."""

# Month words too ambiguous to read as a month on their own ("may", "mar", "sept" = seven).
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "jan", "sep", "sept", "dec", "oct", "nov", "apr", "jun", "jul", "aug",
                               "feb", "mai", "mars", "juni", "juli"})


def month_number(word: str, language: str | None = None, *, strict: bool = False) -> int | None:
    """The month a word names, in `language` or any supported one; None if it names none.

    With ``strict``, short or ambiguous forms ("may", "mar", "oct") are refused."""
    key = fold(word).rstrip(".")
    if strict and key in _AMBIGUOUS_MONTHS:
        return None
    for lang in ((language,) if language in MONTHS else LANGUAGES):
        if key in MONTHS[lang]:
            return MONTHS[lang][key]
    return None


def weekday_number(word: str, language: str | None = None) -> int | None:
    key = fold(word)
    for lang in ((language,) if language in WEEKDAYS else LANGUAGES):
        if key in WEEKDAYS[lang]:
            return WEEKDAYS[lang][key]
    return None


def month_name(number: int, language: str = "en", *, short: bool = False) -> str:
    """The capitalised name of month `number` (1-12): "February", or with ``short`` "Feb"."""
    names = _MONTH_NAMES[language][number - 1].split()
    return (names[1] if short and len(names) > 1 else names[0]).capitalize()


def month_pattern(language: str, *, abbreviations: bool = False, capitalised: bool = False,
                  dot_required: bool = False) -> str:
    """A regex alternation of the language's month names (accented and folded forms, longest
    first); with ``abbreviations`` also their short forms, followed by a dot (optional unless
    ``dot_required``); with ``capitalised``, names start with a capital ("May", not "may")."""
    case = str.capitalize if capitalised else str.lower
    full = {name for names in _MONTH_NAMES[language] for name in names.split()[:1]}
    full = {case(n) for n in full | {fold(n) for n in full}}
    alts = [re.escape(n) for n in sorted(full, key=len, reverse=True)]
    if abbreviations:
        short = {name for names in _MONTH_NAMES[language] for name in names.split()[1:]}
        short = {case(n) for n in short | {fold(n) for n in short}} - full
        dot = r"\." if dot_required else r"\.?"
        alts += [re.escape(n) + dot for n in sorted(short, key=len, reverse=True)]
    return "(?:" + "|".join(alts) + ")"


def weekday_pattern(language: str, *, capitalised: bool = False) -> str:
    """A regex alternation of the language's weekday names."""
    case = str.capitalize if capitalised else str.lower
    names = sorted({case(n) for n in WEEKDAYS[language]}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(n) for n in names) + ")"


# --------------------------------------------------------------------------- stop words

_STOP_TEXT = {
    "en": """a an the and or but if then of to in on at by for with from as into onto over under about after
        before between through during without within than that this these those is are was were be been being
        am has have had having do does did will would shall should can could may might must it its it's he she
        they them his her hers their theirs we us our you your i me my mine who whom whose which what when where
        why how there here also just so such very too more most much many some any each every all both either
        neither other another one said says say told according not no nor never mr mrs ms dr while although
        though despite however meanwhile later earlier since until s t""",
    "fr": """le la les l un une des du de d et ou mais donc or ni car que qu qui quoi dont au aux ce cet cette
        ces ceci cela ça son sa ses leur leurs mon ma mes ton ta tes notre nos votre vos il elle ils elles on
        nous vous je tu se s en y ne pas plus est sont était été être a ont avait avoir fait pour par sur dans
        avec sans sous chez entre comme selon m mme aussi très tout tous toute toutes lui eux c j n déjà
        encore été été après avant depuis lors dit""",
    "es": """el la los las un una unos unas de del al y o pero que en por para con sin sobre entre es son fue
        era ser ha han había se su sus lo le les como más muy ya también este esta estos estas ese esa no ni""",
    "de": """der die das den dem des ein eine einen einem einer eines und oder aber dass in im an am auf aus
        bei mit nach von vom zu zum zur für über unter ist sind war waren sein hat haben hatte wird werden
        wurde sich er sie es wir ihr nicht kein keine auch noch wie als so""",
}
STOP_WORDS: dict[str, frozenset[str]] = {lang: frozenset(fold(w) for w in text.split()) for lang, text in _STOP_TEXT.items()}
"""Folded stop words per language."""
ALL_STOP_WORDS: frozenset[str] = frozenset().union(*STOP_WORDS.values())

NEGATIONS: frozenset[str] = frozenset(
    fold(w) for w in """not no never none nobody nothing neither nor cannot without n't nt deny denied denies
    ne pas jamais aucun aucune rien personne ni sans nunca ningún ninguna nadie nicht kein keine keinen niemand nie""".split()
)
"""Folded words that negate a clause (English "not/no/neither", French "ne...pas", "ni...ni", "aucun")."""


def is_stop_word(word: str, language: str | None = None) -> bool:
    """True for a (folded) stop word of `language`, or of any supported language."""
    return word in (STOP_WORDS.get(language or "", ALL_STOP_WORDS) or ALL_STOP_WORDS)


# --------------------------------------------------------------------------- words

_WORD = re.compile(r"\w+(?:['’‑-]\w+)*", re.UNICODE)
_THOUSANDS = re.compile(r"(?<=\d)[,\u00a0\u202f\u2009](?=\d{3}\b)")  # "1,000" is one word
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u00ad": ""})


def word_spans(text: str) -> Iterator[re.Match[str]]:
    """The words of text as matches (offsets into text); hyphens and apostrophes stay inside."""
    return _WORD.finditer(text)


def words(text: str, *, compounds: str = "both") -> list[str]:
    """Folded word tokens. Elided articles split off ("l'armée" -> "l", "armee"), a possessive
    's dropped, "n't" becomes "not". A hyphenated word gives itself and its parts ("both"),
    or only its parts ("parts")."""
    out: list[str] = []
    for match in _WORD.finditer(_THOUSANDS.sub("", text.translate(_HYPHENS))):
        token = fold(match.group(0))
        if token.endswith("n't"):
            out.extend([token[:-3], "not"] if token[:-3] else ["not"])
            continue
        if token.endswith("'s"):
            token = token[:-2]
        for part in token.split("'"):
            if not part:
                continue
            if "-" not in part:
                out.append(part)
                continue
            if compounds == "both":
                out.append(part)
            out.extend(p for p in part.split("-") if p)
    return out


def content_words(text: str, language: str | None = None) -> list[str]:
    """Folded words that are not stop words, single letters or punctuation."""
    return [w for w in words(text) if not is_stop_word(w, language) and (len(w) > 1 or w.isdigit())]


# --------------------------------------------------------------------------- sentences

# Words that end with a period without ending a sentence (compared folded, without the period).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st sr jr gen col lt sgt capt cmdr adm gov sen rep rev hon pres vs etc
    no nos vol fig approx est dept univ inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue wed thu fri sat sun u.s u.k u.n e.u u.s.a a.m p.m i.e e.g cf al ca
    m mm mme mmes mlle mgr me pr av ave bd janv fevr avr juil cie ed ex sr sra dra hr nr
    """.split()
)
_OPENER_UPPER = r"[«\"“‘(\[]?\s*[A-ZÀ-ÝÉÈ0-9]"
# Terminal punctuation, closing quotes/brackets, whitespace. Whether a boundary follows is
# decided in code: normal text needs a capital (or digit) to open the next sentence.
_BOUNDARY = re.compile(r"(?P<punct>[.!?…]+)(?P<close>[\"”»’')\]]*(?:\s+[»”])?)(?P<space>\s+)")
# A full stop glued to the next sentence ("the wall.One former inmate"), as scraped text has.
_GLUED = re.compile(r"(?<=[a-zà-ÿ]{2})(?P<punct>[.!?])(?P<close>[\"”»’)]?)(?=[A-ZÀ-Ý][a-zà-ÿ])")
_PARAGRAPH = re.compile(r"\n\s*\n")
_TOKEN_BEFORE = re.compile(r"(\S+)$")
_UPPER_OPENER = re.compile(_OPENER_UPPER)
_ANY_OPENER = re.compile(r"[«\"“‘(\[`']?\s*\w")


def _is_abbreviation(text: str, dot_index: int) -> bool:
    """True when the period at `dot_index` closes an abbreviation or an initial."""
    match = _TOKEN_BEFORE.search(text, max(0, dot_index - 40), dot_index)
    if not match:
        return False  # a detached full stop ("arrested . He"): tokenised text
    token = match.group(1).lstrip("([«\"“‘'")
    word = fold(token).rstrip(".")
    if not word:
        return False
    if word in ("no", "nos"):  # "No. 10" but "he said no."
        return bool(re.match(r"\s*\d", text[dot_index + 1:dot_index + 4]))
    if word in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Smith", "M. Macron"
    return bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))  # dotted acronyms: u.s, e.u


def _has_capitals(text: str) -> bool:
    return any(ch.isupper() for ch in text)


def _cuts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(cut, resume) pairs for the sentence boundaries inside one paragraph."""
    lowercased = not _has_capitals(text[start:end])
    cuts: list[tuple[int, int]] = []
    for match in _BOUNDARY.finditer(text, start, end):
        after = match.end("space")
        i = match.start("punct")
        detached = i > 1 and text[i - 1] == " " and text[i - 2].isalnum()  # "arrested . He"
        opener = _ANY_OPENER if (lowercased or detached) else _UPPER_OPENER
        if after >= end or not opener.match(text, after, end):
            continue
        if match.group("punct") == "." and _is_abbreviation(text, match.start("punct")):
            continue
        cuts.append((match.start("space"), after))
    for match in _GLUED.finditer(text, start, end):
        if match.group("punct") == "." and _is_abbreviation(text, match.start("punct")):
            continue
        cut = match.end("close")
        cuts.append((cut, cut))
    return sorted(cuts)


@lru_cache(maxsize=256)
def _spans_cached(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(sentence_spans(text, 0, len(text), _cache=False))


def sentence_spans(text: str, start: int = 0, end: int | None = None, *, _cache: bool = True) -> list[tuple[int, int]]:
    """(start, end) of each sentence of text[start:end], whitespace trimmed.

    A boundary is a blank line, or sentence-final punctuation (with closing quotes) and
    whitespace before a capital, a digit or an opening quote, unless the period closes an
    abbreviation or an initial. Lower-cased text and tokenised text (" . ") split before any
    word; a full stop glued to a capitalised word ("wall.One") splits too. A single newline
    does not split: hard-wrapped paragraphs stay whole.
    """
    end = len(text) if end is None else end
    if _cache and start == 0 and end == len(text):
        return list(_spans_cached(text))
    bounds: list[tuple[int, int]] = []
    para_start = start
    for match in _PARAGRAPH.finditer(text, start, end):
        bounds.append((para_start, match.start()))
        para_start = match.end()
    bounds.append((para_start, end))
    spans: list[tuple[int, int]] = []
    for p_start, p_end in bounds:
        cursor = p_start
        for cut, resume in _cuts(text, p_start, p_end):
            if cut > cursor:
                spans.append((cursor, cut))
            cursor = max(cursor, resume)
        spans.append((cursor, p_end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and any(ch.isalnum() for ch in text[s:e]):
            trimmed.append((s, e))
    return trimmed


def sentences(text: str) -> list[str]:
    """The sentences of text (see :func:`sentence_spans`)."""
    return [text[s:e] for s, e in sentence_spans(text)]


# --------------------------------------------------------------------------- numbers

_NUMBER_WORDS: dict[str, dict[str, float]] = {
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
           "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
           "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
           "thousand": 1000, "million": 1e6, "billion": 1e9,
           "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
           "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "twentieth": 20},
    "fr": {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
           "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20,
           "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100,
           "douzaine": 12, "dizaine": 10, "vingtaine": 20, "centaine": 100, "mille": 1000,
           "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9,
           "troisième": 3, "quatrième": 4, "cinquième": 5, "sixième": 6, "septième": 7, "huitième": 8,
           "neuvième": 9, "dixième": 10, "onzième": 11, "douzième": 12, "treizième": 13, "quatorzième": 14,
           "quinzième": 15, "vingtième": 20},
    "es": {"dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
           "diez": 10, "veinte": 20, "treinta": 30, "cien": 100, "cientos": 100},
    "de": {"zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
           "zehn": 10, "zwanzig": 20, "hundert": 100},
}
# Counts given only by their order of magnitude ("hundreds", "des centaines", "tens of thousands"):
# a translation that makes "des centaines" "a hundred" changes the fact, so they compare apart
# from the exact number ("~100", not "100"). "dozens" and "des dizaines" are the same rough count.
_APPROXIMATE_WORDS: dict[str, dict[str, float]] = {
    "en": {"tens": 10, "dozens": 10, "hundreds": 100, "thousands": 1000, "millions": 1e6,
           "billions": 1e9},
    "fr": {"dizaines": 10, "douzaines": 10, "vingtaines": 20, "centaines": 100, "milliers": 1000},
    "es": {"decenas": 10, "docenas": 10, "cientos": 100, "centenares": 100, "millones": 1e6},
    "de": {"dutzende": 10, "hunderte": 100, "tausende": 1000},
}
# "a few hundred", "plusieurs milliers": a rough count too.
_APPROXIMATE_BEFORE = re.compile(r"\b(?:a\s+few|several|some|many|quelques|plusieurs|varios|einige|mehrere)\s+$", re.I)
_WORD_VALUES: dict[str, float] = {fold(w): v for table in _NUMBER_WORDS.values() for w, v in table.items()}
_ORDINAL_WORDS = frozenset(w for w in _WORD_VALUES if w.endswith(("ieme", "th")) or w == "third")
_APPROXIMATE_VALUES: dict[str, float] = {fold(w): v for table in _APPROXIMATE_WORDS.values() for w, v in table.items()}
# Multipliers after a number: "3 million", "trois millions", "2,5 milliards", "$3m", "5bn".
_MULTIPLIERS = {
    "thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9, "trillion": 1e12,
    "mille": 1e3, "milliard": 1e9, "milliards": 1e9, "millon": 1e6, "millones": 1e6, "mil": 1e3,
    "tausend": 1e3, "millionen": 1e6, "milliarde": 1e9, "milliarden": 1e9, "mio": 1e6, "mrd": 1e9,
    "m": 1e6, "bn": 1e9, "k": 1e3, "hundred": 100, "cent": 100, "cents": 100,
}
# After a rough count, the multiplier may follow "of"/"de": "tens of thousands", "des centaines de milliers".
_ROUGH_MULTIPLIERS = {"thousands": 1e3, "millions": 1e6, "billions": 1e9, "milliers": 1e3, "millones": 1e6}
_ROUGH_MULTIPLIER_AFTER = re.compile(r"\s+(?:of|de|d')\s+(?P<mult>\w+)\b", re.I)
_SPACES = "\u00a0\u202f\u2009 "
# Digits: a time (10:30, 10h30), a grouped number (1 000 with any space, 1,000, 1.000.000),
# or a plain number with an optional decimal part (1.5, 1,5).
_NUMBER = re.compile(
    r"(?<![\w.,:])(?:"
    r"(?P<time>(?:[01]?\d|2[0-3])(?::|\s?h\s?)[0-5]\d)(?![\d])"
    r"|(?P<hour>(?:[01]?\d|2[0-3])\s?h)(?![\w\d]|\s?\d)"
    r"|(?P<grouped>\d{1,3}(?:(?:[\u00a0\u202f\u2009 ]|,)\d{3}(?![\d]))+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}(?!\d))"
    r"|(?P<plain>\d+(?:[.,]\d+)?)"
    r")(?!\d)",
)
_MULTIPLIER_AFTER = re.compile(r"[\s\u00a0\u202f]*(?P<mult>[A-Za-z]+)\b")
# A rank in digits: "11th", "21st", "11e", "11ème", "1er", "1re".
_ORDINAL_SUFFIX = re.compile(r"(?:th|st|nd|rd|e|è|ème|eme|er|re|ère)\b", re.I)


@dataclass(frozen=True)
class NumberMention:
    """A number written in text: its value, its offsets, and whether it is a clock time."""

    value: float
    start: int
    end: int
    text: str
    time: str | None = None  # "10:30" for a clock time; value is then meaningless
    spelled: bool = False  # written as a word ("three", "trois"), not digits
    approximate: bool = False  # a rough count ("hundreds", "plusieurs milliers"): its key is "~100"
    ordinal: bool = False  # a rank ("onzième", "11th", "11e"): its key is "11th"

    @property
    def key(self) -> str:
        """The normalised form numbers are compared by: "1000", "1.5", "10:30", "~100"."""
        if self.time is not None:
            return self.time
        if self.approximate:
            return f"~{int(self.value)}"
        if self.ordinal:
            # "the eleventh day" is not "an 11-year-old": a rank compares with ranks only.
            return f"{int(self.value)}th"
        value = self.value
        if not math.isfinite(value):
            return self.text  # more digits than a float holds: compared as written
        if float(value).is_integer():
            return str(int(value))
        return f"{value:.6g}"

    @property
    def is_year(self) -> bool:
        return self.time is None and float(self.value).is_integer() and 1600 <= self.value <= 2099 and \
            re.fullmatch(r"\d{4}", self.text) is not None


def _digit_value(match: re.Match[str]) -> float:
    if match.group("grouped"):
        raw = match.group("grouped")
        if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", raw):
            return float(raw.replace(".", ""))
        return float(re.sub(r"[,\u00a0\u202f\u2009 ]", "", raw))
    return float(match.group("plain").replace(",", "."))


def numbers(text: str) -> list[NumberMention]:
    """Every number of text, in order: digits ("1 000", "1,000", "1,5", "10:30" as a time)
    and number words ("three", "trois"), each scaled by a following multiplier ("3 million",
    "trois millions" = 3000000). A number is one mention with one value."""
    found: list[NumberMention] = []
    for match in _NUMBER.finditer(text):
        if match.group("time"):
            hours, minutes = re.split(r"\s?[:h]\s?", match.group("time"))
            found.append(NumberMention(0.0, match.start(), match.end(), match.group(0), f"{int(hours):02d}:{minutes}"))
            continue
        if match.group("hour"):  # "15 h", "15h": a French clock hour, 15:00
            hours = match.group("hour").rstrip("h ")
            found.append(NumberMention(0.0, match.start(), match.end(), match.group(0), f"{int(hours):02d}:00"))
            continue
        mention = _scaled(text, _digit_value(match), match.start(), match.end())
        suffix = _ORDINAL_SUFFIX.match(text, mention.end)
        if suffix and float(mention.value).is_integer():
            mention = replace(mention, end=suffix.end(), text=text[mention.start:suffix.end()], ordinal=True)
        found.append(mention)
    for match in _WORD.finditer(text):
        key = fold(match.group(0))
        if key in ("cent", "cents") and re.search(r"\b(?:per|pour)\s*$", text[max(0, match.start() - 6):match.start()], re.I):
            continue  # "per cent", "pour cent": a percentage, not a hundred
        compound = _compound_value(key)
        if key in _APPROXIMATE_VALUES:
            found.append(_rough(text, _APPROXIMATE_VALUES[key], match.start(), match.end()))
        elif compound is not None:  # "cinquante-cinquième", "twenty-one", "quatre-vingt-dix"
            value, ordinal = compound
            found.append(replace(_scaled(text, value, match.start(), match.end(), spelled=True), ordinal=ordinal))
        elif key in _WORD_VALUES:
            mention = _scaled(text, _WORD_VALUES[key], match.start(), match.end(), spelled=True)
            if _APPROXIMATE_BEFORE.search(text[max(0, match.start() - 12):match.start()]) and mention.value >= 100:
                mention = replace(mention, approximate=True)  # "a few hundred", "quelques milliers"
            elif key in _ORDINAL_WORDS:
                mention = replace(mention, ordinal=True)
            found.append(mention)
    kept: list[NumberMention] = []
    for mention in sorted(found, key=lambda n: (n.start, -n.end)):
        if not kept or mention.start >= kept[-1].end:  # "three hundred": one mention, not three
            kept.append(mention)
    return kept


# Units a compound number word ends with ("vingt-et-un", "twenty-first") besides the table's.
_COMPOUND_UNITS = {"un": 1, "une": 1, "unieme": 1, "one": 1, "first": 1, "deuxieme": 2, "second": 2, "two": 2,
                   "vingts": 20}


def _compound_value(folded: str) -> tuple[float, bool] | None:
    """(value, ordinal) of a hyphenated number word ("cinquante-cinquieme" 55th, "quatre-vingt-dix"
    90, "twenty-one" 21), or None when a part is no number word."""
    parts = [p for p in folded.split("-") if p not in ("et", "and")]
    if len(parts) < 2:
        return None
    found = [_COMPOUND_UNITS.get(p, _WORD_VALUES.get(p)) for p in parts]
    values = [v for v in found if v is not None and v < 1000]
    # A compound number opens with tens or more ("vingt-deux", "dix-sept") or multiplies them
    # ("quatre-vingts", "deux-cents"); "one-third" is a fraction.
    if len(values) < len(parts) or (values[0] < 10 and values[1] not in (20, 100)):
        return None
    total = 0.0
    for i, value in enumerate(values):
        # "quatre-vingt(s)" is four twenties, "deux-cents" two hundreds; the rest add up.
        total = total * value if value in (20, 100) and i == 1 and total < 10 else total + value
    return total, parts[-1] in _ORDINAL_WORDS or parts[-1] in ("unieme", "first", "second", "deuxieme")


def _rough(text: str, value: float, start: int, end: int) -> NumberMention:
    """A rough count, scaled by a multiplier after "of"/"de" ("tens of thousands")."""
    after = _ROUGH_MULTIPLIER_AFTER.match(text, end)
    if after and fold(after.group("mult")) in _ROUGH_MULTIPLIERS:
        value, end = value * _ROUGH_MULTIPLIERS[fold(after.group("mult"))], after.end()
    return NumberMention(value, start, end, text[start:end], None, spelled=True, approximate=True)


def _scaled(text: str, value: float, start: int, end: int, spelled: bool = False) -> NumberMention:
    after = _MULTIPLIER_AFTER.match(text, end)
    if after and fold(after.group("mult")) in _MULTIPLIERS:
        mult = fold(after.group("mult"))
        # "m"/"k" only glued to the number ("$3m"), never "5 m" (metres)
        if mult not in ("m", "k", "bn") or after.start("mult") == end:
            return NumberMention(value * _MULTIPLIERS[mult], start, after.end(), text[start:after.end()], None, spelled)
    return NumberMention(value, start, end, text[start:end], None, spelled)


# What a count's qualifier says of it, in English and French: "près de 42 ans" is nearly 42
# years, and "over 42 years" says something else. Longer phrases first ("un peu moins de").
_QUALIFIERS = (
    ("nearly", r"nearly|almost|close to|just under|un peu moins de|près de|presque|quasiment|pas loin de"),
    ("at least", r"at least|no fewer than|au moins|au minimum"),
    ("up to", r"up to|as many as|jusqu['’]à"),
    ("over", r"more than|over|above|upwards of|in excess of|plus de|plus d['’]|au-delà de|davantage que"),
    ("under", r"fewer than|less than|under|below|moins de|moins d['’]"),
    ("about", r"about|around|some|roughly|approximately|an estimated|environ|quelque|quelques|à peu près|"
              r"approximativement"),
)
_QUALIFIER_BEFORE = [(name, re.compile(rf"(?:^|\W)(?:{pattern})\s*$", re.I)) for name, pattern in _QUALIFIERS]
# Qualifiers that may stand for one another in a translation: "près de" is "nearly" or "about".
COMPATIBLE_QUALIFIERS = {"nearly": {"nearly", "about", "under"}, "about": {"about", "nearly"},
                         "over": {"over", "at least"}, "at least": {"at least", "over"},
                         "under": {"under", "nearly", "up to"}, "up to": {"up to", "under"}}


def qualifier(text: str, mention: NumberMention) -> tuple[str, str] | None:
    """How `text` qualifies the count `mention`, and in which words: ("nearly", "près de"),
    ("over", "more than"), ...; None when it gives the count as it is."""
    before = text[max(0, mention.start - 24):mention.start]
    for name, pattern in _QUALIFIER_BEFORE:
        found = pattern.search(before)
        if found:
            return name, found.group(0).strip(" \t\n,;:(").strip()
    return None


def number_keys(text: str, *, skip: Sequence[tuple[int, int]] = (), years: bool = True,
                spelled: bool = True) -> frozenset[str]:
    """The normalised numbers of text (see :attr:`NumberMention.key`), leaving out those that
    start inside a `skip` span (date expressions), four-digit years unless ``years``, and
    numbers written as words unless ``spelled``."""
    return frozenset(
        n.key for n in numbers(text)
        if not any(s <= n.start < e for s, e in skip) and (years or not n.is_year) and (spelled or not n.spelled)
    )


# --------------------------------------------------------------------------- names across languages

# Forms of one name that no spelling rule relates, in English and French (folded): countries,
# their peoples and capitals, organisations, and the words of institutions' names a translation
# capitalises ("Security Council" is the "Conseil de sécurité"). The gate and the verifier both
# read names through this one table.
_NAME_FORMS = (
    "france french francais francaise elysee",
    "russia russian russie russe kremlin",
    "america american americain americaine usa us etats-unis etats states washington",
    "britain british britannique uk royaume-uni grande-bretagne",
    "germany german allemagne allemand allemande",
    "europe european europeen europeenne eu ue",
    "yemen yemeni yemenite",
    "libya libyan libye libyen libyenne",
    "egypt egyptian egypte egyptien egyptienne",
    "tunisia tunisian tunisie tunisien tunisienne",
    "sudan sudanese soudan soudanais soudanaise",
    "syria syrian syrie syrien syrienne",
    "saudi saoudite saoudien saoudienne arabia arabie",
    "ukraine ukrainian ukrainien ukrainienne kyiv kiev",
    "arab arabe",
    "gulf golfe",
    "united unis uni",
    "nations onu un",
    "spain spanish espagne espagnol espagnole",
    "england english angleterre anglais anglaise",
    "italy italian italie italien italienne",
    "switzerland swiss suisse",
    "netherlands dutch pays-bas neerlandais",
    "london londres",
    "greece greek grece grec grecque",
    "algeria algerian algerie algerien algerienne",
    "morocco moroccan maroc marocain marocaine",
    "lebanon lebanese liban libanais libanaise",
    "iraq iraqi irak irakien irakienne",
    "turkey turkish turquie turc turque",
    "china chinese chine chinois chinoise",
    "nato otan",
    "gaddafi kadhafi khadafi qaddafi kadafi",
    "council conseil",
    "security securite",
    "foreign etrangeres etrangere etranger",
    "affairs affaires",
    "international internationale",
    "criminal penale",
    "court cour",
    "transitional transition",
    "national nationale",
    "kingdom royaume",
    "street rue",
    "square place",
    "mosque mosquee",
    "university universite",
)
_FORMS_OF: dict[str, frozenset[str]] = {}
for _group in _NAME_FORMS:
    for _form in _group.split():
        _FORMS_OF[_form] = _FORMS_OF.get(_form, frozenset()) | frozenset(_group.split())


# Capitals a text may name by their country ("la capitale russe", "the Libyan capital"): a line
# that says "Moscow" for it names what the text names.
_CAPITALS = {
    "russia": "moscow moscou", "france": "paris", "britain": "london londres", "america": "washington",
    "libya": "tripoli", "yemen": "sanaa", "egypt": "cairo caire", "tunisia": "tunis", "syria": "damascus damas",
    "ukraine": "kyiv kiev", "germany": "berlin", "sudan": "khartoum", "saudi": "riyadh ryad",
    "algeria": "algiers alger", "morocco": "rabat", "lebanon": "beirut beyrouth", "iraq": "baghdad bagdad",
    "turkey": "ankara", "china": "beijing pekin", "spain": "madrid", "italy": "rome",
}
# Names a text gives in words that are not the name's: "Grande-Bretagne" is the United Kingdom.
_NAMED_BY = {
    "britain": "united kingdom",
}
_CAPITAL_PHRASE = re.compile(r"\bcapitale?s?\s+(\w+)|(\w+)\s+capitals?\b")


def implied_names(texts: Sequence[str]) -> set[str]:
    """Folded names `texts` give by a phrase rather than by the name: "moscow" for "la capitale
    russe", "united" and "kingdom" for "Grande-Bretagne"."""
    implied: set[str] = set()
    for text in texts:
        folded = fold(text)
        for match in _CAPITAL_PHRASE.finditer(folded):
            word = match.group(1) or match.group(2)
            for country, cities in _CAPITALS.items():
                if word == country or word in name_forms(country):
                    implied.update(cities.split())
        for name, phrase in _NAMED_BY.items():
            if any(re.search(rf"\b{re.escape(form)}\b", folded) for form in name_forms(name) | {name}):
                implied.update(phrase.split())
    return implied


def name_forms(name: str) -> frozenset[str]:
    """The other forms of a folded name that spelling does not relate ("spanish": "espagnol", ...)."""
    return _FORMS_OF.get(name, frozenset())


def same_name(a: str, b: str) -> bool:
    """Two folded words for the same person, place, people or institution, across inflection,
    transliteration and language: "syria" ~ "syrie", "adviser" ~ "advisers", "putin" ~
    "poutine", "gaddafi" ~ "kadhafi", "council" ~ "conseil", "russian" ~ "russes", "yuri" ~
    "iouri"."""
    return (_spelled_alike(a, b) or any(_spelled_alike(form, b) for form in _FORMS_OF.get(a, ()))
            or (len(a) >= 4 and transliterated(a) == transliterated(b)))


# French transliteration against English, for names from Russian and Arabic: "Iouri Ouchakov"
# is Yuri Ushakov, "Mouammar" Muammar. (A dropped final "e" is no rule: Martine is not Martin.)
_FRENCH_TRANSLITERATION = ((re.compile(r"^iou"), "yu"), (re.compile(r"ou"), "u"), (re.compile(r"ch"), "sh"),
                           (re.compile(r"dj"), "j"))


def transliterated(word: str) -> str:
    """A folded name as English and French transliterations of it both come out: "iouri" and
    "yuri" are "yuri", "ouchakov" and "ushakov" "ushakov"."""
    key = fold(word)
    for pattern, replacement in _FRENCH_TRANSLITERATION:
        key = pattern.sub(replacement, key)
    return key


# A capitalised word long enough to be a name a transliteration spells otherwise.
_NAME_WORD = re.compile(r"\b[A-ZÀ-Ý][a-zà-ÿ]{3,}\b")


def name_spellings(texts: Iterable[str]) -> dict[str, str]:
    """The names `texts` write, by their `transliterated` key ("yuri": "Yuri"); where two
    spellings share a key, the later-written one."""
    names = dict.fromkeys(m.group(0) for text in texts for m in _NAME_WORD.finditer(text))
    return {transliterated(name): name for name in names}


def mend_name_spellings(line: str, source_language: str, spellings: Mapping[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """`line`, translated from `source_language`, with each name it writes as that language
    transliterates it ("Iouri Ouchakov") written as `spellings` give it (see `name_spellings`:
    the names the story's sources in the brief's language write, "Yuri Ushakov"); and the
    (written, respelled) pairs. One man under two names reads as two men."""
    if source_language != "fr":
        return line, []
    respelled: list[tuple[str, str]] = []

    def respell(match: re.Match[str]) -> str:
        word = match.group(0)
        english = spellings.get(transliterated(word))
        if english is None or english == word:
            return word
        respelled.append((word, english))
        return english

    return _NAME_WORD.sub(respell, line), respelled


def _spelled_alike(a: str, b: str) -> bool:
    """Inflections and near spellings: a long shared start, or nearly the same letters."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter < 4 or abs(len(a) - len(b)) > 4:
        return False
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    if common >= 4 and common >= 0.7 * shorter:
        return True
    return shorter >= 5 and abs(len(a) - len(b)) <= 3 and Indel.normalized_similarity(a, b) >= 0.8


# --------------------------------------------------------------------------- translation

class _Sense(NamedTuple):
    source: str  # pattern on the source text
    sense: str
    look_alike: str | None = None  # pattern on the line
    fix: str | None = None  # what replaces the look-alike, where the swap is safe


# News words a small model translates wrong, with the sense news writing gives them in the brief's
# language, and the look-alike that changes the fact where there is one: French "militants" are
# activists (English "militants" are armed), "prévoyant son départ" provides for a departure
# (it does not allow one), "des dizaines de milliers" are tens of thousands. The word prompt shows
# the senses a passage needs; the gate fails a line that uses a look-alike its passage's word has.
# A look-alike is replaced only where one word always fits: "militants" is always "activists",
# "manifestations" may be "protests" or "a protest".
_SENSES: dict[tuple[str, str], tuple[_Sense, ...]] = {
    ("fr", "en"): (
        _Sense(r"militant(?:e)?s", "activists", r"militants", "activists"),
        _Sense(r"militant(?:e)?", "activist", r"militant", "activist"),
        _Sense(r"manifestations?", "demonstrations, protests", r"manifestations?"),
        # "Manifestations in Ta'izz called for Saleh's departure", for "des centaines de manifestants".
        _Sense(r"manifestant(?:e)?s", "protesters", r"manifestants|manifestations", "protesters"),
        _Sense(r"manifestant(?:e)?", "protester", r"manifestant", "protester"),
        _Sense(r"actuellement", "currently, now", r"actually", "currently"),
        _Sense(r"[ée]ventuellement", "possibly", r"eventually", "possibly"),
        _Sense(r"d[ée]lais?", "deadline, time allowed", r"delays?"),
        _Sense(r"librairies?", "bookshop", r"librar(?:y|ies)"),
        _Sense(r"proc[èe]s", "trial", r"process", "trial"),
        _Sense(r"sensibles?", "sensitive", r"sensible", "sensitive"),
        _Sense(r"banderoles?", "banners", r"banderol\w*", "banners"),
        _Sense(r"forces de l['’]ordre", "security forces", r"forces of (?:the )?order", "security forces"),
        # A deal drawn up by the Gulf monarchies is not one signed with them.
        _Sense(r"[ée]labor[ée](?:e|s|es)? par", "drawn up by", r"(agreement|deal|accord|plan|pact|treaty) with",
               r"\1 drawn up by"),
        # Yemen's 26 April: "pour appeler au départ du président Ali Abdullah Saleh" became "calling
        # for the end of President Ali Abdullah Saleh".
        _Sense(r"d[ée]part", "departure", None),
        _Sense(r"pr[ée]voyant", "providing for", None),
        _Sense(r"pr[ée]voit", "provides for", None),
        _Sense(r"en [ée]change de", "in exchange for", None),
        # A count's qualifier ("près de 42 ans" is nearly 42 years; "près de Tripoli" is no count).
        _Sense(r"pr[èe]s de(?=\s+\d)", "nearly", None),
        _Sense(r"plus de(?=\s+\d)", "more than", None),
        _Sense(r"au moins(?=\s+\d)", "at least", None),
        _Sense(r"moins de(?=\s+\d)", "fewer than", None),
        _Sense(r"environ(?=\s+\d)", "about", None),
        # "son départ contre son immunité": a deal's terms, not opposition.
        _Sense(r"contre(?= (?:l['’]|son |sa |ses |leur |leurs |une |un )?(?:immunit|amnisti|ran[çc]on|lib[ée]ration|garantie))",
               "in exchange for",
               r"against(?= (?:his |her |their |its |the |an? )?(?:immunit|amnest|ransom|release|guarantee))",
               "in exchange for"),
        _Sense(r"interpell[ée](?:e|s|es)?", "detained", r"interpellated", "detained"),
        _Sense(r"inculp[ée](?:e|s|es)?", "charged", r"inculpated", "charged"),
        _Sense(r"mis(?:e|es)? en examen", "charged", None),
        _Sense(r"assist(?:er|e|ent|ait|aient) [àa]", "attend, witness", r"assist(?:s|ed)?(?: at)?"),
        _Sense(r"t[ée]moins?", "witnesses", None),
        _Sense(r"casseurs", "rioters", None),
        _Sense(r"tirs", "gunfire", None),
        _Sense(r"opposants?", "opponents", None),
        _Sense(r"ressortissants?", "nationals", None),
        _Sense(r"gouvernement d['’]entente nationale", "national unity government", None),
        _Sense(r"journ[ée]e", "day", r"journey", "day"),
        _Sense(r"canailles", "scoundrels", r"canailles?", "scoundrels"),
        # Roles: Macron's "conseiller diplomatique" is his diplomatic adviser, no diplomat; the
        # "responsables" he met are officials, not leaders.
        _Sense(r"conseill(?:er|[èe]re)s? diplomatiques?(?![\s\S]*\bdiplomates?\b)", "diplomatic adviser",
               r"diplomat(?=\s|[.,;:]|$)(?!ic)", "diplomatic adviser"),
        _Sense(r"responsables", "officials", None),
        # Bonne "supervise depuis 2019 la cellule diplomatique" of Macron, re-asked, became "the
        # cell of Emmanuel Macron".
        _Sense(r"cellule diplomatique", "diplomatic unit", r"(?<!diplomatic )cell\b", "diplomatic unit"),
        # Yemen's 18 March: "des tireurs embusqués tuent 52 manifestants" became "gunmen ambushed 52
        # protesters"; its 18 September's "suivi tweet après tweet" "followed by tweets".
        _Sense(r"tireurs? embusqu[ée]s?", "snipers", r"ambush(?:ed|es)?", None),
        # Libya's 15 February: "en proie depuis le 15 février à une révolte" became "in protracted
        # conflict since February 15, described as a revolution".
        _Sense(r"en proie", "gripped by", r"gripping"),
        _Sense(r"suivi tweet apr[èe]s tweet", "followed tweet by tweet", r"followed by tweets",
               "followed tweet by tweet"),
        # Libya's 22 March: "ne dit pas autre chose : « Nous ne nous rendrons pas »" (says the same
        # thing) became "it did not say anything".
        # Re-asked, it wrote "was not anything else".
        _Sense(r"ne dit pas autre chose", "says just that",
               r"(?:did|does|do|was|is|has|had)(?:\s+not|n['’]t)\s+(?:say\s+)?anything(?:\s+else)?|said nothing|says nothing"),
        # "Se rendre" is to surrender, or to go where a place follows: Libya's 22 March "Nous ne
        # nous rendrons pas" (we will not surrender) became "We will not return"; the seed's "s'est
        # rendu à Moscou" went to Moscow.
        _Sense(r"(?:nous|vous|se|me|te)\s+rend(?:re|rons|rez|ront|rai|ra|rait|raient|ait|aient|ent|s|t)\b"
               r"(?!\s+(?:pas\s+|plus\s+|jamais\s+)?(?:à|au|aux|en|dans|chez|sur|compte|visite|là|sur place)\b)",
               "surrender", r"return(ed|s|ing)?", r"surrender\1"),
        _Sense(r"s['’](?:est|était|étaient|sont)\s+rendu(?:e|s|es)?(?=\s+(?:\w+\s+){0,2}(?:à|en)\s+[A-ZÀ-Ý])",
               "went", r"returned(?=\s+to\b)", "went"),
        # The seed's "la personne au fait de ce déplacement" (aware of this trip) became "the
        # person who made this move".
        _Sense(r"au fait d(?:e|u|es)", "aware of", r"in fact"),
        _Sense(r"d[ée]placements?", "trip, visit", r"(?:this|that|the|his|her|their) move|displacement"),
        # French acronyms have English ones; "the OTAN" is no English.
        _Sense(r"OTAN", "NATO", r"(?:the\s+)?OTAN", "NATO"),
        _Sense(r"ONU", "UN", r"ONU", "UN"),
        _Sense(r"CNT", "NTC", r"CNT", "NTC"),
        _Sense(r"CPI", "ICC", r"CPI", "ICC"),
        _Sense(r"vive(?= l[ea]s?\b| l['’])", "long live", r"(?<!long )live", "long live"),
    ),
}
_COMPILED_SENSES = {pair: tuple((re.compile(rf"\b{row.source}\b", re.I), row.sense,
                                 re.compile(rf"\b{row.look_alike}\b", re.I) if row.look_alike else None, row.fix)
                                for row in table)
                    for pair, table in _SENSES.items()}
# Rough counts and ordinals in English, by value: what "des centaines", "onzième" say.
_ROUGH_EN = {10: "dozens", 20: "scores", 100: "hundreds", 1000: "thousands", 10_000: "tens of thousands",
             100_000: "hundreds of thousands", 1_000_000: "millions", 10_000_000: "tens of millions",
             1_000_000_000: "billions"}
_ORDINALS_EN = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth",
                9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth", 13: "thirteenth", 14: "fourteenth",
                15: "fifteenth", 16: "sixteenth", 17: "seventeenth", 18: "eighteenth", 19: "nineteenth",
                20: "twentieth"}


@dataclass(frozen=True)
class Gloss:
    """A word of a passage, as written, and what it says in the brief's language."""

    written: str
    meaning: str
    look_alike: re.Pattern[str] | None = None
    fix: str | None = None  # what replaces the look-alike (a re.sub template)


def _number_in_english(mention: NumberMention) -> str | None:
    folded = fold(mention.text)
    value = mention.value
    if mention.time is not None or not mention.spelled or not float(value).is_integer():
        return None
    if mention.approximate:
        return _ROUGH_EN.get(int(value))
    if mention.ordinal:
        return _ORDINALS_EN.get(int(value))
    if folded.endswith("aine"):  # "une vingtaine": about twenty
        cardinals = {int(v): w for w, v in _NUMBER_WORDS["en"].items() if w not in _ORDINALS_EN.values() and w != "dozen"}
        return f"about {cardinals.get(int(value), int(value))}"
    if value >= 1e6 and value % 1e6 == 0:  # "trois millions"
        return f"{int(value // 1_000_000)} million"
    return None  # a small number word ("quatre") the model translates well


def _glossed_spans(text: str, source: str, target: str) -> list[tuple[int, int, Gloss]]:
    if source == target:
        return []
    found = [(match.start(), match.end(), Gloss(match.group(0), sense, alike, fix))
             for pattern, sense, alike, fix in _COMPILED_SENSES.get((source, target), ())
             for match in pattern.finditer(text)]
    if target == "en":
        for mention in numbers(text):
            meaning = _number_in_english(mention)
            if meaning and fold(meaning) != fold(mention.text):
                found.append((mention.start, mention.end, Gloss(mention.text, meaning)))
    kept: list[tuple[int, int, Gloss]] = []
    for span in sorted(found, key=lambda f: (f[0], -f[1])):
        if not kept or span[0] >= kept[-1][1]:  # "militantes" is one word, glossed once
            kept.append(span)
    return kept


def glossary(text: str, source: str, target: str) -> list[Gloss]:
    """What the words of `text` (in language `source`) a small model gets wrong say in
    `target`: false friends and wrong senses, and rough counts and ranks written as words.
    Empty for a pair of languages the table does not cover."""
    found: dict[str, Gloss] = {}
    for _, _, gloss in _glossed_spans(text, source, target):
        found.setdefault(gloss.written.lower(), gloss)
    return list(found.values())


def glossed(text: str, source: str, target: str) -> str:
    """`text` with each word of its `glossary` followed by its sense in brackets, where a small
    model reads it: "un accord élaboré par [drawn up by] les monarchies du Golfe"."""
    out, last = [], 0
    for start, end, gloss in _glossed_spans(text, source, target):
        out += [text[last:end], f" [{gloss.meaning}]"]
        last = end
    return "".join(out) + text[last:]


def look_alikes(line: str, text: str, source: str, target: str) -> list[tuple[Gloss, str]]:
    """The look-alikes `line` (in `target`) uses for words of `text` (in `source`) that mean
    something else: ("militants" meaning "activists", "militants")."""
    return [(gloss, match.group(0)) for gloss in glossary(text, source, target) if gloss.look_alike
            for match in [gloss.look_alike.search(line)] if match]


# A number the model split in two: "16, 000 protesters" for the passage's "16 000 manifestants".
_SPLIT_NUMBER = re.compile(r"\b(\d{1,3})(?:,\s+|\s+,\s*)(\d{3})\b")


def mend_split_numbers(line: str, texts: Sequence[str]) -> tuple[str, list[tuple[str, str]]]:
    """`line` with each number split by a comma and a space joined again, when the joined
    number is one `texts` give and its first part alone is not; and the (written, joined) pairs."""
    given = {n.value for text in texts for n in numbers(text) if n.time is None}
    mended: list[tuple[str, str]] = []

    def join(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        if float(head + tail) in given and float(head) not in given:
            mended.append((match.group(0), f"{head},{tail}"))
            return f"{head},{tail}"
        return match.group(0)

    return _SPLIT_NUMBER.sub(join, line), mended


def mend_look_alikes(line: str, text: str, source: str, target: str) -> tuple[str, list[tuple[str, str]]]:
    """`line` with each look-alike that has a safe replacement (see `_SENSES`) replaced by the
    sense of the word of `text` it stands for, and a sense of several words copied whole by its
    first; and the (written, replacement) pairs. The small model re-asked about "agreement with"
    for "élaboré par" writes it again."""
    mended: list[tuple[str, str]] = []
    glosses = glossary(text, source, target)

    def replaced_by(fix: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            new = match.expand(fix)
            new = new[:1].upper() + new[1:] if match.group(0)[:1].isupper() else new
            mended.append((match.group(0), new))
            return new
        return replace

    for gloss in glosses:
        # The model copies a sense of several words whole: "Demonstrations, protests, which call ...".
        if ", " in gloss.meaning:
            line = re.sub(re.escape(gloss.meaning), replaced_by(gloss.meaning.split(", ")[0]), line, flags=re.I)
    alikes = [(g, g.look_alike) for g in glosses if g.look_alike is not None]
    for gloss, look_alike in alikes:
        if gloss.fix is None:
            continue
        # "manifestations" for "manifestants" is "protesters", for "manifestations" "protests":
        # when both are in the passage, the gate asks.
        if any(other.search(match.group(0)) for g, other in alikes if g.meaning != gloss.meaning
               for match in look_alike.finditer(line)):
            continue
        line = look_alike.sub(replaced_by(gloss.fix), line)
    return line, mended


# --------------------------------------------------------------------------- context

# What a sentence can only mean beside the article it came from: the picture or video the
# article shows ("this picture", "cette vidéo ci-dessous"), and a source it named before ("no further
# information was given by this source", "d'après les deux sources"). Lifted into a brief, the
# picture is gone and "this source" reads as the cited article.
_CONTEXT_BOUND = {
    "en": re.compile(
        # "that" is a conjunction as often ("ruled that footage ...", "said that sources close to ...").
        r"\b(?:this|these|those|the following) (?:\w+ )?(?:pictures?|photos?|photographs?|images?|videos?|clips?|footage)"
        r"\b|\b(?:pictures?|photos?|images?|videos?|footage) (?:above|below)\b"
        r"|\b(?:(?:this|these|those|the same|the two|the three|both|both of the) (?:\w+ )?|that )source\b"
        r"|\b(?:this|these|those|the same|the two|the three|both|both of the) (?:\w+ )?sources\b"
        r"|^(?:the|this) source\b", re.I),
    "fr": re.compile(
        r"\b(?:cette|ces|cet) (?:\w+ )?(?:photos?|photographies?|images?|vid[ée]os?|s[ée]quences?|clichés?)\b"
        r"|\bci-(?:dessus|dessous)\b"
        r"|\b(?:cette|ces|cette même|la même|les deux|les trois) (?:\w+ )?sources?\b"
        r"|^(?:la|cette) source\b", re.I),
}


# "celui-ci" points back; inside a sentence that names someone first, mostly at that name ("le
# cabinet de François Fillon précise que celui-ci ..."), otherwise at the article ("a pris celui-ci").
_POINTER = re.compile(r"\b(?:celui|celle|ceux|celles)-ci\b", re.I)


def leans_on_context(text: str, language: str | None = None) -> bool:
    """Whether `text` points at something only its article has: a picture or video shown there,
    or a source or person named earlier in it (see `_CONTEXT_BOUND`); any language the table has
    when `language` is None."""
    patterns = [_CONTEXT_BOUND[language]] if language in _CONTEXT_BOUND else list(_CONTEXT_BOUND.values())
    if any(p.search(text) for p in patterns):
        return True
    pointer = _POINTER.search(text) if language in (None, "fr") else None
    return pointer is not None and not any(w.group()[:1].isupper() for w in list(word_spans(text[:pointer.start()]))[1:])


# What a sentence says of people, places or a day named in the sentences before it, which a
# brief's line does not have: "Activists from both countries coordinated ..." opened the Yemen
# brief's section, and "On this day, ..." followed it.
_BACK_REFERENCE = {
    "en": re.compile(
        r"^(?:(?:on|in|at|by|from)\s+)?(?P<day>(?:this|that|the same)\s+(?:day|date|week|morning|evening|night)\b"
        r"|the (?:day|date|week)(?=\s*,))"
        r"|\b(?P<group>(?:both|the two|the three|these two|these three)\s+"
        r"(?:countries|nations|sides|men|women|leaders|parties|cities|groups|movements|states|presidents))\b", re.I),
    "fr": re.compile(
        r"^(?:(?:en|à|a|le|dans)\s+)?(?P<day>(?:ce|cette|le même|la même)\s+(?:jour|journée|date|semaine|matin|soir|nuit))\b"
        r"|\b(?P<group>(?:les|des|ces|aux)\s+(?:deux|trois)\s+"
        r"(?:pays|nations|camps|hommes|femmes|dirigeants|partis|villes|groupes|mouvements|[ée]tats|présidents))\b", re.I),
}


# The same day, inside the sentence: Yemen's "Slogans for freedom were heard throughout the 60th
# Street in Sanaa on this day".
_DAY_INSIDE = {
    "en": re.compile(r"\b(?:on|during)\s+(?P<day>(?:this|that|the same)\s+(?:day|date|morning|evening|night))\b",
                     re.I),
    "fr": re.compile(r"\b(?:en|pendant|lors de)\s+(?P<day>(?:ce|cette|le même|la même)\s+(?:jour|journée|soirée|"
                     r"nuit|matinée))\b", re.I),
}


def back_reference(text: str, language: str) -> tuple[str, str] | None:
    """("day" or "group", the words) where `text` speaks of a day, or of a group, that only
    the sentences before it in its article name; None when it names them itself (a date, or
    the people and places the group is made of, are the caller's to look for)."""
    pattern = _BACK_REFERENCE.get(language)
    match = pattern.search(text) if pattern else None
    if match is not None:
        kind = "day" if match.group("day") else "group"
        return kind, match.group(kind)
    inside = _DAY_INSIDE.get(language)
    match = inside.search(text) if inside else None
    return ("day", match.group("day")) if match else None


# A subhead is a short line that ends in no sentence mark ("Yemen, aux armes citoyens").
MAX_SUBHEAD_WORDS = 8
_SENTENCE_MARK = re.compile(r"[.!?…:;]\W*$")


def is_subhead(text: str) -> bool:
    """Whether `text` reads as a subhead over part of an article: a few words opening with a
    capital and ending in no sentence mark (a year's review heads each country's part so)."""
    text = text.strip()
    return bool(text) and text[0].isupper() and len(words(text)) <= MAX_SUBHEAD_WORDS \
        and not _SENTENCE_MARK.search(text)


# --------------------------------------------------------------------------- language


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def guess_language(text: str, *, min_words: int = 3, min_probability: float = 0.5) -> str:
    """An ISO 639-1 code from py3langid, or "und" when the text is too short or the guess unsure."""
    sample = text[:5000]
    if len(_WORD.findall(sample)) < min_words:
        return "und"
    code, probability = _identifier().classify(sample)
    return str(code) if code and probability >= min_probability else "und"
