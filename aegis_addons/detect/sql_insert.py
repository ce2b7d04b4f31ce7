"""Passwords in SQL `INSERT` statements and `COPY` blocks, where a value's meaning comes from its position.

`INSERT INTO users (name, password) VALUES ('bob', 'Qw3rty!9'), ('amy', 'Zx8#kLm2')` names the
column once and gives the values by position, so no regex over one value can tell which literal is the
password. This detector reads the column list, finds the columns named for a password or secret, and
reports the literal at that position of every row (SQL dumps and seed scripts carry many rows).
PostgreSQL dumps write table data as `COPY table (col, ...) FROM stdin;`, then one tab-separated row
per line up to a line `\\.`; those rows are read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aegis_addons.detect import validators
from aegis_addons.detect.findings import Finding

CATEGORY = "secret.sql_password"

# `INSERT INTO schema.table (col, ...) VALUES` with identifiers quoted in any SQL dialect.
INSERT_STATEMENT = re.compile(r"(?i)\binsert\s+(?:ignore\s+)?into\s+[\w.`\"\[\]]{1,128}\s*"
                     r"\(([^()]{1,2000})\)\s*values\s*")
_COLUMN = re.compile(r"""[\s`"\[]*([\w$]+)[\s`"\]]*""")
_ROW_SEPARATOR = re.compile(r"\s*,\s*")
# A column named for a secret, also with a qualifier before it (`db_password`, `UserPassword`,
# `client_secret`, `refresh_token`); `password_hash` or `token_type` are not secret columns.
_SECRET_COLUMN = re.compile(
    r"(?:(?i:pass|pwd|token)"  # alone: `boarding_pass`, `next_page_token` are no secrets
    r"|(?:[A-Za-z0-9]+_|[A-Za-z][a-z0-9]*(?=[A-Z])){0,2}"
    r"(?i:passw(?:or)?d|passphrase|secret|api_?key|(?:access|refresh|auth|api|bearer|session|reset|oauth"
    r"|remember|confirmation|verification|invite|jwt|user|device|personal|bot|github|gitlab|slack|password)_?token))"
    r"(?i:_?(?:plain|clear|text))?")
# `COPY schema.table (col, ...) FROM stdin;` at the start of a line, as pg_dump writes it; the rows
# follow on the next lines. (A COPY named inside a sentence or a string of code is not a block.)
_TABLE_PART = r'(?:\w{1,64}|"[^"\n]{1,64}")'
_COPY = re.compile(rf"(?im)^[ \t]*copy\s+{_TABLE_PART}(?:\.{_TABLE_PART})?\s*\(([^()]{{1,2000}})\)\s*from\s+stdin\b[^\n]{{0,200}}\n")
_COPY_END = re.compile(r"^\\\.\r?$", re.MULTILINE)  # the `\.` line that ends a COPY block
# One literal of a row: a quoted string ('' and \' escapes), or anything up to the next `,` / `)`;
# a call such as NOW() or a nested tuple is skipped as one token.
_LITERAL = re.compile(r"""\s*(?:[NEn]?'((?:[^'\\]|''|\\.){0,512})'"""
                      r"""|"((?:[^"\\]|""|\\.){0,512})"|\w*\([^()]{0,200}\)|([^,()'"]{0,200}))\s*""")


def insert_rows(text: str, pos: int) -> Iterator[list[tuple[int, int, bool] | None]]:
    """The rows of literals of an `INSERT`'s `VALUES` list that starts at `pos`: for each value its span
    and whether it was quoted (None for a call such as `NOW()`). Stops at the first thing that is not a
    row of literals rather than guess; each row consumes its brackets, so this is linear."""
    while pos < len(text) and text[pos] == "(":
        pos += 1
        values: list[tuple[int, int, bool] | None] = []
        while True:
            lit = _LITERAL.match(text, pos)
            group = next((g for g in (1, 2, 3) if lit.group(g) is not None), None)
            values.append((*lit.span(group), group != 3) if group else None)
            pos = lit.end()
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            break
        if pos >= len(text) or text[pos] != ")":
            return
        pos += 1
        yield values
        between = _ROW_SEPARATOR.match(text, pos)
        if not between:
            return
        pos = between.end()


def _secret_columns(column_list: str) -> tuple[set[int], int]:
    """The positions of the secret columns of a column list, and its width; no positions when a name
    cannot be read (the positions would be guesses)."""
    columns = [c.group(1) for c in map(_COLUMN.fullmatch, column_list.split(",")) if c]
    if len(columns) != column_list.count(",") + 1:
        return set(), 0
    return {i for i, name in enumerate(columns) if _SECRET_COLUMN.fullmatch(name)}, len(columns)


class SqlInsertPasswordDetector:
    """`scan(text, lowered)` returns a finding for each password literal of an `INSERT` row or `COPY` line."""

    def scan(self, text: str, lowered: str) -> list[Finding]:
        found: list[Finding] = []
        if "insert" in lowered and "values" in lowered:
            for m in INSERT_STATEMENT.finditer(text):
                wanted, width = _secret_columns(m.group(1))
                if wanted:
                    found.extend(self._rows(text, m.end(), width, wanted))
        if "copy" in lowered and "stdin" in lowered:
            pos, block_end, closed_later = 0, None, True
            while (m := _COPY.search(text, pos)) is not None:
                # The rows run to the block's `\.` line, or to the end of a dump cut short, and stop
                # at the first line that is not a row of the table. The search goes on where the rows
                # stopped, so each line is read once.
                if closed_later and (block_end is None or block_end.start() < m.end()):
                    block_end = _COPY_END.search(text, m.end())
                    closed_later = block_end is not None  # else no later block is closed either
                stop = block_end.start() if closed_later else len(text)
                wanted, width = _secret_columns(m.group(1))
                rows, pos = self._copy_rows(text, m.end(), stop, width, wanted)  # pos >= m.end()
                found.extend(rows)
        return found

    @staticmethod
    def _copy_rows(text: str, pos: int, stop: int, width: int, wanted: set[int]) -> tuple[list[Finding], int]:
        """The findings in the tab-separated rows of a `COPY ... FROM stdin` block from `pos` up to `stop`
        (its `\\.` line), and where the rows ended."""
        found: list[Finding] = []
        while pos < stop:
            end = text.find("\n", pos, stop)
            end = stop if end < 0 else end
            line = text[pos:end].rstrip("\r")
            cells = line.split("\t")
            if len(cells) != width:
                return found, pos  # not a row of this table: stop rather than guess
            offset = pos
            for i, cell in enumerate(cells):
                # a one-column "row" with spaces is a line of prose after the header, not a value
                if (i in wanted and len(cell) >= 4 and cell != "\\N" and (width > 1 or " " not in cell)
                        and validators.secret_value(cell)):
                    found.append(Finding(CATEGORY, offset, offset + len(cell), 0.85, "sql_copy_password",
                                         "a value in the password column of a COPY block"))
                offset += len(cell) + 1
            pos = end + 1
        return found, min(pos, stop)

    def _rows(self, text: str, pos: int, width: int, wanted: set[int]) -> list[Finding]:
        found: list[Finding] = []
        for values in insert_rows(text, pos):
            if len(values) == width:
                for i in wanted:
                    span = values[i]
                    if span and span[2] and span[1] - span[0] >= 4 and validators.secret_value(text[span[0]:span[1]]):
                        found.append(Finding(CATEGORY, span[0], span[1], 0.85, "sql_insert_password",
                                             "a literal in the password column of an INSERT"))
        return found
