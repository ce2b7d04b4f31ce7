"""The line or token around a position, looked for within a bounded reach.

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


def line_start_within(text: str, pos: int, reach: int) -> int | None:
    """Start of the line holding `pos` when it is within `reach` characters before it, else None."""
    start = line_start(text, pos, reach)
    return start if start == 0 or text[start - 1] == "\n" else None


def token_start(text: str, pos: int, reach: int, separators: str = " \t\n") -> int:
    """Start of the token holding `pos` (just after the last separator before it), or `pos - reach`."""
    floor = max(0, pos - reach)
    return max(text.rfind(c, floor, pos) for c in separators) + 1 or floor
