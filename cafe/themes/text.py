"""Pure: words of short notes in English, German, French and Spanish, ready for matching and counting.

A note's words are kept twice: the surface form as typed (for display) and a
folded form (lowercase, accents stripped) that is stemmed for matching. Stop
words come from the shipped lists in `cafe/data/stopwords`; flag words for
moderation from `cafe/data/flagwords`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from cafe.themes.stemming import stem

LANGUAGES = ("en", "de", "fr", "es")
KINDS = ("stopwords", "flagwords")

# URLs and e-mail addresses say nothing about a theme, and their pieces ("https", "www") would
# otherwise look like words shared by every note that has a link.
URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
# Letters and digits (any script), optionally joined by an apostrophe: "can't", "l'étranger".
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
APOSTROPHE = re.compile(r"['’]")
# French (and Italian-style) elided articles and pronouns: the word is what follows the apostrophe.
ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"})


def load_words(kind: str, language: str) -> frozenset[str]:
    """The shipped list of `kind` ("stopwords" or "flagwords") for a language, as written (lowercase)."""
    if kind not in KINDS or language not in LANGUAGES:
        raise ValueError(f"no {kind!r} list for language {language!r}")
    return _load(kind, language)


@lru_cache(maxsize=None)
def _load(kind: str, language: str) -> frozenset[str]:
    """One list file's entries: comment lines and blank lines skipped."""
    text = resources.files("cafe").joinpath("data", kind, f"{language}.txt").read_text(encoding="utf-8")
    lines = (line.strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=None)
def folded_stopwords(language: str) -> frozenset[str]:
    """A language's stop words folded, so that "über" also catches a typed "uber"."""
    return frozenset(fold(word) for word in load_words("stopwords", language))


@lru_cache(maxsize=None)
def all_stopwords() -> frozenset[str]:
    """The folded stop words of all four languages together."""
    return frozenset().union(*(folded_stopwords(language) for language in LANGUAGES))


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lowercase and strip accents, so "Données" and "donnees" match (ß becomes ss)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[tuple[str, str]]:
    """Every word of a text as (surface, folded), one-letter and stop words included, URLs left out."""
    # Both forms are kept: the folded one to match and stem, the surface one to show
    found: list[tuple[str, str]] = []
    for match in WORD.finditer(URL.sub(" ", text)):
        token = match.group()
        if "'" in token or "’" in token:
            parts = APOSTROPHE.split(token)
            # "l'étranger" is "étranger"; English "can't", "it's", "RSE's" keep the part before
            if fold(parts[0]) in ELISIONS:
                del parts[0]
            token = parts[0]
        if token[0].isnumeric():
            # "2yr", "4TB": the number is noise, the unit may not be; numbers alone are dropped
            token = token[next((k for k, ch in enumerate(token) if not ch.isnumeric()), len(token)):]
            if not token:
                continue
        # A capital that only opens the note says nothing about how the word is usually written
        surface = token.lower() if not found and token[0].isupper() and token[1:].islower() else token
        # "GPUs", "RSEs": a plural acronym matches its singular, which no stemmer can tell from "status"
        singular = token[:-1] if len(token) > 2 and token[-1] == "s" and token[:-1].isupper() else token
        found.append((surface, fold(singular)))
    return found


def tokenise(text: str) -> list[str]:
    """The words of a text as typed, without URLs, numbers or one-letter tokens."""
    return [surface for surface, folded in words(text) if len(folded) > 1]


def detect_language(text: str) -> str:
    """The language whose stop words a text uses most; English when none stands out."""
    return _language([folded for _, folded in words(text)])


@lru_cache(maxsize=None)
def _stop_languages() -> dict[str, tuple[int, ...]]:
    """Each folded stop word and the languages (by index) whose list has it."""
    table: dict[str, tuple[int, ...]] = {}
    for index, language in enumerate(LANGUAGES):
        for word in folded_stopwords(language):
            table[word] = (*table.get(word, ()), index)
    return table


def _language(folded: Iterable[str]) -> str:
    """The language with the most stop word hits among folded words."""
    hits = [0] * len(LANGUAGES)
    table = _stop_languages()
    for word in folded:
        for index in table.get(word, ()):
            hits[index] += 1
    return LANGUAGES[hits.index(max(hits))]  # a tie goes to the earlier: English first


def content_words(text: str, *, stop: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """A note's (stem, surface) pairs without stop words: of its own language, or of `stop` when given."""
    found = words(text)
    language = _language([folded for _, folded in found])
    stopwords = folded_stopwords(language) if stop is None else stop
    return [(stem(folded, language), surface) for surface, folded in found
            if len(folded) > 1 and folded not in stopwords]


def word_counts(texts: Iterable[str], *, limit: int = 100) -> list[tuple[str, int]]:
    """The most frequent content words across texts, for a word cloud: forms of one stem counted together."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for key, surface in content_words(text, stop=all_stopwords()):
            counts[key] += 1
            forms.setdefault(key, Counter())[surface] += 1
    # Ties go to the form seen first, and then to the stem that came first, so the cloud is stable
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    return [(forms[key].most_common(1)[0][0], n) for key, n in ranked[: max(limit, 0)]]
