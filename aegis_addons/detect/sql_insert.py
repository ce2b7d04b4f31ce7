"""Passwords in SQL `INSERT` statements, where the value's meaning comes from its position.

`INSERT INTO users (name, password) VALUES ('bob', 'Qw3rty!9'), ('amy', 'Zx8#kLm2')` names the
column once and gives the values by position, so no regex over one value can tell which literal is the
password. This detector reads the column list, finds the columns named for a password or secret, and
reports the literal at that position of every row (SQL dumps and seed scripts carry many rows).
"""

from __future__ import annotations

import re

from aegis_addons.detect import validators
from aegis_addons.detect.findings import Finding

CATEGORY = "secret.sql_password"

# `INSERT INTO schema.table (col, ...) VALUES` with identifiers quoted in any SQL dialect.
_INSERT = re.compile(r"(?i)\binsert\s+(?:ignore\s+)?into\s+[\w.`\"\[\]]{1,128}\s*"
                     r"\(([^()]{1,2000})\)\s*values\s*")
_COLUMN = re.compile(r"""[\s`"\[]*([\w$]+)[\s`"\]]*""")
_ROW_SEPARATOR = re.compile(r"\s*,\s*")
_SECRET_COLUMN = re.compile(r"(?i)(?:pass(?:word|wd|phrase)?|pwd|secret|api_?key|token)"
                            r"(?:_?(?:plain|clear|text))?")
# One literal of a row: a quoted string ('' and \' escapes), or anything up to the next `,` / `)`;
# a call such as NOW() or a nested tuple is skipped as one token.
_LITERAL = re.compile(r"""\s*(?:[NEn]?'((?:[^'\\]|''|\\.){0,512})'"""
                      r"""|"((?:[^"\\]|""|\\.){0,512})"|\w*\([^()]{0,200}\)|[^,()'"]{0,200})\s*""")


class SqlInsertPasswordDetector:
    """`scan(text, lowered)` returns a finding for each password literal of an `INSERT` row."""

    def scan(self, text: str, lowered: str) -> list[Finding]:
        if "insert" not in lowered or "values" not in lowered:
            return []
        found: list[Finding] = []
        for m in _INSERT.finditer(text):
            columns = [c.group(1) for c in map(_COLUMN.fullmatch, m.group(1).split(",")) if c]
            wanted = {i for i, name in enumerate(columns) if _SECRET_COLUMN.fullmatch(name)}
            if wanted and len(columns) == m.group(1).count(",") + 1:
                found.extend(self._rows(text, m.end(), len(columns), wanted))
        return found

    def _rows(self, text: str, pos: int, width: int, wanted: set[int]) -> list[Finding]:
        found: list[Finding] = []
        while pos < len(text) and text[pos] == "(":  # each row consumes its brackets: linear
            pos += 1
            values: list[tuple[int, int] | None] = []
            while True:
                lit = _LITERAL.match(text, pos)
                quoted = next((g for g in (1, 2) if lit.group(g) is not None), None)
                values.append(lit.span(quoted) if quoted else None)
                pos = lit.end()
                if pos < len(text) and text[pos] == ",":
                    pos += 1
                    continue
                break
            if pos >= len(text) or text[pos] != ")":
                break  # not a row of literals: stop rather than guess
            pos += 1
            if len(values) == width:
                for i in wanted:
                    span = values[i]
                    if span and span[1] - span[0] >= 4 and validators.secret_value(text[span[0]:span[1]]):
                        found.append(Finding(CATEGORY, span[0], span[1], 0.85, "sql_insert_password",
                                             "a literal in the password column of an INSERT"))
            between = _ROW_SEPARATOR.match(text, pos)
            if not between:
                break
            pos = between.end()
        return found
