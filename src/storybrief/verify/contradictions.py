"""Contradictions: facts a claim states that the passages about the same event state otherwise.

Each check reads one kind of fact a reader acts on, in English and French, and compares it
across languages through shared names, numbers and dates:

role      a person's role or title ("Bonne, the French ambassador" / "Emmanuel Bonne,
          conseiller diplomatique");
agent     whose role it is, or who did what ("Michael Jackson's lawyer" / "Lawyers for Dr
          Conrad Murray"; "A arrested B" / "B arrested A");
event     how it happened ("killed by a bomb" / "tué par balle");
number    a count of the same thing ("11 killed" / "5 morts");
place     where it happened ("in Sanaa" / "à Aden"), when the cited sources never name the
          claim's place;
negation  the same statement with and without a negation (not/no/never; ne...pas, ni...ni,
          aucun).

Dates are compared in checks.py (they need the resolved dates of passages). A check that
cannot find the fact on both sides says nothing: silence is not support.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from storybrief.models import ContradictionKind, Passage
from storybrief.text import ALL_STOP_WORDS, fold, month_number, numbers, weekday_number, words
from storybrief.verify.facts import content_stems, name_present, names_in, same_name

__all__ = ["Found", "find_contradictions", "aligned", "negated", "role_facts", "RoleFact"]


@dataclass(frozen=True)
class Found:
    kind: ContradictionKind
    claim: str
    source: str
    passage: Passage


# --------------------------------------------------------------------------- vocabularies


def _table(groups: dict[str, str]) -> dict[str, str]:
    return {fold(w): concept for concept, ws in groups.items() for w in ws.split()}


_ROLES = _table({
    "ambassador": "ambassador ambassadors ambassadeur ambassadrice",
    "adviser": "adviser advisor aide conseiller conseillère counsellor counselor",
    "envoy": "envoy emissary émissaire envoyé",
    "minister": "minister ministre",
    "secretary": "secretary secrétaire",
    "president": "president présidente président",
    "prime-minister": "premier",
    "spokesperson": "spokesman spokeswoman spokesperson porte-parole",
    "lawyer": "lawyer lawyers attorney attorneys avocat avocats avocate",
    "doctor": "doctor physician médecin docteur",
    "prosecutor": "prosecutor procureur",
    "judge": "judge juge",
    "journalist": "journalist reporter journaliste",
    "mayor": "mayor maire",
    "governor": "governor gouverneur",
    "king": "king roi",
    "senator": "senator sénateur",
    "general": "colonel",
})
# Roles one person can hold at once, or that sources use for one another.
_COMPATIBLE = {frozenset(p) for p in (("minister", "secretary"), ("president", "prime-minister"))}
_MEANS = _table({
    "explosion": "bomb bombs bombing bombe bombes explosion explosions blast explosive explosif attentat",
    "gunfire": "shot shooting shootings gunfire gunshot bullet bullets balle balles fusillade tir tirs abattu "
               "sniper snipers gunman gunmen",
    "stabbing": "stabbed stabbing knife couteau poignardé",
    "air strike": "airstrike airstrikes strike strikes bombardement bombardements frappe frappes raid raids",
})
_HARM = frozenset(fold(w) for w in """killed killing kill died dead death deaths wounded injured injuring hurt
    tué tués tuée tuant mort morts morte décès blessé blessés blessant victime victimes""".split())
_COUNTED = _table({
    "dead": "killed killing dead deaths died death tués tuant morts mort victimes",
    "injured": "injured injuring wounded blessés blessant blessées",
    "soldiers": "soldiers troops soldats militaires",
    "protesters": "protesters demonstrators manifestants",
    "people": "people personnes",
    "arrested": "arrested detained arrêtés interpellés détenus",
})
_LOCATIVE = re.compile(r"\b(?:in|at|à|au|aux|en|near|près de)\s+(?P<place>[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)?)")
_POSSESSIVE = re.compile(r"(?P<owner>[A-ZÀ-Ý][\w-]+)['’]s\s+(?:\w+\s+){0,2}?(?P<role>\w+)")
_ROLE_OF = re.compile(r"(?P<role>\w+)\s+(?:for|of|de|du|pour)\s+(?:the\s+|le\s+|la\s+)?(?:Dr\.?\s+|Mr\.?\s+|Mme\s+)?"
                      r"(?P<owner>[A-ZÀ-Ý][\w-]+(?:\s+[A-ZÀ-Ý][\w-]+)*)")
_TOKEN = re.compile(r"\w+(?:['’‑-]\w+)*|[^\w\s]")
_PASSIVE = frozenset({"by", "par"})


def negated(text: str) -> bool:
    """True when text negates its statement: not/no/never/neither..., or in French ne/n'
    with pas/plus/jamais/rien/personne/aucun/guère/point, ni...ni, aucun, jamais, sans."""
    tokens = words(text, compounds="parts")
    english = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without"}
    if english & set(tokens):
        return True
    french = {"pas", "plus", "jamais", "rien", "personne", "aucun", "aucune", "guere", "point", "ni"}
    for i, tok in enumerate(tokens):
        if tok in ("ne", "n") and french & set(tokens[i + 1:i + 5]):
            return True
    return tokens.count("ni") >= 2 or bool({"aucun", "aucune", "jamais"} & set(tokens))


# --------------------------------------------------------------------------- roles


@dataclass(frozen=True)
class RoleFact:
    """A role the text gives: its holder's surname (folded) and/or whose role it is."""

    role: str
    text: str
    holder: str | None
    owner: str | None


def _name_runs(tokens: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Runs of capitalised tokens (a name), as token index ranges; role words are not names."""
    runs, start = [], None
    for i, tok in enumerate(tokens + [None]):  # type: ignore[operator]
        word = tok.group(0) if tok is not None else ""
        is_name = bool(word) and word[0].isupper() and word[:1].isalpha() and fold(word) not in _ROLES \
            and fold(word) not in ALL_STOP_WORDS
        if is_name and start is None:
            start = i
        elif not is_name and start is not None:
            runs.append((start, i))
            start = None
    return runs


def role_facts(text: str) -> list[RoleFact]:
    """The roles text gives people: "Emmanuel Bonne, the French ambassador", "French diplomatic
    adviser Emmanuel Bonne", "Michael Jackson's lawyer", "Lawyers for Dr Conrad Murray"."""
    tokens = list(_TOKEN.finditer(text))
    facts: list[RoleFact] = []
    for start, end in _name_runs(tokens):
        holder = fold(tokens[end - 1].group(0))
        # a role just before the name, with no punctuation between: "adviser Emmanuel Bonne"
        for k in range(start - 1, max(-1, start - 5), -1):
            word = tokens[k].group(0)
            if not word[:1].isalnum():
                break
            if fold(word) in _ROLES:
                facts.append(RoleFact(_ROLES[fold(word)], word, holder, None))
                break
        # an apposition: "Emmanuel Bonne, the French ambassador to Russia,"
        if end < len(tokens) and tokens[end].group(0) == ",":
            for k in range(end + 1, min(len(tokens), end + 7)):
                word = tokens[k].group(0)
                if not word[:1].isalnum():
                    break
                if fold(word) in _ROLES:
                    facts.append(RoleFact(_ROLES[fold(word)], text[tokens[end + 1].start():tokens[k].end()], holder, None))
                    break
    for m in _POSSESSIVE.finditer(text):
        if fold(m.group("role")) in _ROLES:
            facts.append(RoleFact(_ROLES[fold(m.group("role"))], m.group(0), None, fold(m.group("owner"))))
    for m in _ROLE_OF.finditer(text):
        if fold(m.group("role")) in _ROLES:
            owner = fold(m.group("owner").split()[-1])
            facts.append(RoleFact(_ROLES[fold(m.group("role"))], m.group(0), None, owner))
    return facts


def _compatible(a: str, b: str) -> bool:
    return a == b or "envoy" in (a, b) or frozenset((a, b)) in _COMPATIBLE


# Every claim is compared with the roles of the whole cluster: they are read once per cluster
# (its texts are the key), not once per claim.
@lru_cache(maxsize=1)
def _held_roles(texts: tuple[str, ...]) -> tuple[tuple[str, RoleFact, int], ...]:
    """The roles the texts give a named holder: the holder, the role, the index of its text."""
    return tuple((f.holder, f, i) for i, text in enumerate(texts) for f in role_facts(text) if f.holder is not None)


def _role_conflicts(claim: str, cited: Sequence[Passage], cluster: Sequence[Passage],
                    closest: Sequence[Passage]) -> list[Found]:
    found: list[Found] = []
    claimed = role_facts(claim)
    held = _held_roles(tuple(p.text for p in cluster)) if any(f.holder is not None for f in claimed) else ()
    for fact in claimed:
        if fact.holder is not None:
            given = [(f, cluster[i]) for holder, f, i in held if same_name(holder, fact.holder)]
            if given and not any(_compatible(f.role, fact.role) for f, _ in given):
                f, p = next(((f, p) for f, p in given if p in cited), given[0])
                found.append(Found("role", fact.text, f.text, p))
        if fact.owner is not None:
            # whose role: the cited passages, or the passage closest to the claim, name another owner and none this one
            owners = [(f, p) for p in [*cited, *closest] for f in role_facts(p.text)
                      if f.role == fact.role and f.owner is not None]
            if owners and not any(f.owner is not None and same_name(f.owner, fact.owner) for f, _ in owners):
                f, p = owners[0]
                found.append(Found("agent", fact.text, f.text, p))
    return found


# --------------------------------------------------------------------------- alignment


def _anchors(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Names, numbers and long word stems: what survives translation."""
    stems = frozenset(s for s in content_stems(text) if len(s) == 5)
    return frozenset(names_in(text)), frozenset(n.key for n in numbers(text) if not n.is_year), stems


def _shared(a: tuple, b: tuple) -> int:
    names = sum(1 for n in a[0] if any(same_name(n, m) for m in b[0]))
    return names + len(a[1] & b[1]) + len(a[2] & b[2])


def aligned(claim: str, passages: Sequence[Passage], minimum: int) -> list[Passage]:
    """The passages about the claim's event: those sharing the most anchors with it (names,
    numbers, word stems; at least `minimum`), best first."""
    mine = _anchors(claim)
    scored = [(_shared(mine, _anchors(p.text)), p) for p in passages]
    best = max((n for n, _ in scored), default=0)
    if best < minimum:
        return []
    return [p for n, p in sorted(scored, key=lambda x: -x[0]) if n == best]


# --------------------------------------------------------------------------- events and numbers


def _concepts(tokens: Sequence[str], table: dict[str, str]) -> dict[str, str]:
    return {table[t]: t for t in tokens if t in table}


def _event_conflicts(claim: str, about: Sequence[Passage]) -> list[Found]:
    tokens = words(claim, compounds="parts")
    if not _HARM & set(tokens):
        return []
    means = _concepts(tokens, _MEANS)
    if not means:
        return []
    for p in about:
        ptokens = words(p.text, compounds="parts")
        theirs = _concepts(ptokens, _MEANS)
        if _HARM & set(ptokens) and theirs and not set(theirs) & set(means):
            return [Found("event", ", ".join(means.values()), ", ".join(theirs.values()), p)]
    return []


def _counts(text: str) -> dict[str, set[str]]:
    """Counted things: {"dead": {"11"}, "injured": {"78"}} from "killing 11 people and injuring 78"."""
    out: dict[str, set[str]] = {}
    for n in numbers(text):
        if n.time is not None or n.is_year:
            continue
        after = words(text[n.end:n.end + 40], compounds="parts")[:3]
        before = words(text[max(0, n.start - 25):n.start], compounds="parts")[-2:]
        for t in after + before[::-1]:
            if t in _COUNTED:
                out.setdefault(_COUNTED[t], set()).add(n.key)
                break
    return out


def _number_conflicts(claim: str, about: Sequence[Passage]) -> list[Found]:
    mine = _counts(claim)
    for p in about:
        theirs = _counts(p.text)
        for thing, values in mine.items():
            if thing in theirs and not values & theirs[thing] and not values & {n.key for n in numbers(p.text)}:
                return [Found("number", f"{', '.join(sorted(values))} {thing}",
                              f"{', '.join(sorted(theirs[thing]))} {thing}", p)]
    return []


def _places(text: str) -> list[tuple[str, str]]:
    """(folded last word, as written) of each place after a locative ("in Sanaa", "à Aden")."""
    out = []
    for m in _LOCATIVE.finditer(text):
        last = fold(m.group("place").split()[-1])
        if last not in ALL_STOP_WORDS and month_number(last) is None and weekday_number(last) is None:
            out.append((last, m.group("place")))
    return out


def _place_conflicts(claim: str, cluster_names: frozenset[str], about: Sequence[Passage]) -> list[Found]:
    """A place no source names in any form, where the passages about the event name another."""
    claimed = {n for n in names_in(claim)}
    for place, written in _places(claim):
        if name_present(place, cluster_names):
            continue
        for p in about:
            theirs = [(f, w) for f, w in _places(p.text) if not any(same_name(f, n) for n in claimed)]
            if theirs:
                return [Found("place", written, theirs[0][1], p)]
    return []


def _agent_swaps(claim: str, about: Sequence[Passage]) -> list[Found]:
    """ "A <verb> B" in the claim, "B <verb> A" in the passage (no passive "by"/"par" between)."""
    names = names_in(claim)
    if len(names) < 2:
        return []
    folded = words(claim, compounds="parts")
    for p in about:
        ptoks = words(p.text, compounds="parts")
        for a in names:
            for b in names:
                if a == b or a not in folded or b not in folded or a not in ptoks or b not in ptoks:
                    continue
                i, j = folded.index(a), folded.index(b)
                k, m = ptoks.index(a), ptoks.index(b)
                if not (i < j <= i + 5 and m < k <= m + 5):  # one short clause each: "A <verb> B", "B <verb> A"
                    continue
                mine = {t[:5] for t in folded[i + 1:j] if len(t) > 3 and t not in ALL_STOP_WORDS and t not in names}
                between = ptoks[m + 1:k]
                theirs = {t[:5] for t in between if len(t) > 3 and t not in ALL_STOP_WORDS and t not in names}
                # the same words between the two names, in the other order, not in the passive
                if mine and mine == theirs and a + " " + b not in " ".join(ptoks) \
                        and not _PASSIVE & set(between) and not _PASSIVE & set(folded[i + 1:j]):
                    return [Found("agent", " ".join(folded[i:j + 1]), " ".join(ptoks[m:k + 1]), p)]
    return []


def _aligned_span(claim: str, text: str) -> str:
    """The part of text that says what the claim says: the claim-long window holding most of its
    content words, with the three words before it (where a negation sits). A "not" elsewhere
    in a long sentence negates something else."""
    claim_tokens = words(claim, compounds="parts")
    mine = {w for w in claim_tokens if len(w) > 3 and w not in ALL_STOP_WORDS}
    tokens = words(text, compounds="parts")
    size = len(claim_tokens) + 2
    hit = [t in mine for t in tokens]
    if not any(hit):
        return text
    # the window as long as the claim that holds most of its words
    start = max(range(max(1, len(tokens) - size + 1)), key=lambda i: sum(hit[i:i + size]))
    return " ".join(tokens[max(0, start - 3):start + size])


def find_contradictions(claim: str, cited: Sequence[Passage], cluster: Sequence[Passage], *,
                        cluster_names: frozenset[str], minimum_anchors: int, same_language_best: Passage | None = None,
                        same_language_coverage: float = 0.0, negation_alignment: float = 1.0,
                        closest: Sequence[Passage] = ()) -> list[Found]:
    """Every contradiction between the claim and its cited passages (roles also against the
    cluster: a person's role is a fact about them, wherever it is given; whose role it is also
    against `closest`, the passages of the cluster that say most nearly what the claim says)."""
    about = aligned(claim, cited, minimum_anchors)
    found = _role_conflicts(claim, cited, cluster, closest)
    found += _event_conflicts(claim, about)
    found += _number_conflicts(claim, about)
    found += _place_conflicts(claim, cluster_names, about)
    found += _agent_swaps(claim, about)
    if same_language_best is not None and same_language_coverage >= negation_alignment:
        if negated(claim) != negated(_aligned_span(claim, same_language_best.text)):
            said = "negates it" if negated(same_language_best.text) else "states it"
            found.append(Found("negation", "negates it" if negated(claim) else "states it", said,
                               same_language_best))
    seen, unique = set(), []
    for f in found:
        if (f.kind, f.claim) not in seen:
            seen.add((f.kind, f.claim))
            unique.append(f)
    return unique
