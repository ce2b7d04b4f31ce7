"""Typoglycemia: attack words with their inner letters scrambled ("ignroe all prevoius insturctions").

People (and language models) read a word whose first and last letters are in place even when the letters
between are shuffled, so attackers scramble the words a literal rule looks for. Each keyword has a
signature: first letter, last letter and its inner letters sorted. A word with the same signature that is
not the keyword itself is a scrambled keyword.

`unscramble()` rewrites scrambled keywords back to the keyword. A scrambled word has the same length as its
keyword, so the rewritten text keeps every offset and the injection rules can run on it unchanged.
Only a bounded keyword set is checked: one precompiled regex finds words of the right first letter, last
letter and length, and only those are sorted and compared.
"""

from __future__ import annotations

import re

# Words that carry the meaning of an injection phrase. Four letters at least: shorter words have at most
# one inner letter and cannot be scrambled.
KEYWORDS: tuple[str, ...] = (
    "ignore", "disregard", "forget", "override", "bypass", "previous", "prior", "above", "earlier",
    "instructions", "instruction", "prompt", "system", "rules", "guidelines", "directives", "reveal",
    "print", "repeat", "secret", "password", "confidential", "pretend", "unrestricted", "restrictions",
    "jailbreak", "developer", "everything", "commands", "context", "filters", "limitations",
)


def _signature(word: str) -> tuple[str, str, str]:
    return word[0], word[-1], "".join(sorted(word[1:-1]))


_BY_SIGNATURE: dict[tuple[str, str, str], str] = {_signature(k): k for k in KEYWORDS}
_KEYWORD_SET = frozenset(KEYWORDS)



def _candidate_pattern() -> re.Pattern[str]:
    """Words of a keyword's first letter, length and last letter, grouped by first letter so that the
    regex engine picks the branch with one comparison. Matched on lower-cased text."""
    by_first: dict[str, set[str]] = {}
    for k in KEYWORDS:
        by_first.setdefault(k[0], set()).add(f"[a-z]{{{len(k) - 2}}}{k[-1]}")
    branches = [f"{first}(?:{'|'.join(sorted(rest))})" for first, rest in sorted(by_first.items())]
    return re.compile(r"\b(?:" + "|".join(branches) + r")\b")


_CANDIDATE = _candidate_pattern()
# The same words found with the character before them: a search whose first character must be a
# non-word one skips the inside of words in C, where a leading `\b` makes the engine try every position.
_CANDIDATE_AFTER_BREAK = re.compile(r"\W(?=(" + _CANDIDATE.pattern + "))")


def _candidates(lowered: str):
    first = _CANDIDATE.match(lowered)
    if first is not None:
        yield first.start(), first.end(), first.group()
    for m in _CANDIDATE_AFTER_BREAK.finditer(lowered):
        yield m.start(1), m.end(1), m.group(1)


def find_scrambled(text: str) -> list[tuple[int, int, str]]:
    """(start, end, keyword) for every scrambled keyword in `text`; exact keywords are not reported."""
    found = []
    for start, end, word in _candidates(text.lower()):
        if word in _KEYWORD_SET:
            continue
        keyword = _BY_SIGNATURE.get(_signature(word))
        if keyword is not None:
            found.append((start, end, keyword))
    return found


def unscramble(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """`text` with scrambled keywords replaced by the keyword (same offsets), and what was replaced."""
    found = find_scrambled(text)
    if not found:
        return text, found
    parts = []
    pos = 0
    for start, end, keyword in found:
        parts.append(text[pos:start])
        parts.append(keyword)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), found
