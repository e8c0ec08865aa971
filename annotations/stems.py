"""Word stems for matching passages across reports (Snowball, through PyStemmer), and the
few concepts that reports name with different words: "tropas",
"soldados" and "troops" count the same thing."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer  # PyStemmer: the C Snowball

from annotations.search import fold

STOPWORDS = frozenset("""
a al algo algunos ante antes como con contra cual cuando de del desde donde durante e el
ella ellas ellos en entre era es esa ese eso esta este esto estos fue fueron ha han hasta
hay la las le les lo los mas me mi mientras muy ni no nos o otra otro para pero poco por
porque que quien se sea segun ser si sido sin sino sobre su sus tambien tan te tiene
todo tras tu un una uno unos y ya yo
the of and to in on for with as at by from is are was were be been it its this that these
those an or but not no into about after before over under than then there their they he
she his her we our you your which who whom what when where while also has have had will
would can could may might said says
""".split())

CONCEPTS = {
    "soldiers": ("soldad", "sold", "trop", "efect", "militar", "troop", "soldier",
                 "combatient", "fighter"),
    "people": ("person", "people", "habit", "ciudadan", "civil", "resident"),
    "dead": ("muert", "muri", "fallec", "dead", "death", "die", "kill", "victim"),
    "injured": ("herid", "injur", "wound", "lesion"),
    "displaced": ("desplaz", "displac", "evacu", "refugi", "refuge", "damnific"),
    "homes": ("viviend", "hogar", "home", "hous"),
    "money": ("dolar", "dollar", "euro", "usd", "eur"),
    "patients": ("pacient", "patient"),
}
_CONCEPT_OF = {prefix: name for name, prefixes in CONCEPTS.items() for prefix in prefixes}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


_SPANISH = Stemmer.Stemmer("spanish").stemWord
_ENGLISH = Stemmer.Stemmer("english").stemWord


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """One stem for the Spanish and English forms of a word: the Spanish Snowball stem,
    then the English one (most news words are unaffected by the other language's rules),
    then a concept name where the word names one of CONCEPTS."""
    plain = fold(word)
    stemmed: str = _ENGLISH(_SPANISH(plain))
    for prefix, concept in _CONCEPT_OF.items():
        if stemmed.startswith(prefix) if len(prefix) >= 4 else stemmed == prefix:
            return concept
        if len(stemmed) >= 5 and prefix.startswith(stemmed):
            return concept
    return stemmed


def tokens(text: str) -> list[str]:
    """The stems of the content words of ``text``."""
    return [stem(w) for w in _WORD.findall(text) if len(w) > 1 and fold(w) not in STOPWORDS]
