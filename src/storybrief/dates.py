"""Find date expressions in news text and resolve them against a publication date.

Candidates are found with our own regular expressions (they give exact offsets), then
resolved with plain calendar arithmetic. That is faster and more predictable than
dateparser's `search_dates`, which on news text borrows days from the base date
("en décembre" -> 2025-12-04) and skips the base day for weekdays ("mercredi" said on a
Wednesday -> a week early). Rules:

* the tense of the clause around an expression decides which way an unqualified weekday,
  day-and-month or month points: "will file on Monday" / "déposera lundi" is the coming
  Monday, "8 October" in a July article that says "will" is the coming October, and a
  past-tense clause keeps the past reading;
* a weekday means the most recent such day on or before the base date (news reports
  "on Tuesday" about the past week, and the publication day itself counts), or the next
  one on or after it in a future-tense clause; "last Tuesday" / "mardi dernier" is
  strictly before the base, "next" / "prochain" after it;
* a month without a year is the most recent such month not after the base month (month
  precision, never a day borrowed from the base); in a future-tense clause, the coming one;
* a day and month without a year is the most recent such date not after the base in a
  past-tense clause, the next one on or after it in a future-tense clause, and without
  a tense cue the nearer of the two, an upcoming date counting double its distance;
* a bare year is year precision and is only taken after a cue ("in 2019", "depuis 2019");
* vague spans ("earlier this week", "la semaine dernière") resolve only to the month
  they fall in, and only when the whole week lies in one month; otherwise they are skipped;
* with no base date only absolute dates (those that carry their year) are resolved;
* across a cluster, a day or month written without its year takes the year most sources
  give that day or month (`reconcile_years`): the clause's tense misleads when the verb
  governs something else ("the 8 October gig was announced on Monday", "the hearing has
  been set for 5 April"), and the sources that name the year, or say "will", outvote it.

Each date also says whether it dates an event or the article itself: a dateline
("MOSCOW, Feb 5 (Reuters) -"), a line that is only a date, or a "published / mis à jour"
stamp is the publication, never an event of the story; a date the clause only follows or
precedes ("after the invasion in February 2022", "avant le 3 mars") is an anchor: the
passage tells what followed or preceded it, so it dates no event of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from collections import defaultdict
from collections.abc import Sequence

from storybrief.models import DateRole, Passage, ResolvedDate, Tense
from storybrief.text import month_number, month_pattern, weekday_number, weekday_pattern, words

__all__ = ["resolve_dates"]

# --------------------------------------------------------------------------- vocabularies

_EN_MONTH_FULL = month_pattern("en", capitalised=True)
_EN_MONTH_ANY = month_pattern("en", capitalised=True, abbreviations=True)
_EN_WEEKDAY = weekday_pattern("en", capitalised=True)
_FR_MONTH_FULL = month_pattern("fr")
_FR_MONTH_ANY = month_pattern("fr", abbreviations=True, dot_required=True)
# After a day number, a short month needs no dot: chronologies write "- 23 nov: YEMEN - ...".
_FR_MONTH_AFTER_DAY = month_pattern("fr", abbreviations=True)
_FR_WEEKDAY = weekday_pattern("fr")
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_APOS = "['’]"

# Each pattern: (kind, compiled regex). Named groups: y (year), m (month), d (day), wd
# (weekday), q (qualifier: last/next/dernier/prochain).
_Pattern = tuple[str, "re.Pattern[str]"]


def _c(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_COMMON: list[_Pattern] = [
    ("ymd", _c(rf"(?<![\d/.-])(?P<y>{_YEAR})-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)(?![\d-])")),
]

_EN: list[_Pattern] = [
    # Tuesday, February 3, 2026 / February 3, 2026 / Feb. 3 / February 05, 2026
    ("dmy", _c(
        rf"\b(?:{_EN_WEEKDAY},?\s+)?(?P<m>{_EN_MONTH_ANY})\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b"
        rf"(?:,?\s+(?P<y>{_YEAR})\b)?"
    )),
    # 3 February 2026 / Tuesday, 3rd of February
    ("dmy", _c(
        rf"\b(?:{_EN_WEEKDAY},?\s+)?(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_EN_MONTH_ANY})(?:,?\s+(?P<y>{_YEAR})\b)?"
    )),
    # February 2022
    ("my", _c(rf"\b(?P<m>{_EN_MONTH_ANY}),?\s+(?P<y>{_YEAR})\b")),
    # in December / since July / early March (bare full month names need a cue)
    ("m", _c(
        rf"(?:\b(?:[Ii]n|[Ss]ince|[Uu]ntil|[Bb]y|[Ff]rom|[Dd]uring|[Ee]arly|[Ll]ate|[Tt]hrough|[Tt]ill|"
        rf"[Bb]efore|[Aa]fter)\s+|\b(?:[Mm]id-)|\b(?P<q>[Ll]ast|[Nn]ext|[Tt]his)\s+)(?P<m>{_EN_MONTH_FULL})\b(?!\s+\d)"
    )),
    # on Tuesday / last Tuesday / Tuesday
    ("wd", _c(rf"\b(?:(?P<q>[Ll]ast|[Nn]ext|[Tt]his)\s+)?(?P<wd>{_EN_WEEKDAY})\b(?!,?\s+{_EN_MONTH_ANY})")),
    ("rel", _c(r"\b(?:the day before yesterday|yesterday|today|tomorrow)\b", re.I)),
    ("span", _c(r"\b(?:(?:earlier|later) this week|this week|last week|last month|this month|last year|this year)\b", re.I)),
    # in 2019 / since 2019
    ("y", _c(
        rf"\b(?:[Ii]n|[Ss]ince|[Uu]ntil|[Bb]y|[Ff]rom|[Dd]uring|[Bb]efore|[Aa]fter|[Ee]arly|[Ll]ate|[Ss]ummer|"
        rf"[Ss]pring|[Aa]utumn|[Ff]all|[Ww]inter|[Mm]id-?)\s+(?P<y>{_YEAR})\b(?![-/]\d)"
    )),
]

_FR: list[_Pattern] = [
    # 30/10/2011, 30.10.2011
    ("dmy", _c(rf"(?<![\d/.])(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>{_YEAR})(?![\d/.]\d)")),
    # mardi 3 février 2026 / 1er mars / 3 févr. 2026
    ("dmy", _c(
        rf"\b(?:{_FR_WEEKDAY}\s+)?(?P<d>[0-3]?\d)(?:er|e)?\s+(?P<m>{_FR_MONTH_AFTER_DAY})(?!\w)(?:\s+(?P<y>{_YEAR})\b)?",
        re.I,
    )),
    # février 2022
    ("my", _c(rf"\b(?P<m>{_FR_MONTH_ANY})(?!\w)\s+(?P<y>{_YEAR})\b", re.I)),
    # en décembre / depuis mars / fin février / mi-mars / d'avril / le mois de mai
    ("m", _c(
        rf"(?:\b(?:en|depuis|jusqu{_APOS}en|dès|fin|début|courant|mois\s+de|mois\s+d{_APOS}|avant|après)\s+|"
        rf"\bmi-|\bd{_APOS})(?P<m>{_FR_MONTH_FULL})\b(?!\s+\d)(?:\s+(?P<q>dernier|prochain))?",
        re.I,
    )),
    # mardi / mardi dernier / mardi prochain
    ("wd", _c(rf"\b(?P<wd>{_FR_WEEKDAY})\b(?!\s+\d)(?:\s+(?P<q>dernier|prochain))?", re.I)),
    ("rel", _c(rf"(?<![\w-])(?:avant-hier|après-demain|hier|aujourd{_APOS}hui|demain)(?![\w-])", re.I)),
    ("span", _c(
        rf"\b(?:la\s+semaine\s+(?:dernière|passée)|cette\s+semaine|en\s+début\s+de\s+semaine|"
        rf"le\s+mois\s+(?:dernier|passé)|ce\s+mois-ci|l{_APOS}an\s+(?:dernier|passé)|"
        rf"l{_APOS}année\s+(?:dernière|passée)|cette\s+année)\b",
        re.I,
    )),
    # en 2019 / depuis 2019 / fin 2011
    ("y", _c(
        rf"\b(?:en|depuis|dès|jusqu{_APOS}en|fin|début|mi-|courant|avant|après|d{_APOS}ici|l{_APOS}année|"
        rf"l{_APOS}an|printemps|été|automne|hiver)\s*(?P<y>{_YEAR})\b(?![-/]\d)",
        re.I,
    )),
]

_RELATIVE_WORDS = {
    "today": 0, "yesterday": -1, "tomorrow": 1, "the day before yesterday": -2,
    "aujourd'hui": 0, "hier": -1, "demain": 1, "avant-hier": -2, "après-demain": 2,
}


def _patterns(language: str) -> list[_Pattern]:
    lang = (language or "und").lower()[:2]
    if lang == "en":
        return _COMMON + _EN
    if lang == "fr":
        return _COMMON + _FR
    return _COMMON + _EN + _FR


# --------------------------------------------------------------------------- arithmetic


def _month_number(word: str) -> int | None:
    return month_number(word, "en") or month_number(word, "fr")


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _week_month(monday: dt.date, sunday: dt.date) -> str | None:
    if (monday.year, monday.month) == (sunday.year, sunday.month):
        return f"{monday.year:04d}-{monday.month:02d}"
    return None


def _qualifier(q: str | None) -> str:
    q = (q or "").lower()
    if q in ("last", "dernier"):
        return "last"
    if q in ("next", "prochain"):
        return "next"
    if q == "this":
        return "this"
    return ""


def _nearer(past: dt.date | None, upcoming: dt.date | None, base: dt.date) -> dt.date | None:
    """With no tense cue: the nearer reading; news looks back more than ahead, so an
    upcoming date counts double its distance."""
    if past is None or upcoming is None:
        return past or upcoming
    return upcoming if 2 * (upcoming - base).days < (base - past).days else past


def _resolve(kind: str, groups: dict[str, str | None], expression: str, base: dt.date | None,
             tense: Tense | None = None):
    """Return (iso, precision, relative) or None when the expression cannot be resolved honestly."""
    y_raw, d_raw = groups.get("y"), groups.get("d")
    y = int(y_raw) if y_raw else None
    if kind in ("ymd", "dmy"):
        m_raw = groups["m"] or ""
        m = int(m_raw) if m_raw.isdigit() else _month_number(m_raw)
        d = int(d_raw) if d_raw else None
        if not m or not d:
            return None
        if y is not None:
            day = _safe_date(y, m, d)
            return (day.isoformat(), "day", False) if day else None
        if base is None:
            return None
        # The most recent such date on or before the base, and the next one on or after it
        # (29 February looks up to four years either way).
        past = next((day for y in range(base.year, base.year - 5, -1)
                     if (day := _safe_date(y, m, d)) is not None and day <= base), None)
        upcoming = next((day for y in range(base.year, base.year + 5)
                         if (day := _safe_date(y, m, d)) is not None and day >= base), None)
        chosen = {"past": past, "future": upcoming}.get(tense or "") or _nearer(past, upcoming, base)
        return (chosen.isoformat(), "day", True) if chosen else None
    if kind == "my":
        m = _month_number(groups["m"] or "")
        if not m or y is None:
            return None
        return f"{y:04d}-{m:02d}", "month", False
    if kind == "m":
        m = _month_number(groups["m"] or "")
        if not m or base is None:
            return None
        q = _qualifier(groups.get("q"))
        past_year = base.year if m <= base.month else base.year - 1
        upcoming_year = base.year if m >= base.month else base.year + 1
        if q == "next" or (q == "" and tense == "future"):
            year = upcoming_year if q == "" else (base.year if m > base.month else base.year + 1)
        elif q == "last" or tense == "past":
            year = past_year
        else:
            months_back = (base.month - m) % 12
            months_ahead = (m - base.month) % 12
            year = upcoming_year if 0 < months_ahead and 2 * months_ahead < months_back else past_year
        return f"{year:04d}-{m:02d}", "month", True
    if kind == "y":
        return (f"{y:04d}", "year", False) if y is not None else None
    if base is None:
        return None
    if kind == "wd":
        word = (groups["wd"] or "").lower()
        wd = weekday_number(word)
        if wd is None:
            return None
        q = _qualifier(groups.get("q"))
        if q == "next":
            delta = (wd - base.weekday()) % 7 or 7
            return (base + dt.timedelta(days=delta)).isoformat(), "day", True
        if q == "" and tense == "future":
            return (base + dt.timedelta(days=(wd - base.weekday()) % 7)).isoformat(), "day", True
        back = (base.weekday() - wd) % 7
        if q == "last" and back == 0:
            back = 7
        return (base - dt.timedelta(days=back)).isoformat(), "day", True
    if kind == "rel":
        key = re.sub(r"\s+", " ", expression.lower().replace("’", "'"))
        offset = _RELATIVE_WORDS.get(key)
        if offset is None:
            return None
        return (base + dt.timedelta(days=offset)).isoformat(), "day", True
    if kind == "span":
        key = re.sub(r"\s+", " ", expression.lower().replace("’", "'"))
        monday = base - dt.timedelta(days=base.weekday())
        if "week" in key or "semaine" in key:
            if "last" in key or "dernière" in key or "passée" in key:
                monday -= dt.timedelta(days=7)
            iso = _week_month(monday, monday + dt.timedelta(days=6))
            return (iso, "month", True) if iso else None
        if "month" in key or "mois" in key:
            if "last" in key or "dernier" in key or "passé" in key:
                first = (base.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            else:
                first = base.replace(day=1)
            return f"{first.year:04d}-{first.month:02d}", "month", True
        if "last" in key or "dernier" in key or "dernière" in key or "passé" in key:
            return f"{base.year - 1:04d}", "year", True
        return f"{base.year:04d}", "year", True
    return None


@lru_cache(maxsize=65536)
def _resolve_cached(kind: str, groups: tuple[tuple[str, str | None], ...], expression: str, base: dt.date | None,
                    tense: Tense | None):
    return _resolve(kind, dict(groups), expression, base, tense)


# --------------------------------------------------------------------------- tense

_LOWER = "a-zàâçéèêëîïôûùüÿœ"
_EN_FUTURE = re.compile(
    r"\b(?:will|shall|won['’]t|would|is to|are to|going to|is due|are due|set to|scheduled|expected to|"
    r"plans? to|planned|intends? to|upcoming|(?:is|are) expected|due to (?:begin|start|take|be|meet|file|appear|open|vote|hold))\b"
    r"|\w['’]ll\b"
)
_EN_PAST = re.compile(
    r"\b(?:was|were|had|did|didn['’]t|has been|have been|said|told|met|went|came|took|made|gave|held|began|"
    r"saw|left|fled|fell|won|lost|died|shot|ran|spoke|wrote|sent|found|brought|sought|thought|hit|"
    r"struck|led|put|set off|broke)\b|\b[a-z]{3,}ed\b"
)
_FR_FUTURE = re.compile(
    rf"\b(?:sera|seront|serai|serons|serez|aura|auront|fera|feront|ira|iront|pourra|pourront|devra|devront|"
    rf"viendra|viendront|tiendra|tiendront|verra|verront|prévue?s?|attendue?s?|doit|doivent|devrait|devraient|"
    rf"va|vont|à venir|prochaine?s?|d['’]ici)\b"
    rf"|\b[{_LOWER}]{{2,}}(?:era|eront|erai|erons|erez|ira|iront|dra|dront)\b",
)
_FR_PAST = re.compile(
    rf"\b(?:a|ont|avait|avaient|avons|avez|ai|eut|eurent|fut|furent|était|étaient|est|sont)\s+"
    rf"(?:(?:été|déjà|notamment|aussi|également|alors|ainsi|pas|plus|jamais|ensuite|bien|encore)\s+)*"
    rf"[{_LOWER}]+(?:é|ée|és|ées|i|is|ie|ies|it|u|us|ue|ues|ert|erte|ort|orte|int|ainte?)\b"
    rf"|\b[{_LOWER}]{{2,}}(?:ait|aient|èrent)\b",
)
_CLAUSE_END = re.compile(r"[.!?;\n]")
_TENSE_WINDOW = 120
_VERB_PHRASE_GAP = 10  # "will be " / "will have been " before a participle
_SINCE = re.compile(r"\b(?:depuis|since)\s+(?:le\s+|the\s+|fin\s+|début\s+|mi-|early\s+|late\s+|mid-)?$", re.I)


def _markers(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _clause_tense(text: str, start: int, end: int, language: str) -> Tense | None:
    """The tense of the verb the expression attaches to within its sentence, if any is clear."""
    left = max(0, start - _TENSE_WINDOW)
    stops = [m.end() for m in _CLAUSE_END.finditer(text, left, start) if text[m.start()] != "." or
             not re.match(r"\s*[a-z0-9]", text[m.end():m.end() + 3])]
    left = stops[-1] if stops else left
    after = _CLAUSE_END.search(text, end, min(len(text), end + _TENSE_WINDOW))
    right = after.start() if after else min(len(text), end + _TENSE_WINDOW)
    clause = text[left:start] + " " * (end - start) + text[end:right]
    if _SINCE.search(text, max(0, start - 16), start):
        return "past"  # "depuis le 24 juillet", "since 3 March": a start that has happened
    lang = (language or "und").lower()[:2]
    future_pattern, past_pattern = {"en": (_EN_FUTURE, _EN_PAST), "fr": (_FR_FUTURE, _FR_PAST)}.get(
        lang, (None, None))
    if future_pattern is None or past_pattern is None:
        return _clause_tense(text, start, end, "en") or _clause_tense(text, start, end, "fr")
    futures = _markers(future_pattern, clause)
    # A future marker wins where the two overlap ("is expected to", "est attendu") and over
    # the participle of its own verb phrase ("will be sentenced").
    pasts = [p for p in _markers(past_pattern, clause)
             if not any(p[0] < f[1] + _VERB_PHRASE_GAP and f[0] < p[1] for f in futures)]
    here = (start - left, end - left)

    def distance(span: tuple[int, int]) -> int:
        return here[0] - span[1] if span[1] <= here[0] else span[0] - here[1]

    # The verb before the date in its clause is the one it attaches to ("said on 2 February
    # that he would ...", "will be sentenced on 29 November, the judge said"); with none
    # before, the first one after it ("On Monday, his lawyers will file").
    by_tense: tuple[tuple[list[tuple[int, int]], Tense], ...] = ((futures, "future"), (pasts, "past"))
    nearest: list[tuple[bool, int, Tense]] = [(span[1] > here[0], distance(span), tense)
                                              for spans, tense in by_tense for span in spans]
    if not nearest:
        return None
    nearest.sort()
    if len(nearest) > 1 and nearest[0][:2] == nearest[1][:2] and nearest[0][2] != nearest[1][2]:
        return None
    return nearest[0][2]


# --------------------------------------------------------------------------- role

_STAMP_BEFORE = re.compile(
    r"(?:published|updated|posted|last updated|publié|mis à jour|modifié|mise à jour)\b[^.\n]{0,25}$", re.I
)
_DATELINE_BEFORE = re.compile(
    r"^\s*(?:[A-ZÀ-Ý][\w'’.-]*(?:[ -][A-ZÀ-Ý][\w'’.-]*){0,3}\s*(?:\([^)\n]{1,30}\))?\s*[,\-–—]?\s*)?$"
)
_DATELINE_AFTER = re.compile(r"^\s*(?:\([^)\n]{1,30}\)\s*)?[-–—:]\s|^\s*(?:[,à]?\s*\d{1,2}[:h.]\d{2}\S*.*)?$")


# "after the invasion of Ukraine in February 2022", "avant le scrutin du 3 mars": the clause
# reports what followed or preceded that date, not what happened on it ("since" and
# "depuis" do tell an event: something began that day).
_ANCHOR_BEFORE = re.compile(
    r"\b(?:after|before|following|ahead of|in advance of|après|avant|à la suite de|suite à)\b"
    r"[^,;:.!?()\n]{0,60}$", re.I
)


def _role(text: str, start: int, end: int) -> DateRole:
    """publication for a dateline, a date-only line or a publication stamp; anchor for a date
    the clause tells what followed or preceded; else event."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before, after = text[line_start:start], text[end:line_end]
    if _STAMP_BEFORE.search(before):
        return "publication"
    if len(before) <= 60 and _DATELINE_BEFORE.match(before) and _DATELINE_AFTER.match(after):
        return "publication"
    if _ANCHOR_BEFORE.search(before):
        return "anchor"
    return "event"


# --------------------------------------------------------------------------- public


def resolve_dates(text: str, base: dt.date | None, language: str) -> list[ResolvedDate]:
    """Every date expression in `text` that can be resolved honestly, in text order.

    Offsets are into `text`; `iso` is cut to the precision the text gives.
    """
    candidates: list[tuple[int, int, str, dict[str, str | None]]] = []
    for kind, pattern in _patterns(language):
        for match in pattern.finditer(text):
            groups = match.groupdict()
            # The expression is the date words themselves, without the leading cue
            # ("in", "on", "depuis"): start at the first captured group or qualifier.
            starts = [match.start(name) for name in ("q", "wd", "m", "d", "y") if groups.get(name)]
            start = min(starts) if starts and kind in ("m", "y") else match.start()
            if kind == "m" and groups.get("q") and match.start("q") > match.start("m"):
                start = match.start("m")  # "décembre dernier": the qualifier trails
            candidates.append((start, match.end(), kind, groups))
    # Longest match wins; then earliest; non-overlapping.
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int]] = []
    results: list[ResolvedDate] = []
    for start, end, kind, groups in candidates:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        expression = text[start:end]
        tense = _clause_tense(text, start, end, language)
        resolved = _resolve_cached(kind, tuple(sorted(groups.items())), expression, base, tense)
        if resolved is None:
            continue
        taken.append((start, end))
        iso, precision, relative = resolved
        results.append(
            ResolvedDate(expression=expression, start=start, end=end, iso=iso, precision=precision,
                         relative=relative, tense=tense, role=_role(text, start, end))
        )
    results.sort(key=lambda r: r.start)
    return results


# --------------------------------------------------------------------------- across sources

_ORDINAL_DAY = re.compile(r"\d{1,2}(?:er|st|nd|rd|th)?")


def explicitness(date: ResolvedDate) -> int:
    """How plainly the text states the date: 2 with its year ("8 October 2011"), 1 a day or
    month named without its year and without "last"/"next"/"dernier" ("8 October", "en
    mars"), 0 anything else ("Tuesday", "aujourd'hui", "last June")."""
    if not date.relative:
        return 2
    if date.precision not in ("day", "month"):
        return 0
    tokens = words(date.expression)
    named = any(month_number(t) for t in tokens) and all(
        _ORDINAL_DAY.fullmatch(t) or month_number(t) or weekday_number(t) is not None for t in tokens)
    return 1 if named else 0


def _other_years(iso: str) -> list[str]:
    year, rest = int(iso[:4]), iso[4:]
    others = []
    for y in (year - 1, year + 1):
        candidate = f"{y:04d}{rest}"
        if len(rest) == 3 or _safe_date(y, int(rest[1:3]), int(rest[4:6])) is not None:
            others.append(candidate)
    return others


def reconcile_years(passages: Sequence[Passage]) -> list[Passage]:
    """`passages` with each yearless day or month moved to the year that more sources give it.

    A date's support is the number of sources that date an event to it (in any words, with
    or without the year). A guessed year yields only to a reading a year away that at least
    two sources, and more than its own, support: one article's misread tense cannot move
    what the others agree on, and a date no other source names keeps the resolver's reading.
    """
    support: dict[str, set[str]] = defaultdict(set)
    for passage in passages:
        for date in passage.dates:
            if date.role != "publication":
                support[date.iso].add(passage.source_id)
    reconciled = []
    for passage in passages:
        changed = False
        dates = []
        for date in passage.dates:
            if date.role != "publication" and explicitness(date) == 1:
                here = len(support[date.iso])
                best = max(_other_years(date.iso), key=lambda iso: len(support.get(iso, ())))
                if len(support.get(best, ())) >= max(2, here + 1):
                    date = date.model_copy(update={"iso": best})
                    changed = True
            dates.append(date)
        reconciled.append(passage.model_copy(update={"dates": dates}) if changed else passage)
    return reconciled
