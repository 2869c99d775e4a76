"""The line gate: does a line of a brief say only what the passages it cites say?

A deterministic check run on every line the model words (headline, section sentence,
timeline entry) before the verifier sees it. The 1.5B model is fluent but changes facts
while it rewords, most often across languages: it turns a diplomatic adviser into an
ambassador, adds an inferred year, drops a "ni ... ni", or loses "reportedly". So every
name, number, date and role or title in the line must appear in its passages (names and
roles compared across English and French), a negation must survive, and a claim the
passages only report must still read as reported.

`copied_span` finds a line the model copied word for word: such a line is shown as a
quotation of the passage it copies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from .dates import resolve_dates
from .models import Passage, ResolvedDate
from .text import (
    ALL_STOP_WORDS,
    COMPATIBLE_QUALIFIERS,
    back_reference,
    content_words,
    fold,
    guess_language,
    implied_names,
    is_stop_word,
    leans_on_context,
    look_alikes,
    month_name,
    month_number,
    name_forms,
    numbers,
    qualifier,
    same_name,
    sentence_spans,
    sentences,
    weekday_number,
)
from .verify.facts import names_in

__all__ = ["Problem", "attributed", "check_line", "copied_span", "drop_unsupported_titles", "find_copy", "finished",
           "is_negated", "is_hedged", "reports_words", "restore_elided_articles", "without_echoed_question",
           "name_the_days", "without_wire_tail"]

ProblemKind = Literal["missing", "cut", "script", "language", "sense", "name", "number", "date", "role", "negation",
                      "hedge", "context", "voice", "mood", "swap", "added"]


@dataclass(frozen=True)
class Problem:
    """One reason a line fails the gate; `message` is said to the model on the re-ask."""

    kind: ProblemKind
    message: str



# Roles, titles and the institutions they serve in, in English and French (folded). A role
# in a line must be one its passages give: "ambassador" for "conseiller diplomatique" is
# the error this catches.
_ROLE_FORMS = (
    "adviser advisor advisers advisors conseiller conseillere conseillers",
    "ambassador ambassadeur ambassadrice",
    "minister ministre",
    "president presidente presidency presidence",
    "spokesman spokeswoman spokesperson porte-parole",
    "lawyer attorney avocat avocate counsel",
    "prosecutor procureur",
    "judge juge",
    "aide aides assistant collaborateur",
    "diplomat diplomats diplomate diplomates",
    "envoy emissaire envoye",
    "king roi",
    "queen reine",
    "prince prince",
    "secretary secretaire",
    "governor gouverneur",
    "mayor maire",
    "doctor physician medecin docteur",
    "cardiologist cardiologue",
    "coroner legiste",
    "activist activists militant militante militants",
    "protester protesters protestor demonstrator demonstrators manifestant manifestants manifestante",
    "student students etudiant etudiants etudiante",
    "soldier soldiers soldat soldats militaire militaires troops troupes",
    "policeman policemen police policier policiers",
    "chancellor chancelier chanceliere",
    "senator senateur",
    "commander commandant",
    "colonel colonel",
    "general general generaux",
    "sheikh cheikh",
    "chief chef",
    "leader leaders dirigeant dirigeants chef",
    "promoter promoteur",
    "nurse infirmier infirmiere",
    "manager manager gerant",
    # Institutions a translation swaps in: "cellule diplomatique" became "foreign ministry".
    "ministry ministries ministere ministeres",
    "embassy embassies ambassade ambassades",
)
_ROLE_CLASSES = [frozenset(line.split()) for line in _ROLE_FORMS]

_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|none|nothing|nobody|without|cannot|den(?:y|ies|ied)|refus\w*|declin\w*)\b"
    r"|n['’]t\b"
    r"|\bn(?:e\b|['’])|\b(?:pas|jamais|ni|aucun\w*|rien|sans|d[ée]menti\w*|ni[ée]\w*)\b",
    re.IGNORECASE,
)
_HASHTAG_PATTERN = r"(?<![\w#&])#[^\W\d_]\w+"
# What makes a passage's claim reported, or someone's word, rather than established.
_REPORTED = re.compile(
    r"\b(?:reportedly|allegedly|according to|sources?|reports? (?:say|said)|citing|selon|d['’]apr[eè]s"
    r"|aurai(?:t|ent)|serai(?:t|ent)|would have|said|says|told|a (?:déclaré|dit|affirmé|indiqué|annoncé)"
    r"|ont (?:déclaré|dit|affirmé|indiqué)"
    # "..., ont-elles dit", "a-t-il déclaré": the French report's speaker, after the words.
    r"|(?:a|ont)-(?:t-)?(?:il|elle|ils|elles|on) (?:dit|déclaré|affirmé|indiqué|précisé|ajouté|expliqué|assuré"
    r"|annoncé|rapporté|confié))\b"
    r"|(?<![\w@])@\w{2,}"  # a post quoted from social media: its author's words, not the news'
    rf"|{_HASHTAG_PATTERN}",  # a post known by its hashtags ("#SanaaMassacre")
    re.IGNORECASE,
)
# A passive with its doer named ("has been marked by the solidarity of protesters"), and a
# passive at all in French ("a été tué par", "sont blessés") or a "by" in English: a line
# that turns the text's doer into a "by" phrase has swapped who did what more than once.
_PASSIVE_BY = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?\w+(?:ed|en|wn|t)\s+by\b", re.I)
_PASSIVE_FR = re.compile(r"\b(?:été|est|sont|était|étaient|sera|seront|fut|furent|soit|être)\s+(?:\w+\s+)?"
                         r"\w+(?:é|ée|és|ées|is|ise|ises|u|ue|us|ues|t|te|ts|tes)\b|\bpar\b", re.I)
_BY = re.compile(r"\bby\b", re.I)
# The French conditional of a statement ("il serait pertinent de", it would be worthwhile to),
# and what keeps it in English: a modal, or the hedge of the "conditionnel journalistique".
_CONDITIONAL_FR = re.compile(r"\b(?:serai(?:t|ent)|pourrai(?:t|ent)|devrai(?:t|ent)|faudrait|vaudrait)\b", re.I)
_MOOD_KEPT = re.compile(r"\b(?:would|could|should|might|may|reportedly|allegedly|said to|according to)\b|'d\b",
                        re.I)
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_HASHTAG = re.compile(_HASHTAG_PATTERN)
# What makes a line say who claims it.
_ATTRIBUTED = re.compile(
    r"\b(?:reportedly|allegedly|according to|said|says|say|saying|reported|reports?|sources?|claim\w*|told"
    r"|citing|quoted|selon|d['’]apr[eè]s|aurai(?:t|ent)|serai(?:t|ent)|d[ée]clar\w*|affirm\w*|indiqu\w*"
    r"|wrote|tweeted|posted|écrit|tweeté|chant\w*|shout\w*|slogans?|scand\w*|cri\w*|quoted?|citation"
    # "..., announced by the Algerian Ministry of Foreign Affairs" says who; "Reportedly" was added.
    r"|announc\w*|annonc\w*)\b"
    r"|(?<![\w@])@\w{2,}",
    re.IGNORECASE,
)
# The other language whose function words betray a line not written in the brief's.
_OTHER_LANGUAGE = {"en": "fr", "fr": "en"}
_FOREIGN_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*", re.UNICODE)


def _tokens(text: str) -> list[str]:
    return [fold(t) for t in _TOKEN.findall(text)]


def _vocabulary(texts: Sequence[str]) -> set[str]:
    vocab: set[str] = set()
    for text in texts:
        for token in _tokens(text):
            vocab.add(token)
            vocab.update(part for part in re.split(r"['’-]", token) if part)
    return vocab


def _article_dropped(text: str, names: Sequence[str], texts: Sequence[str]) -> list[str]:
    """Names the passages only write with their elided article, which the line dropped:
    "L'Express" is a weekly, "Express" another paper. A name with its own form in another
    language ("l'Elysée", the Elysée) is left to the name table."""
    dropped = []
    for name in dict.fromkeys(names):
        if name_forms(name):
            continue
        pattern = re.compile(rf"\bl['’]{re.escape(name)}\b", re.IGNORECASE)
        written = [m.group(0) for t in texts for m in pattern.finditer(fold(t))]
        bare = re.search(rf"(?<!['’])\b{re.escape(name)}\b", fold(text))
        if written and bare and not pattern.search(fold(text)):
            form = next(m.group(0) for t in texts for m in re.finditer(r"\b[Ll]['’]\w+", t)
                        if fold(m.group(0)) == written[0])
            dropped.append(form)
    return dropped


# A person as the passages write one: two or more capitalised words ("Emmanuel Bonne", "Ali
# Abdullah Saleh"), known by the last.
_PERSON = re.compile(r"\b[A-ZÀ-Ý][a-zà-ÿ]+(?:\s+[A-ZÀ-Ý][a-zà-ÿ’'-]+)+")


def _swapped_people(text: str, texts: Sequence[str]) -> tuple[str, str] | None:
    """(repeated, lost) where `text` writes one person of its passages more often than they do
    all together while it leaves out another they name: "Emmanuel Macron, who has overseen the
    diplomatic cell of Emmanuel Macron since 2019" for "Emmanuel Bonne, qui supervise depuis 2019
    la cellule diplomatique d'Emmanuel Macron". A line that repeats a name where its passage says
    "he", and names everyone, passes."""
    surnames = list(dict.fromkeys(re.sub(r"[’']s$", "", m.group(0).split()[-1]).strip("’'-")
                                  for t in texts for m in _PERSON.finditer(t)
                                  if fold(m.group(0).split()[0]) not in ALL_STOP_WORDS))
    line_tokens = _tokens(text)
    passage_tokens = [t for passage in texts for t in _tokens(passage)]

    def count(name: str, tokens: Sequence[str]) -> int:
        return sum(1 for t in tokens if same_name(fold(name), t))

    repeated = next((n for n in surnames if count(n, line_tokens) > max(1, count(n, passage_tokens))), None)
    lost = next((n for n in surnames if n != repeated and count(n, line_tokens) == 0), None)
    return (repeated, lost) if repeated and lost else None


def restore_elided_articles(text: str, passages: Sequence[Passage]) -> tuple[str, list[str]]:
    """`text` with each name its passages write only with an elided article given it back
    ("reported by Express" for "rapporté par L'Express"), and the names restored. Re-asked, the
    small model drops the article again, and the line was dropped for it."""
    texts = [p.text for p in passages]
    restored: list[str] = []
    for form in _article_dropped(text, names_in(text), texts):
        bare = re.escape(re.split(r"['’]", form, maxsplit=1)[1])
        text, count = re.subn(rf"(?<!['’])\b(?:[Tt]he\s+)?{bare}\b", form, text)
        if count:
            restored.append(form)
    return text, restored


# Titles a name may be given without changing who it is: "Colonel Kadhafi" is Kadhafi.
# ("General" is left out: "the General Assembly" is no general.)
_TITLES = ("president", "colonel", "king", "queen", "prince", "senator", "governor", "mayor",
           "chancellor", "sheikh", "judge", "doctor", "commander")
_TITLE_BEFORE_NAME = re.compile(rf"\b(?:{'|'.join(_TITLES)})\s+(?=[A-ZÀ-Ý][a-zà-ÿ])", re.IGNORECASE)


def drop_unsupported_titles(text: str, passages: Sequence[Passage]) -> tuple[str, list[str]]:
    """`text` without the titles it gives a name that its passages give no one ("Colonel Muammar
    Kadhafi" from "Muammar Kadhafi a été tué"), and the titles dropped. The small model adds
    them from what it knows, and re-asked adds them again."""
    vocab = _vocabulary([p.text for p in passages])
    dropped: list[str] = []

    def drop(match: re.Match[str]) -> str:
        title = fold(match.group(0).strip())
        forms = next((f for f in _ROLE_CLASSES if title in f), frozenset({title}))
        if _role_given(forms, vocab):
            return match.group(0)
        dropped.append(match.group(0).strip())
        return ""

    return _TITLE_BEFORE_NAME.sub(drop, text), dropped


def _name_supported(name: str, vocab: set[str]) -> bool:
    return any(same_name(name, word) for word in vocab)


def _role_given(forms: frozenset[str], tokens: Collection[str]) -> bool:
    """Whether `tokens` (folded) give the role in any of its `forms`, inflections only
    (adviser/advisers, conseiller/conseillère): "diplomatique" is no diplomat."""
    return any(token.startswith(form) and len(token) - len(form) <= 2 for form in forms for token in tokens)


def _roles(tokens: Sequence[str]) -> list[frozenset[str]]:
    return [forms for forms in _ROLE_CLASSES if any(t in forms for t in tokens)]


def is_negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def is_hedged(text: str) -> bool:
    """True when the text says who claims what it says."""
    return bool(_ATTRIBUTED.search(text))


_QUOTATION = re.compile(r"[«“\"][^«»“”\"]{12,}[»”\"]")
_SPEECH = re.compile(
    r"\b(?:announc\w*|confirm\w*|den(?:y|ies|ied)|stat(?:ed|es)|statement|warn\w*|insist\w*|urg(?:ed|es)|claim\w*|"
    r"declar\w*|comment\w*|interview\w*|annon[cç]\w*|d[ée]menti\w*|assur\w*|estim\w*|soulign\w*|ajout\w*|"
    r"expliqu\w*|entretien|communiqu[ée])\b",
    re.IGNORECASE,
)


def reports_words(text: str) -> bool:
    """True when the text gives someone's words: a quotation, or what someone said, told or
    posted ("a déclaré", "according to", "@handle")."""
    return bool(_QUOTATION.search(text) or _REPORTED.search(text) or _SPEECH.search(text))


# What a line its passage only reports opens with when the model dropped who reports it.
_REPORTED_OPENER = {"en": "Reportedly, ", "fr": "Selon les informations rapportées, "}
_POSTED_OPENER = {"en": "{handle} wrote: ", "fr": "{handle} a écrit : "}
_QUOTED_AS = {"en": "As quoted: “{text}”.", "fr": "Selon la citation : « {text} »."}
_POST_OPENER = {"en": "A social media post said: ", "fr": "Un message publié sur les réseaux sociaux dit : "}


def attributed(text: str, language: str, passages: Sequence[Passage] = ()) -> str:
    """`text` said as reported: the model dropped "according to two sources" while rewording,
    and restoring that is the whole fix, no re-ask needed. The first word keeps its capital
    only when it is a name: not a function word, and capitalised in `passages` (compared by
    its first letters, so "Russia" is the passages' "Russie")."""
    passage_sentences = [s for p in passages for s in _sentences(p.text)]
    aligned = _aligned(text, passage_sentences) if passage_sentences else ""
    if (aligned and _mostly_quoted(aligned) and _says_the_quotation(text, aligned)
            and not _HANDLE.search(" ".join(passage_sentences))):
        # Someone's words (a slogan, a statement) shown as theirs, in quotation marks.
        marks = _QUOTED_AS.get(language, _QUOTED_AS["en"])
        return marks.format(text=text.strip().rstrip(".").strip("\"“”«» "))
    opener = _REPORTED_OPENER.get(language, _REPORTED_OPENER["en"])
    handles = [m.group(0) for p in passages for m in _HANDLE.finditer(p.text)]
    if len(set(handles)) == 1:  # one author's post: say whose
        opener = _POSTED_OPENER.get(language, _POSTED_OPENER["en"]).format(handle=handles[0])
    elif not handles and any(_HASHTAG.search(p.text) for p in passages):  # a post, its author unnamed
        opener = _POST_OPENER.get(language, _POST_OPENER["en"])
    first = fold(text.split(" ", 1)[0].strip("\"'“‘«"))
    named = {fold(w)[:4] for p in passages for w in _TOKEN.findall(p.text) if w[:1].isupper()}
    if is_stop_word(first, language) or (passages and first[:4] not in named):
        text = text[0].lower() + text[1:]
    return opener + text


def _sentences(text: str) -> list[str]:
    return sentences(text) or [text]


# Where a sentence divides into clauses: a negation in one clause says nothing of the others.
_CLAUSE = re.compile(r"[,;:()\"“”«»]|\b(?:after|as|while|which|who|but|because|although|alors que|après|"
                     r"tandis que|mais|qui|car|dont|lorsque)\b", re.IGNORECASE)


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if len(_tokens(c)) >= 2] or [text]


def _added_words(line: str, texts: Sequence[str], language: str) -> list[str]:
    """The line's own words, when its passages are in its language and it brings ADDED_WORDS of
    them making ADDED_SHARE of its words; else none. Names are checked on their own."""
    if not texts or any(guess_language(t) != language for t in texts):
        return []
    given = {w[:5] for t in texts for w in content_words(t, language)}
    own = [w for w in _TOKEN.findall(line) if not w[:1].isupper()]
    said = [fold(w) for w in own if fold(w) in set(content_words(w, language)) and len(w) > 3]
    added = list(dict.fromkeys(w for w in said if w[:5] not in given))
    return added if len(added) >= ADDED_WORDS and len(added) >= ADDED_SHARE * len(said) else []


def _stems(text: str) -> set[str]:
    return {w[:5] for t in _tokens(text) for w in re.split(r"['’-]", t) if len(w) > 3}


def _aligned(line: str, parts: Sequence[str]) -> str:
    """The part the line rewords: the one sharing most words (five-letter stems, so that
    cognates match across languages) for its length."""
    line_words = _stems(line)
    best, best_score = parts[0], -1.0
    for part in parts:
        words = _stems(part)
        score = len(line_words & words) / (1 + len(words) ** 0.5)
        if score > best_score:
            best, best_score = part, score
    return best


def _date_numbers(passages: Sequence[Passage], dates: Sequence[str]) -> set[str]:
    """Day and year numbers of the passages' resolved dates: "Tuesday" licenses "3 February"."""
    out: set[str] = set()
    isos = [d.iso for p in passages for d in p.dates] + list(dates)
    for iso in isos:
        parts = iso.split("-")
        out.add(parts[0])
        if len(parts) == 3:
            out.add(str(int(parts[2])))
    return out


def _overlap(a: str, b: str) -> bool:
    """Two ISO dates of any precision that can be the same day ("2011-02" and "2011-02-21")."""
    return a.startswith(b) or b.startswith(a)


# "depuis le 31 mars", "since 31 March", "à partir du 3 mars": what holds from a date on.
_SINCE_BEFORE = re.compile(r"\b(?:depuis|since|dès|à partir d[ue]|from|as of)(?:\s+(?:le|la|l'|the|début|fin|mi-))*\s*$",
                           re.I)


def _same_date(found: ResolvedDate, given: str) -> bool:
    """Whether a date the line gives is one the passages give. A line that writes no year
    ("in February") took one from its reading date: its passage's year is the one meant."""
    if _overlap(found.iso, given):
        return True
    return found.relative and len(found.iso) >= 7 and len(given) >= 7 and _overlap(found.iso[4:], given[4:])


def _planned(iso: str, passages: Sequence[Passage], base: dt.date | None) -> bool:
    """Whether the passages give `iso` as a date still to come (said in the future tense, or
    after their article was published): what the event provides for ("the deal provides for his
    departure in February"), not another event told under this one's date."""
    return any(d.iso == iso and (d.tense == "future" or (base is not None and d.iso > base.isoformat()))
               for p in passages for d in p.dates)


# An unended line this long ran out of room (the wording schema's 320 characters), mid-sentence.
LONG_UNENDED = 280
# A headline longer than this is a paragraph, not a headline; one whose last word keeps less
# than this share of a word of its passage was cut short.
MAX_HEADLINE_WORDS = 30
HEADLINE_CUT_SHARE = 0.7
# Fewer content words than this, from a passage of at least LONG_PASSAGE_WORDS, and a line
# states no whole claim.
MIN_CONTENT_WORDS = 3
# A line worded from passages in its own language that brings this many words of its own, and
# this share of its words, says what they do not (measured on the committed examples' English
# rewordings: at most three, a role and a first name the article gave elsewhere).
ADDED_WORDS = 4
ADDED_SHARE = 0.3
LONG_PASSAGE_WORDS = 8
# A sentence's end: its closing punctuation, then any closing quote or bracket.
_ENDED = re.compile(r"[.!?…][\"'”»’)\]]*\s*$")


def _cut_off(text: str, passages: Sequence[Passage], language: str) -> bool:
    """Whether the line stops mid-sentence ("... calling for the end of President Ali Abdullah
    Sale", "... the militias of Misrata of"): no closing punctuation, and it ends on a comma, a
    function word, or a word its passages only write longer, or it is as long as a worded line
    may be. A whole sentence that only lacks its full stop is not cut off (see `finished`)."""
    if _ENDED.search(text):
        return False
    return len(text) >= LONG_UNENDED or _ends_mid_clause(text, language) or _last_word_cut(text, passages)


# An indefinite article and a word that wants its noun after it: "... denied having left the
# country during a first" (Libya's section line; the passage goes on "apparition"). "The first"
# and "the same" may end a sentence; "a first" all but never does.
_NOUN_WANTED = re.compile(r"\b(?:a|an|un|une)\s+(?:first|second|third|last|next|new|former|premi[eè]re?|"
                          r"derni[eè]re?|prochaine?|nouvel(?:le)?|ancienne?)$", re.I)


def _ends_mid_clause(text: str, language: str) -> bool:
    """Whether the text stops on a comma, a dash or a function word ("... called Libyans to"), or
    on a word that wants its noun ("... during a first")."""
    if re.search(r"[,;:(\-–—]\s*$|\s$", text):
        return True
    if _SAYS_LAST.search(text):
        return False
    tokens = _tokens(text)
    return bool(tokens) and (is_stop_word(tokens[-1], language) or bool(_NOUN_WANTED.search(text.rstrip())))


# "..., sources say": a headline that ends on who says it is whole (the Moscow Times' own title
# ends "..., Reports Say"), though "say" is a stop word.
_SAYS_LAST = re.compile(r",(?:\s+[\w'’-]+){1,4}\s+(?:says?|said|reports?|claims?|dit|disent|affirment)\s*$",
                        re.IGNORECASE)


def _last_word_cut(text: str, passages: Sequence[Passage], share: float = 1.0) -> bool:
    """Whether the line's last word is a word of its passages cut short ("Sale" for "Saleh",
    "inter" for "interview"), keeping at most `share` of it (an ended headline's "Libya" is
    no cut "Libyan")."""
    tokens = _tokens(text)
    last = tokens[-1] if tokens else ""
    written = {t for p in passages for t in _tokens(p.text)}
    return (len(last) >= 2 and last not in written
            and any(t.startswith(last) and len(last) < share * len(t) for t in written))


def _qualifiers_changed(text: str, texts: Sequence[str], skip: Sequence[tuple[int, int]]) -> list[Problem]:
    """A count whose qualifier the line changes: "over 42 years" for "près de 42 ans" (nearly),
    "at least 22" for "22". Dropping a qualifier, or making a plain count "about" so, passes."""
    given: dict[str, list[tuple[str, str] | None]] = {}
    for passage_text in texts:
        for mention in numbers(passage_text):
            given.setdefault(mention.key, []).append(qualifier(passage_text, mention))
    problems = []
    for mention in numbers(text):
        said = qualifier(text, mention)
        if said is None or mention.key not in given or mention.is_year or any(s <= mention.start < e for s, e in skip):
            continue
        theirs = [q for q in given[mention.key] if q is not None]
        if not theirs and said[0] in ("about", "nearly"):
            continue
        if not any(said[0] in COMPATIBLE_QUALIFIERS[q[0]] for q in theirs):
            as_given = f"“{theirs[0][1]} {mention.text}”" if theirs else f"“{mention.text}”, no more, no less"
            problems.append(Problem("number", f"the text does not say “{said[1]} {mention.text}” (it says {as_given})"))
    return problems


# The word prompt's question echoed as the line's opening: "What happened on February 15, 2011:
# The events in Libya ..." (Libya's first entry).
_ECHOED_QUESTION = re.compile(r"^\s*(?:what happened|ce qui s['’]est passé)\s+(?:on|in|le|en)\s+[^:.]{3,40}:\s*",
                              re.IGNORECASE)


def without_echoed_question(text: str) -> tuple[str, str | None]:
    """`text` without the prompt's question it opens on, and the words taken off."""
    match = _ECHOED_QUESTION.match(text)
    if match is None or not text[match.end():].strip():
        return text, None
    rest = text[match.end():]
    return rest[:1].upper() + rest[1:], match.group(0).strip()


# A wire title's attribution copied onto a line: "... met Russian officials on Tuesday - Reuters."
# (the seed's Reuters title ends "... mardi - sources").
_WIRE_TAIL = re.compile(r"\s+[-–—]\s+((?:[A-Z][\w'’&-]*|sources?)(?:\s+[A-Z][\w'’&-]*){0,2})\s*([.!?]?)\s*$")
_ACCORDING_TO = {"en": ", according to {who}", "fr": ", selon {who}"}
_SAY_SO = {"en": ", {who} {say}", "fr": ", selon {who}"}


def without_wire_tail(text: str, language: str, passages: Sequence[Passage], headline: bool = False,
                      ) -> tuple[str, str | None]:
    """`text` with a trailing " - Reuters" or " - sources" said as a sentence says it (",
    according to Reuters."), or a headline (", sources say"), and the tail it had. A name must
    be one its passages write ("sources" may stand for the "elles" of "ont-elles dit")."""
    match = _WIRE_TAIL.search(text)
    if match is None or not text[:match.start()].strip():
        return text, None
    written = {fold(w).rstrip("s") for p in passages for w in _TOKEN.findall(p.text)}
    who = match.group(1)
    if who.lower() not in ("source", "sources") and not all(
            fold(w).rstrip("s") in written and weekday_number(w) is None and month_number(w) is None
            for w in who.split()):
        return text, None
    head = text[:match.start()].rstrip(" ,;:")
    tail = text[match.start():match.start(2)].strip()  # without the line's own full stop
    if headline:
        say = "say" if who.lower() == "sources" else "says"
        return head + _SAY_SO.get(language, _SAY_SO["en"]).format(who=who, say=say), tail
    return head + _ACCORDING_TO.get(language, _ACCORDING_TO["en"]).format(who=who) + (match.group(2) or "."), tail


# The part of a day a weekday may be followed by: "on Tuesday evening" is "on the evening of March
# 22", "mardi soir" is "le 22 mars au soir".
_DAY_PART = {"en": re.compile(r"^[^\S\n]+(night|evening|morning|afternoon)\b", re.I),
             "fr": re.compile(r"^[^\S\n]+(soir|matin)\b", re.I)}


def name_the_days(text: str, language: str, passages: Sequence[Passage], base: dt.date | None,
                  ) -> tuple[str, list[tuple[str, str]]]:
    """`text` with each weekday its passages date ("killed on Thursday", read against the article's
    `base` date) said as that date ("killed on October 20"), and each (weekday, date) so written. A
    brief is read after its articles' week: its "Thursday" is no day a reader can place, and
    the headline that said it gave no date at all."""
    if base is None or language not in ("en", "fr"):
        return text, []
    days = {d.iso for p in passages for d in p.dates if d.precision == "day"}
    mended: list[tuple[str, str]] = []
    for found in sorted(resolve_dates(text, base, language), key=lambda d: -d.start):
        said = text[found.start:found.end]
        if not found.relative or found.precision != "day" or found.iso not in days or \
                weekday_number(said, language) is None:
            continue
        day = dt.date.fromisoformat(found.iso[:10])
        date = f"{month_name(day.month, language)} {day.day}" if language == "en" else \
            f"{day.day} {month_name(day.month, language).lower()}"
        if day.year != base.year:
            date += f", {day.year}" if language == "en" else f" {day.year}"
        part = _DAY_PART[language].match(text[found.end:])
        end = found.end + (part.end() if part else 0)
        if part:
            date = f"the {part.group(1).lower()} of {date}" if language == "en" else f"{date} au {part.group(1)}"
        if language == "fr" and not re.search(r"\b(?:le|ce|du|au)\s*$", text[:found.start], re.I):
            date = "le " + date
        if found.start == 0 or re.search(r"[.!?]\s*$", text[:found.start]):
            date = date[0].upper() + date[1:]
        text = text[:found.start] + date + text[end:]
        mended.append((said + (part.group(0) if part else ""), date))
    return text, mended[::-1]


def finished(text: str) -> str:
    """The line with its full stop: the model sometimes leaves it off a whole sentence."""
    return text if _ENDED.search(text) else text.rstrip() + "."


def check_line(text: str | None, passages: Sequence[Passage], language: str, base: dt.date | None = None,
               dates: Sequence[str] = (), event: str | None = None, headline: bool = False) -> list[Problem]:
    """Every way `text` says more than, or other than, `passages`; empty when it passes.

    `dates`: ISO dates the line may also give; `base`: the publication date relative dates in
    the line are read against; `event`: a timeline entry's date, the only one its line may
    tell of (a passage that dates two events must not have the other one told under it);
    `headline`: the line is a headline, which need not end as a sentence does.
    """
    if not text or len(_tokens(text)) < 3:
        return [Problem("missing", "no sentence was written for this text")]
    problems: list[Problem] = []
    if headline and (len(_tokens(text)) > MAX_HEADLINE_WORDS or len(_sentences(text)) > 1):
        # The model once wrote three sentences and stopped at "... in a television inter."
        problems.append(Problem("cut", f"a headline is one sentence of at most {MAX_HEADLINE_WORDS} words"))
    elif headline and ((not _ENDED.search(text) and _ends_mid_clause(text, language))
                       or _last_word_cut(text, passages, HEADLINE_CUT_SHARE)):
        # Libya's shipped headline: "Muammar Kadhafi, the former Libyan leader, called Libyans to".
        problems.append(Problem("cut", "the headline is cut off: end it"))
    elif not headline and _cut_off(text, passages, language):
        problems.append(Problem("cut", "the sentence is cut off: end it"))
    elif (len(content_words(text, language)) < MIN_CONTENT_WORDS
          and min((len(content_words(p.text)) for p in passages), default=0) >= LONG_PASSAGE_WORDS):
        # "On this day, the slogans.": a re-worded line that kept the setting of a long passage
        # and lost its claim ("The Elysée did not confirm it." may well say all a short one does).
        problems.append(Problem("cut", "the sentence says nothing whole: say who did what"))
    if leans_on_context(text, language):
        # "took this picture", "provided by this source": the brief has no picture, and its
        # "this source" would read as the cited article.
        problems.append(Problem("context", "the sentence points at a picture or a source the brief does not have: "
                                "say what happened, and who says so"))
    if _FOREIGN_SCRIPT.search(text):
        problems.append(Problem("script", "the sentence drifts into another script"))
    other = _OTHER_LANGUAGE.get(language)
    # An acronym is no word of the other language: "UN" is the United Nations, not "un".
    foreign = [fold(t) for t in _TOKEN.findall(text) if other and len(t) > 1 and not t.isupper()
               and is_stop_word(fold(t), other) and not is_stop_word(fold(t), language)]
    if len(foreign) >= 2:
        problems.append(Problem("language", f"the sentence is not all in the brief's language ({', '.join(foreign[:4])})"))
    texts = [p.text for p in passages]
    added = _added_words(text, texts, language)
    if added:
        # Worded from a title's seven words, "Michael Jackson, a renowned doctor, was sentenced to
        # four years in prison for his alleged involvement in a drug deal" (the verifier passed it).
        problems.append(Problem("added", f"the text does not say {', '.join(f'“{w}”' for w in added[:5])}: "
                                "say only what it says"))
    misread: set[str] = set()  # words a sense problem already names; no role problem repeats them
    for text_of_passage in texts:
        # "militants" for "militants" reads as armed men: the passage's word means activists.
        for gloss, used in look_alikes(text, text_of_passage, guess_language(text_of_passage), language):
            problems.append(Problem("sense", f"“{gloss.written}” means “{gloss.meaning}” here, not “{used}”"))
            misread.update(_tokens(used))
    # "Moscow" for "la capitale russe", "the United Kingdom" for "la Grande-Bretagne".
    vocab = _vocabulary(texts) | implied_names(texts)
    names = names_in(text)
    missing = [n for n in names if not _name_supported(n, vocab)]
    if missing:
        problems.append(Problem("name", f"the text does not name {', '.join(missing)}"))
    swapped = _swapped_people(text, texts)
    if swapped:
        problems.append(Problem("swap", f"the text names {swapped[1]} where the sentence names {swapped[0]} again: "
                                "keep who did what"))
    for name in _article_dropped(text, names, texts):
        problems.append(Problem("name", f"write “{name}” as the text does"))
    line_dates = resolve_dates(text, base, language)
    leaning = back_reference(text, language)
    # A timeline entry's "this day" is the date it stands under.
    if leaning and (len(names) < 2 if leaning[0] == "group" else not line_dates and not event):
        # "Activists from both countries ..." opened a Yemen section: which two, the brief never said.
        problems.append(Problem("context", f"“{leaning[1]}” points at what its article said before: say which "
                                + ("day" if leaning[0] == "day" else "ones")))
    written = [n for t in texts for n in numbers(t)]
    allowed_numbers = {n.key for n in written} | _date_numbers(passages, dates)
    skip = [(d.start, d.end) for d in line_dates]
    extra = [n.text for n in numbers(text) if n.key not in allowed_numbers and not any(s <= n.start < e for s, e in skip)]
    if extra:
        # Say the counts the text does give, as it writes them ("des centaines"): the re-ask keeps them.
        given = list(dict.fromkeys(n.text for n in written if not n.is_year))[:4]
        problems.append(Problem("number", f"the text does not give the number {', '.join(f'“{n}”' for n in extra)}"
                                + (f" (it says {', '.join(f'“{n}”' for n in given)})" if given else "")))
    problems += _qualifiers_changed(text, texts, skip)
    given = [d.iso for p in passages for d in p.dates] + list(dates)
    since = {d.iso: d.expression for p in passages for d in p.dates if _SINCE_BEFORE.search(p.text[:d.start])}
    for found in line_dates:
        matches = [g for g in given if _same_date(found, g)]
        if not matches:
            problems.append(Problem("date", f"the text does not give the date “{found.expression}”"))
        elif all(g in since for g in matches) and not _SINCE_BEFORE.search(text[:found.start]):
            # Libya: "L'Otan dirige depuis le 31 mars l'intervention" became "NATO is directing
            # an intervention in Libya on March 31": names, numbers and the date all survive.
            problems.append(Problem("date", f"the text says since {since[matches[0]]}, not on it: keep “since”"))
        elif event and not any(_overlap(g, event) or _planned(g, passages, base) for g in matches):
            problems.append(Problem("date", f"“{found.expression}” is another date: say only what happened then"))
    line_tokens = _tokens(text)
    passage_tokens = sorted(vocab)
    for forms in _roles(line_tokens):
        if not _role_given(forms, passage_tokens):
            said = next(t for t in line_tokens if t in forms)
            if said in misread:
                continue
            # Name the roles the text does give: the re-ask has then something to keep.
            given = [t for t in dict.fromkeys(passage_tokens) if _roles([t])][:3]
            problems.append(Problem("role", f"the text does not call anyone “{said}”"
                                    + (f" (it says {', '.join(f'“{t}”' for t in given)})" if given else "")))
    sentences = [s for p in passages for s in _sentences(p.text)]
    clause = _aligned(text, [c for s in sentences for c in _clauses(s)])
    if is_negated(clause) and not is_negated(text):
        problems.append(Problem("negation", "the text says the opposite: keep its negation (not, neither, no)"))
    elif is_negated(text) and not any(is_negated(s) for s in sentences):
        problems.append(Problem("negation", "the text has no negation; do not add one"))
    rewords = _aligned(text, sentences)
    passive = _PASSIVE_FR if any(guess_language(p.text) == "fr" for p in passages) else _BY
    if _PASSIVE_BY.search(text) and not passive.search(rewords):
        # "Les manifestants d'Idlib ont marqué leur solidarité" became "Idlib has been marked by
        # the solidarity of protesters"; "Dr Conrad Murray ... has defended his actions" became
        # "Michael Jackson's defense of his actions ... was reported by Conrad Murray".
        problems.append(Problem("voice", "the text says who did it first: keep its doer as the sentence's "
                                "subject, as the text does"))
    if _CONDITIONAL_FR.search(rewords) and not _MOOD_KEPT.search(text):
        # The seed's "il serait pertinent de dialoguer à nouveau" became "it was important to find
        # a new dialogue framework": names, numbers and dates survive a lost conditional.
        problems.append(Problem("mood", "the text says it would be (a conditional): keep it "
                                "(would, could, should, reportedly)"))
    if (_REPORTED.search(rewords) or _mostly_quoted(rewords)) and not is_hedged(text):
        problems.append(Problem("hedge", "the text only reports this (sources, reportedly, according to); "
                                "say who reports it"))
    return problems


def _says_the_quotation(line: str, sentence: str) -> bool:
    """Whether the line rewords the quoted words of the sentence rather than the words around
    them: "The Elysée neither confirmed nor denied the information" tells the frame of "L'Elysée
    n'a ni confirmé ni démenti l'information, déclarant: « ... »", and is no quotation."""
    words = _stems(line)
    quoted = _stems(" ".join(m.group(0) for m in _QUOTATION.finditer(sentence)))
    return len(words & quoted) >= len(words & _stems(_QUOTATION.sub(" ", sentence)))


def _mostly_quoted(sentence: str) -> bool:
    """Whether most of the sentence is someone's words in quotation marks (a slogan, a chant, a
    statement): a line that says them says them as theirs, not as the brief's."""
    quoted = sum(len(m.group(0)) for m in _QUOTATION.finditer(sentence))
    return quoted >= 0.5 * len(sentence.strip())


def copied_span(text: str, passage: Passage, share: float = 0.8, minimum: int = 6) -> tuple[int, int] | None:
    """The span of `passage.text` that `text` copies word for word, or None.

    A copy is a run of at least `minimum` words, covering at least `share` of the line's
    words, that the passage has in the same order.
    """
    line = _tokens(text)
    found = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(passage.text)]
    words = [w for _, _, w in found]
    if not line or not words:
        return None
    match = SequenceMatcher(None, line, words, autojunk=False).find_longest_match(0, len(line), 0, len(words))
    if match.size < minimum or match.size < share * len(line):
        return None
    start, end = found[match.b][0], found[match.b + match.size - 1][1]
    # "visit coincided with ...": a copy that left out a sentence's first words ("The reported")
    # is quoted from the sentence's start. A date before it is another matter (see the summariser).
    opening = max((s for s, _ in sentence_spans(passage.text) if s <= start), default=0)
    skipped = passage.text[opening:start]
    dated = re.search(r"\d", skipped) or any(month_number(w, strict=True) or weekday_number(w) for w in _tokens(skipped))
    if passage.text[start:start + 1].islower() and len(_tokens(skipped)) <= MAX_SKIPPED_WORDS and not dated:
        start = opening
    closing = re.match(r"[.!?…\"”»’)]*", passage.text[end:])
    return start, end + (closing.end() if closing else 0)


# A copy that skips at most this many words of its sentence's start is quoted whole.
MAX_SKIPPED_WORDS = 3


def find_copy(text: str, passages: Sequence[Passage], share: float = 0.8) -> tuple[Passage, tuple[int, int]] | None:
    """The first of `passages` that `text` copies word for word, and the span it copies.

    Passages that lack too many of the line's words are skipped before the slower alignment,
    so a whole cluster can be searched."""
    words = set(_tokens(text))
    for passage in passages:
        if len(words & set(_tokens(passage.text))) < share * len(words):
            continue
        span = copied_span(text, passage, share)
        if span is not None:
            return passage, span
    return None
