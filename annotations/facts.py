"""The checkable facts in a passage: counts with what they count, dates with their
precision, and confirmed/denied statuses. Spanish and English; rules, each explainable in
one line (see docs/CROSSCHECK.md), because a fact-checker must be able to see why two
passages were flagged.

No library reads Spanish numbers correctly ("3.500" is three thousand five hundred in Spain,
"3,500" the same in the Americas, "2,5" two and a half, "billón" 10^12), so the digit rules
are written here; text2num turns number words ("doce mil") into digits first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import alpha2digit

from annotations.search import fold_char
from annotations.stems import stem

MONTHS = {
    "enero": 1, "ene": 1, "january": 1, "jan": 1, "febrero": 2, "feb": 2, "february": 2,
    "marzo": 3, "mar": 3, "march": 3, "abril": 4, "abr": 4, "april": 4, "apr": 4,
    "mayo": 5, "may": 5, "junio": 6, "jun": 6, "june": 6, "julio": 7, "jul": 7, "july": 7,
    "agosto": 8, "ago": 8, "august": 8, "aug": 8, "septiembre": 9, "setiembre": 9,
    "sep": 9, "sept": 9, "september": 9, "octubre": 10, "oct": 10, "october": 10,
    "noviembre": 11, "nov": 11, "november": 11, "diciembre": 12, "dic": 12,
    "december": 12, "dec": 12,
}  # fmt: skip
MULTIPLIERS = {
    "mil": 1e3, "thousand": 1e3, "miles": 1e3, "millon": 1e6, "millones": 1e6,
    "million": 1e6, "millions": 1e6, "millardo": 1e9, "millardos": 1e9, "billion": 1e9,
    "billions": 1e9, "billon": 1e12, "billones": 1e12, "trillion": 1e12,
}  # fmt: skip
VAGUE = {  # "decenas de miles": a range, not a value
    "decenas": (20, 99), "dozens": (24, 99), "tens": (20, 99), "cientos": (200, 999),
    "centenares": (200, 999), "hundreds": (200, 999), "miles": (2_000, 999_999),
    "thousands": (2_000, 999_999), "millones": (2e6, 9.99e6), "millions": (2e6, 9.99e6),
}  # fmt: skip
NOT_COUNTS = {"ano", "anos", "year", "years", "edad", "aged", "old", "hora", "horas", "hour",
              "hours", "minuto", "minutos", "minutes", "por", "percent", "%", "grados",
              "degrees"}
"""Words after a number that make it an age, a duration or a rate, not a count of things."""
RELATIVE_DAYS = re.compile(
    r"\b(?:(?:el|este|pasado|ultimo|proximo)\s+)?(?:lunes|martes|miercoles|jueves|viernes|"
    r"sabado|domingo)\b|\b(?:ayer|anteayer|hoy|manana)\b|\b(?:last|next|this)\s+"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month)\b|"
    r"\b(?:yesterday|today|tomorrow)\b")

INCREMENT = {"mas", "more", "additional", "adicionales", "adicional", "extra", "nuevos",
             "nuevas", "new", "otros", "otras", "further"}
"""Words that make a count an increment ("30,000 efectivos más"): not comparable to a total."""

SKIP_WORDS = {"de", "of", "the", "los", "las", "el", "la", "more", "mas", "than", "que",
              "about", "around", "unos", "unas", "some", "nearly", "casi", "cerca",
              "aproximadamente", "approximately", "over", "under", "menos", "less",
              "were", "was", "are", "is", "have", "has", "had", "been", "fueron", "han",
              "sido", "son", "eran", "estan", "estaban", "people's"}


def fold(text: str) -> str:
    """Search's folding (no accents, no case), one character for one so that offsets into
    the folded text are offsets into the text."""
    if text.isascii():
        return text.lower()
    return "".join(fold_char(c)[:1] or c for c in text)


@dataclass(frozen=True)
class Count:
    low: float
    high: float
    what: str
    """The stem of what is counted ("sold" for soldados), or "" when nothing follows."""
    start: int
    end: int
    text: str
    vague: bool = False


@dataclass(frozen=True)
class Day:
    year: int | None
    month: int
    day: int | None
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Status:
    confirmed: bool
    about: str
    """Stems near the status word: what is (not) confirmed."""
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Facts:
    counts: tuple[Count, ...]
    days: tuple[Day, ...]
    statuses: tuple[Status, ...]
    relative: tuple[tuple[int, int, str], ...]


_NUMBER = re.compile(
    r"(?<![\w.,:/-])(\d{1,3}(?:([.,  ])\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\w:/]|[.,]\d)")
_WORD = re.compile(r"[^\W\d_]+|%", re.UNICODE)
_TIME = re.compile(r"\b\d{1,2}[:h]\d{2}\b")
_DATE_NUMERIC = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_ES = re.compile(
    rf"\b(\d{{1,2}})(?:\s+de)?\s+({_MONTH_NAMES})\.?(?:(?:\s+de|,)?\s+(\d{{4}}))?\b")
_DATE_EN = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_NAMES})(?:\s+de|,)?\s+(\d{{4}})\b")
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")

_CONFIRM = re.compile(
    r"\b(?:confirm\w*|corrobor\w*|verific\w*|verified|comprob\w*)\b")
_DENY = re.compile(r"\b(?:desmient\w*|desminti\w*|nega\w*|neg[oó]|niega\w*|denied|deny|denies|"
                   r"unconfirmed|unverified|rumou?r\w*|rumores|sin\s+confirmar|"
                   r"especula\w*|speculat\w*)\b")
_NEGATION = re.compile(r"\b(?:no|not|nunca|never|sin|ni|aun\s+no|yet\s+to|has\s+not|"
                       r"have\s+not|hasn't|haven't|isn't|aren't|wasn't|weren't)\b")
_NOT_DENIAL = re.compile(r"\bno\s+solo\b|\bnot\s+only\b|\bno\s+s[oó]lo\b")


def number_value(token: str) -> float | None:
    """A number written with digits, read by the conventions of both languages:
    "3.500" and "3,500" and "3 500" are 3500 (a separator before exactly three digits
    groups thousands), "2,5" and "2.5" are 2.5."""
    token = token.replace(" ", " ")
    groups = re.fullmatch(r"\d{1,3}(?:([., ])\d{3})+", token)
    if groups:
        return float(re.sub(r"[., ]", "", token))
    if re.fullmatch(r"\d{1,3}(?:([., ])\d{3})+[.,]\d+", token):
        # 1.234,5 or 1,234.5: the last separator is the decimal one
        whole, frac = token[:-len(re.split(r"[.,]", token)[-1]) - 1], re.split(r"[.,]", token)[-1]
        return float(re.sub(r"[., ]", "", whole) + "." + frac)
    if re.fullmatch(r"\d+[.,]\d+", token):
        return float(token.replace(",", "."))
    if token.isdigit():
        return float(token)
    return None


def _words_after(folded: str, at: int, limit: int = 4) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for match in _WORD.finditer(folded, at):
        if match.start() - at > 40 or len(found) >= limit:
            break
        found.append((match.group(), match.start(), match.end()))
    return found


def _word_before(folded: str, at: int) -> str:
    match = re.search(r"([^\W\d_]+)\s*$", folded[max(0, at - 30):at])
    return match.group(1) if match else ""


@lru_cache(maxsize=256)
def _digits(text: str, lang: str) -> str:
    """Number words as digits (text2num), the rest as it was."""
    try:
        return alpha2digit(text, lang, threshold=0)  # type: ignore[no-any-return]
    except Exception:  # text2num raises on odd input: numbers in words are then skipped
        return text


def _word_numbers(text: str) -> list[tuple[int, int, float]]:
    """(start, end, value) of number words ("doce mil", "twelve thousand") in ``text``.
    alpha2digit rewrites the whole text, so each run of candidate words is converted alone
    and placed back at its own offsets."""
    found = []
    for match in _NUMBER_WORDS.finditer(text):
        phrase = match.group()
        for lang in ("es", "en"):
            converted = _digits(phrase.lower(), lang)
            if converted != phrase.lower():
                digits = re.fullmatch(r"\s*([\d.,]+)\s*", converted)
                if digits:
                    value = number_value(digits.group(1))
                    if value is not None:
                        found.append((match.start(), match.end(), value))
                break
    return found


_NUMBER_WORD_LIST = (
    "un|uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|"
    "quince|dieciseis|diecisiete|dieciocho|diecinueve|veinte|veinti\\w+|treinta|cuarenta|"
    "cincuenta|sesenta|setenta|ochenta|noventa|cien|ciento|doscientos|trescientos|"
    "cuatrocientos|quinientos|seiscientos|setecientos|ochocientos|novecientos|mil|"
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred|thousand")
_ONE_OF = re.compile(r"\b(un|una|a|one)\s+(?=(?:mil|millon|millones|billon|million|billion|"
                     r"thousand)\b)")
_NUMBER_WORDS = re.compile(
    rf"\b(?:{_NUMBER_WORD_LIST})(?:[\s-]+(?:y|and|{_NUMBER_WORD_LIST}))*\b", re.IGNORECASE)


def counts(text: str) -> list[Count]:
    """The counts in ``text`` with what they count. Years ("1961 y 2000"), times ("19:06"),
    dates ("19/06"), ages and durations ("45 años") are not counts."""
    folded = fold(text)
    taken: list[tuple[int, int]] = [m.span() for m in _TIME.finditer(folded)]
    # "19/06" is a date; "2.5" is a number unless a year follows ("2.5.2025")
    taken += [m.span() for m in _DATE_NUMERIC.finditer(folded) if m.group(3) or "/" in m.group()]
    for pattern in (_DATE_ES, _DATE_EN, _MONTH_YEAR, _ISO):
        taken += [m.span() for m in pattern.finditer(folded)]

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    numbers: list[tuple[int, int, float]] = []
    for match in _NUMBER.finditer(text):
        value = number_value(match.group(1))
        if value is not None and free(*match.span()):
            numbers.append((match.start(), match.end(), value))
    for start, end, value in _word_numbers(text):
        if free(start, end) and not any(s < end and start < e for s, e, _ in numbers):
            word = folded[start:end].strip()
            after = _words_after(folded, end, 1)
            if word in ("un", "una", "uno", "one", "a") and after and after[0][0] in MULTIPLIERS:
                numbers.append((start, end, 1.0))  # "un billón"
            elif word not in ("mil", "un", "una", "uno", "one"):
                # "mil" alone multiplies the number before it; "un" alone is an article
                numbers.append((start, end, value))
    for match in _ONE_OF.finditer(folded):  # "un billón", "a billion": one, multiplied
        if free(*match.span(1)) and not any(s <= match.start() < e for s, e, _ in numbers):
            numbers.append((match.start(1), match.end(1), 1.0))
    numbers.sort()
    found: list[Count] = []
    n = 0
    while n < len(numbers):
        start, end, value = numbers[n]
        low = high = value
        # "entre 3 y 12 mil", "between 3,000 and 12,000", "3 a 12 mil", "3-12"
        range_end = end
        if n + 1 < len(numbers):
            s2, e2, v2 = numbers[n + 1]
            between = folded[end:s2]
            lead = re.search(r"\b(?:entre|between|de|from)\s*$", folded[max(0, start - 9):start])
            if re.fullmatch(r"\s*(?:y|and|a|to|-|–)\s*", between) and (
                    lead or between.strip() in ("-", "–", "a", "to")):
                high, range_end = v2, e2
                n += 1
                if lead and lead.group().strip() in ("entre", "between"):
                    start -= len(lead.group())  # "entre 3 y 12 mil" is the whole figure
        words = _words_after(folded, range_end)
        multiplier = 1.0
        if words and words[0][0] in MULTIPLIERS and words[0][1] - range_end <= 2:
            multiplier = MULTIPLIERS[words[0][0]]
            range_end = words[0][2]
            words = words[1:]
            # "entre 3 y 12 mil": the multiplier applies to both; "entre 500 y 12 mil": not
            if high == low or low < high:
                low *= multiplier
            high *= multiplier
        what = ""
        for number_of_word, (word, _, word_end) in enumerate(words):
            if word in SKIP_WORDS:
                continue
            if word in NOT_COUNTS or word in MONTHS:
                what = "-"
            else:
                what = stem(word)
                range_end = max(range_end, word_end)
                # "30,000 efectivos más", "500 more troops": an increment, not a total
                rest = [w for w, _, _ in words[number_of_word + 1:number_of_word + 3]]
                if (rest and rest[0] in INCREMENT) or word in INCREMENT:
                    what = "-"
                # "twelve people died", "12 personas murieron": a count of the dead
                elif what == "people" and any(stem(w) == "dead" for w in rest):
                    what = "dead"
            break
        is_year = (multiplier == 1 and _YEAR.match(text[start:end]) is not None
                   and (high == low or _YEAR.match(str(int(high))) is not None))
        if what != "-" and not is_year and "%" not in folded[end:end + 2]:
            found.append(Count(low, high, what, start, range_end, text[start:range_end]))
        n += 1
    for match in re.finditer(r"\b(decenas|cientos|centenares|miles|millones|dozens|tens|"
                             r"hundreds|thousands|millions)\s+(?:de\s+(miles|millones)\s+)?"
                             r"(?:de|of)\s+([^\W\d_]+)", folded):
        if any(c.start < match.end() and match.start() < c.end for c in found):
            continue  # "2,5 millones de personas" is a value, not "millions of"
        low, high = VAGUE[match.group(1)]
        if match.group(2):
            scale = MULTIPLIERS[match.group(2)]
            low, high = low * scale, high * scale
        found.append(Count(low, high, stem(match.group(3)), match.start(), match.end(),
                           text[match.start():match.end()], vague=True))
    return found


def days(text: str, dateline_year: int | None = None) -> list[Day]:
    """Dates with their precision: day, month and year; day and month (the year taken from
    the article's dateline when it has one); month and year."""
    folded = fold(text)
    found: list[Day] = []
    spans: list[tuple[int, int]] = []

    def add(year: int | None, month: int, day: int | None, match: re.Match[str]) -> None:
        if any(s < match.end() and match.start() < e for s, e in spans):
            return
        if (day is not None and not 1 <= day <= 31) or not 1 <= month <= 12:
            return
        spans.append(match.span())
        found.append(Day(year if year is not None else dateline_year, month, day,
                         match.start(), match.end(), text[match.start():match.end()]))

    for match in _ISO.finditer(folded):
        add(int(match.group(1)), int(match.group(2)), int(match.group(3)), match)
    for match in _DATE_ES.finditer(folded):
        add(int(match.group(3)) if match.group(3) else None, MONTHS[match.group(2)],
            int(match.group(1)), match)
    for match in _DATE_EN.finditer(folded):
        if match.group(1) == "may" and not match.group(3):
            continue  # "may 3" is more often the verb
        add(int(match.group(3)) if match.group(3) else None, MONTHS[match.group(1)],
            int(match.group(2)), match)
    for match in _MONTH_YEAR.finditer(folded):
        add(int(match.group(2)), MONTHS[match.group(1)], None, match)
    for match in _DATE_NUMERIC.finditer(folded):
        year = match.group(3)
        if not year or _TIME.fullmatch(match.group()):
            continue  # 19/06 alone: too ambiguous (and 19.06 a time)
        first, second = int(match.group(1)), int(match.group(2))
        day, month = (first, second) if first > 12 or second <= 12 else (second, first)
        add(int(year) + (2000 if len(year) == 2 else 0), month, day, match)
    return sorted(found, key=lambda d: d.start)


def statuses(text: str) -> list[Status]:
    """Confirmed, or not confirmed/denied, with the words around it (what is confirmed).
    A negation within three words before "confirmado" denies it; "no solo" does not."""
    folded = fold(text)
    found = []
    for match in _CONFIRM.finditer(folded):
        window = max(0, match.start() - 25)
        negation = _NEGATION.search(folded, window, match.start())
        negated = negation is not None and not _NOT_DENIAL.search(
            folded[window:match.end()])
        about = _about(folded, match.start(), match.end())
        # The words shown are the status as written, its negation included ("no ha
        # confirmado")
        start = negation.start() if negated and negation is not None else match.start()
        found.append(Status(not negated, about, start, match.end(),
                            text[start:match.end()]))
    for match in _DENY.finditer(folded):
        found.append(Status(False, _about(folded, match.start(), match.end()), match.start(),
                            match.end(), text[match.start():match.end()]))
    return found


def _about(folded: str, start: int, end: int) -> str:
    """The stems of the content words just after the status word, which name what is (not)
    confirmed: "no confirmados de la presencia de soldados" is about presence and
    soldiers; "confirmaron un consenso" is about a consensus."""
    own = stem(folded[start:end])
    words = [stem(w) for w in _WORD.findall(folded[end:end + 80])
             if len(w) > 3 and w not in SKIP_WORDS]
    return " ".join(sorted(set(words) - {own, "confirm", "report", "reportes"}))


def facts(text: str, dateline_year: int | None = None) -> Facts:
    folded = fold(text)
    relative = tuple((m.start(), m.end(), text[m.start():m.end()])
                     for m in RELATIVE_DAYS.finditer(folded))
    return Facts(tuple(counts(text)), tuple(days(text, dateline_year)), tuple(statuses(text)),
                 relative)


def dateline_year(text: str) -> int | None:
    """The year of the article's dateline: the first full date in its first 400 characters."""
    for day in days(text[:400]):
        if day.year is not None:
            return day.year
    return None
