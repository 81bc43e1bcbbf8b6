"""Index-time text processing that agrees with lunr.js 2.3.9, the library that runs the queries.

The index is built in Python with lunr.py, but lunr.py's Porter stemmer is a port of a
different implementation than lunr.js's: it indexes "survey" as "survei", "deploy" as
"deploi" and "key" as "kei", while lunr.js stems the query "survey" to "survey", so those
searches would find nothing in the browser. lunr.py's trimmer and tokenizer also read `\\W`
and `\\s` the Unicode way, where JavaScript's regular expressions read them as ASCII.

So this module ports lunr.js's own tokenizer separator, trimmer and stemmer, line by line, and
makes the index terms with them. The serialized index names lunr's search pipeline
(["stemmer"]), which lunr.js resolves to its original, identical stemmer for the queries.
tests/test_search.py checks the port against lunr.js itself, run in Chromium, word by word.
"""

from __future__ import annotations

import re
from collections import Counter

from lunr.builder import Builder
from lunr.idf import idf
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.stop_word_filter import WORDS as STOP_WORDS  # the same list as lunr.js's
from lunr.vector import Vector

# lunr.tokenizer.separator = /[\s\-]+/ with JavaScript's \s.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
           "\u2028\u2029\u202f\u205f\u3000\ufeff"
SEPARATOR_CHARS = frozenset(JS_SPACE + "-")

_LEADING_NON_WORD = re.compile(r"^\W+", re.ASCII)
_TRAILING_NON_WORD = re.compile(r"\W+$", re.ASCII)
_SEPARATORS = re.compile("[" + re.escape("".join(sorted(SEPARATOR_CHARS))) + "]+")


def words(text: str) -> list[str]:
    """lunr.tokenizer(text) as strings: lower-cased, split at JavaScript's spaces and hyphens.
    (lunr.py's Builder cannot take another separator, so documents reach it as word lists.)"""
    return [word for word in _SEPARATORS.split(text.lower()) if word]


def trim(word: str) -> str:
    """lunr.trimmer: non-word characters (ASCII sense) cut from both ends."""
    return _TRAILING_NON_WORD.sub("", _LEADING_NON_WORD.sub("", word))


# --- lunr.stemmer (lunr.js 2.3.9, itself after Andargor's JavaScript Porter stemmer) ---

_STEP2 = {"ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
          "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
          "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous", "aliti": "al",
          "iviti": "ive", "biliti": "ble", "logi": "log"}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}

_c = "[^aeiou]"  # consonant
_v = "[aeiouy]"  # vowel
_C = _c + "[^aeiouy]*"  # consonant sequence
_V = _v + "[aeiou]*"  # vowel sequence
_MGR0 = re.compile("^(" + _C + ")?" + _V + _C)  # [C]VC... is m>0
_MEQ1 = re.compile("^(" + _C + ")?" + _V + _C + "(" + _V + ")?$")  # [C]VC[V] is m=1
_MGR1 = re.compile("^(" + _C + ")?" + _V + _C + _V + _C)  # [C]VCVC... is m>1
_S_V = re.compile("^(" + _C + ")?" + _v)  # vowel in stem

_RE_1A = re.compile(r"^(.+?)(ss|i)es$")
_RE2_1A = re.compile(r"^(.+?)([^s])s$")
_RE_1B = re.compile(r"^(.+?)eed$")
_RE2_1B = re.compile(r"^(.+?)(ed|ing)$")
_RE_1B_2 = re.compile(r".$")
_RE2_1B_2 = re.compile(r"(at|bl|iz)$")
_RE3_1B_2 = re.compile(r"([^aeiouylsz])\1$")
_RE4_1B_2 = re.compile("^" + _C + _v + "[^aeiouwxy]$")
_RE_1C = re.compile(r"^(.+?[^aeiou])y$")
_RE_2 = re.compile("^(.+?)(" + "|".join(_STEP2) + ")$")
_RE_3 = re.compile("^(.+?)(" + "|".join(_STEP3) + ")$")
_RE_4 = re.compile(r"^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$")
_RE2_4 = re.compile(r"^(.+?)(s|t)(ion)$")
_RE_5 = re.compile(r"^(.+?)e$")
_RE_5_1 = re.compile(r"ll$")
_RE3_5 = re.compile("^" + _C + _v + "[^aeiouwxy]$")


def stem(w: str, metadata=None) -> str:
    """lunr.js's porterStemmer(w), step for step. (JavaScript's `.` does not match a line
    break either, and tokens never hold one, so Python's re reads these patterns the same.)"""
    if any(ord(char) > 0xFFFF for char in w):  # an emoji: JavaScript sees two UTF-16 code units
        return _from_code_units(stem(_code_units(w)))
    if len(w) < 3:
        return w
    first = w[0]
    if first == "y":
        w = "Y" + w[1:]
    # Step 1a
    if _RE_1A.search(w):
        w = _RE_1A.sub(r"\1\2", w, count=1)
    elif _RE2_1A.search(w):
        w = _RE2_1A.sub(r"\1\2", w, count=1)
    # Step 1b
    if match := _RE_1B.search(w):
        if _MGR0.search(match.group(1)):
            w = _RE_1B_2.sub("", w, count=1)
    elif match := _RE2_1B.search(w):
        stem_ = match.group(1)
        if _S_V.search(stem_):
            w = stem_
            if _RE2_1B_2.search(w):
                w = w + "e"
            elif _RE3_1B_2.search(w):
                w = _RE_1B_2.sub("", w, count=1)
            elif _RE4_1B_2.search(w):
                w = w + "e"
    # Step 1c: a final y after a consonant (not the first letter) becomes i
    if match := _RE_1C.search(w):
        w = match.group(1) + "i"
    # Step 2
    if (match := _RE_2.search(w)) and _MGR0.search(match.group(1)):
        w = match.group(1) + _STEP2[match.group(2)]
    # Step 3
    if (match := _RE_3.search(w)) and _MGR0.search(match.group(1)):
        w = match.group(1) + _STEP3[match.group(2)]
    # Step 4
    if match := _RE_4.search(w):
        if _MGR1.search(match.group(1)):
            w = match.group(1)
    elif match := _RE2_4.search(w):
        if _MGR1.search(match.group(1) + match.group(2)):
            w = match.group(1) + match.group(2)
    # Step 5
    if match := _RE_5.search(w):
        stem_ = match.group(1)
        if _MGR1.search(stem_) or (_MEQ1.search(stem_) and not _RE3_5.search(stem_)):
            w = stem_
    if _RE_5_1.search(w) and _MGR1.search(w):
        w = _RE_1B_2.sub("", w, count=1)
    if first == "y":
        w = "y" + w[1:]
    return w


def _code_units(text: str) -> str:
    data = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(data[i : i + 2], "little")) for i in range(0, len(data), 2))


def _from_code_units(units: str) -> str:
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def stemmer(token, i=None, tokens=None):
    return token.update(stem)


def index_terms(text: str) -> list[str]:
    """The terms lunr.js's index pipeline (trimmer, stop word filter, stemmer) makes of a text."""
    return [term for term in map(_TERMS.__getitem__, _SEPARATORS.split(text.lower())) if term]


class _Terms(dict):
    """word -> its index term ("" for none), worked out once: a corpus says the same few
    thousand words over and over. Bounded, for the rare corpus of millions of distinct words."""

    def __missing__(self, word: str) -> str:
        if len(self) > 1 << 20:
            self.clear()
        trimmed = trim(word)
        term = self[word] = "" if not trimmed or trimmed in STOP_WORDS else stem(trimmed)
        return term


_TERMS = _Terms()


def builder() -> Builder:
    """A lunr.py Builder for documents whose fields are index_terms() lists (so its own index
    pipeline is empty), with the search pipeline ["stemmer"] that lunr.js resolves to its own."""
    stemmer.label = "stemmer"  # labelled, not registered: lunr.py's stemmer keeps its name there
    made = TermBuilder()
    made.search_pipeline.add(stemmer)
    return made


class TermBuilder(Builder):
    """lunr.py's Builder for fields that arrive as finished terms: the same index, built faster.

    lunr.py wraps every word in a Token with a deep-copied metadata dict and inserts each weight
    into its vector by binary search; at 10,000 papers that was half of the index's build time.
    tests/test_search.py checks that this builds exactly what lunr.py's Builder builds.
    """

    def add(self, doc, attributes=None):
        doc_ref = str(doc[self._ref])
        self._documents[doc_ref] = attributes or {}
        self.document_count += 1
        for field_name in self._fields:
            terms = doc[field_name]
            field_ref = f"{field_name}/{doc_ref}"
            frequencies = Counter(terms)  # in order of first use, as lunr.py numbers new terms
            self.field_term_frequencies[field_ref] = frequencies
            self.field_lengths[field_ref] = len(terms)
            for term in frequencies:
                posting = self.inverted_index.get(term)
                if posting is None:
                    posting = {name: {} for name in self._fields}
                    posting["_index"] = self.term_index
                    self.term_index += 1
                    self.inverted_index[term] = posting
                posting[field_name].setdefault(doc_ref, {})

    def _calculate_average_field_lengths(self):
        """lunr.py's averages, and 0 for an atlas with no papers (lunr.py divides by zero)."""
        if self.document_count:
            super()._calculate_average_field_lengths()
        else:
            self.average_field_length = {name: 0 for name in self._fields}

    def _create_field_vectors(self):
        """BM25 weights exactly as lunr.py's Builder works them out, each vector sorted once."""
        idfs: dict[str, float] = {}
        k1, b = self._k1, self._b
        self.field_vectors = {}
        for field_ref, frequencies in self.field_term_frequencies.items():
            field_name, doc_ref = field_ref.split("/", 1)
            # A field no document fills (no paper has authors) averages 0 and holds no terms to
            # weigh; lunr.py would divide by that zero, lunr.js gets NaN and never uses it.
            average = self.average_field_length[field_name] or 1
            norm = k1 * (1 - b + b * (self.field_lengths[field_ref] / average))
            boost, doc_boost = self._fields[field_name].boost, self._documents[doc_ref].get("boost", 1)
            pairs = []
            for term, tf in frequencies.items():
                posting = self.inverted_index[term]
                if term not in idfs:
                    idfs[term] = idf(posting, self.document_count)
                score = idfs[term] * ((k1 + 1) * tf) / (norm + tf)
                score *= boost
                score *= doc_boost
                pairs.append((posting["_index"], round(score, 3)))
            pairs.sort()
            self.field_vectors[field_ref] = Vector([value for pair in pairs for value in pair])


def load_index(serialized: dict) -> Index:
    """A serialized index loaded by lunr.py to query from Python, with this module's stemmer."""
    index = Index.load(serialized)
    index.pipeline = Pipeline()
    index.pipeline.add(stemmer)
    return index
