"""Pure: suggested groupings of notes into themes, and word counts for word clouds.

`suggest_themes` proposes groups for a facilitator to confirm or ignore;
`word_counts` feeds a word cloud; `load_words` reads the shipped stop word and
flag word lists (moderation reuses the flag words). English, German, French and
Spanish notes are understood; words of other languages are matched as typed.
"""

from cafe.themes.stemming import stem
from cafe.themes.suggest import Suggestion, suggest_themes
from cafe.themes.text import LANGUAGES, detect_language, fold, load_words, tokenise, word_counts

__all__ = ["LANGUAGES", "Suggestion", "detect_language", "fold", "load_words", "stem", "suggest_themes",
           "tokenise", "word_counts"]
