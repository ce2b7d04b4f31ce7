"""The line around a position, looked for within a bounded reach.

Checks made for each finding or keyword hit often want "the line this value stands on". Searching for
it without a bound costs the whole distance to the previous newline, so on one long line (minified JSON
of ten thousand records, an access log joined into one string) every hit pays for the text before it
and the scan grows with the square of the text. These helpers stop at `reach` characters: a line longer
than that is cut there, which no check here needs to see past.
"""

from __future__ import annotations


def line_start(text: str, pos: int, reach: int) -> int:
    """Start of the line holding `pos`, or `pos - reach` when the line starts further back."""
    floor = max(0, pos - reach)
    return text.rfind("\n", floor, pos) + 1 or floor


def line_end(text: str, pos: int, reach: int) -> int:
    """End of the line holding `pos` (its newline or the text's end), or `pos + reach` when further on."""
    newline = text.find("\n", pos, pos + reach)
    return newline if newline != -1 else min(len(text), pos + reach)


def starts_line_within(text: str, pos: int, reach: int) -> bool:
    """Does the line holding `pos` start within `reach` characters before it?"""
    return pos <= reach or text.rfind("\n", pos - reach - 1, pos) != -1
