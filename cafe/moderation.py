"""Pure: which words of a note are on the review lists (shipped for en, de, fr, es, plus the organiser's)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cafe.themes import load_words

LANGUAGES = ("en", "de", "fr", "es")
WORD = re.compile(r"\w+", re.UNICODE)


def _fold(text: str) -> str:
    """Lower case without accents, so "Scheiße" and "scheisse" match alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=256)
def review_words(extra: str = "") -> frozenset[str]:
    """The shipped lists of every language plus the organiser's own words (one per line)."""
    words = set().union(*(load_words("flagwords", language) for language in LANGUAGES))
    words |= {line.strip() for line in extra.splitlines() if line.strip() and not line.startswith("#")}
    return frozenset(_fold(w) for w in words)


def flagged(text: str, words: frozenset[str]) -> list[str]:
    """The listed words or phrases a text contains, in the order found (empty when it may be published)."""
    folded = _fold(text)
    tokens = WORD.findall(folded)
    single = [t for t in tokens if t in words]
    phrases = [w for w in words if " " in w and re.search(rf"\b{re.escape(w)}\b", folded)]
    return list(dict.fromkeys(single + phrases))
