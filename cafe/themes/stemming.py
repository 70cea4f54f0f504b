"""Pure: light suffix-stripping stemmers for English, German, French and Spanish.

They take a folded word (lowercase, accents stripped) and return a stem that is
only ever compared with other stems, never shown: consistency between the forms
people type ("course", "courses", "coursework" aside) matters more than
linguistic accuracy. Each language strips at most one inflection and one
derivation and mostly keeps three letters or more, so short words survive.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

VOWELS = frozenset("aeiouy")


def _has_vowel(text: str) -> bool:
    """Whether any letter is a vowel (y counts)."""
    return any(ch in VOWELS for ch in text)


def _strip(word: str, suffixes: tuple[str, ...], keep: int) -> str:
    """The word without the first suffix that leaves at least `keep` letters, or the word itself."""
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: -len(suffix)]
    return word


# English. Derivations are stripped after inflections so that "documentation",
# "documents" and "documenting" meet at "document" ("ment" only from long words,
# so "document" itself stays); "er" is stripped so that "funders" meets
# "funding", at the price of the odd collision ("number").
_EN_DERIVATIONS = (("ibility", 3), ("ability", 3), ("ation", 3), ("ment", 5), ("ness", 3), ("able", 3),
                   ("ible", 3), ("ity", 3), ("ive", 3), ("er", 3))


def english(word: str) -> str:
    """Stem a folded English word."""
    if len(word) <= 2 or not word.isalpha():
        return word
    for z_form in ("ization", "izing", "ized", "izer", "izes", "ize"):
        if word.endswith(z_form):  # British and American spellings meet
            word = word[: -len(z_form)] + "is" + z_form[2:]
            break
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and len(word) > 3 and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        # "need" and "feed" are not past tenses; what is left needs a vowel ("thing" stays)
        if word.endswith(suffix) and len(base) >= 2 and _has_vowel(base) and not word.endswith("eed"):
            word = base[:-1] + "y" if base.endswith("i") else base  # "studied" meets "study"
            break
    if word.endswith("ly") and len(word) >= 6:  # "early" and "only" keep their "ly"
        word = word[:-2]
    for suffix, keep in _EN_DERIVATIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) >= 3:  # "code" meets "coding", "use" meets "used"
        word = word[:-1]
    if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in "aeiouyls":
        word = word[:-1]  # "running" -> "run", and "staff" meets "staffing" as "staf"
    return word


# German: inflection endings, then the common noun and adjective makers. The
# bare "s" goes only after letters that take a genitive or plural "s".
_DE_INFLECTIONS = ("ern", "em", "en", "er", "es", "e")
_DE_DERIVATIONS = ("ungen", "ung", "heit", "keit", "lich", "isch", "ig")


def german(word: str) -> str:
    """Stem a folded German word."""
    if len(word) <= 3 or not word.isalpha():
        return word
    stripped = _strip(word, _DE_INFLECTIONS, 3)
    if stripped == word and word.endswith("s") and word[-2:-1] in tuple("bdfghklmnrt") and len(word) > 4:
        stripped = word[:-1]
    return _strip(stripped, _DE_DERIVATIONS, 3)


# French: plural, then one derivation, then verb and gender endings.
_FR_DERIVATIONS = ("issement", "ement", "ation", "ateur", "atrice", "ique", "isme", "iste", "euse",
                   "eur", "ite", "if", "ive", "ent")
_FR_ENDINGS = ("ees", "ee", "er", "ez", "e")


def french(word: str) -> str:
    """Stem a folded French word."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("aux") and len(word) > 4:
        word = word[:-3] + "al"  # "journaux" meets "journal"
    elif word.endswith(("s", "x")) and not word.endswith("ss"):
        word = word[:-1]
    derived = _strip(word, _FR_DERIVATIONS, 4)
    return _strip(derived, _FR_ENDINGS, 3)


# Spanish: plural, then one derivation, then verb endings or the gender vowel.
_ES_DERIVATIONS = ("amiento", "imiento", "mente", "acion", "icion", "cion", "idad", "ista", "ismo",
                   "ador", "adora", "ante", "ancia", "encia", "able", "ible")
_ES_ENDINGS = ("ando", "iendo", "ar", "er", "ir", "an", "en", "a", "o", "e")


def spanish(word: str) -> str:
    """Stem a folded Spanish word."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ces") and len(word) > 4:
        word = word[:-3] + "z"  # "veces" meets "vez"
    elif word.endswith("es") and len(word) > 4 and word[-3] in "lrndjz":
        word = word[:-2]  # "temporales" -> "temporal", "ciudades" -> "ciudad"
    elif word.endswith("s") and len(word) > 3:
        word = word[:-1]
    # "rápidamente" and "rápido" meet at "rapid"; participles ("-ado", "-ido") are left alone,
    # as stripping them would also cut adjectives such as "rápido" down to "rap"
    word = _strip(word, _ES_DERIVATIONS, 3)
    return _strip(word, _ES_ENDINGS, 4 if word.endswith(("an", "en")) else 3)


STEMMERS: dict[str, Callable[[str], str]] = {"en": english, "de": german, "fr": french, "es": spanish}


@lru_cache(maxsize=65536)
def stem(word: str, language: str = "en") -> str:
    """The stem of a folded word in one of the four languages (English rules for any other)."""
    return STEMMERS.get(language, english)(word)
