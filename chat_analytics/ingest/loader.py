"""Validating bulk loader: polars frames or Parquet files into the 11 chat tables.

A load runs in one transaction under an advisory lock, so a failed or
interrupted load leaves the warehouse as it was and two loads never interleave.
Each table is checked in polars (:mod:`chat_analytics.ingest.validate`), sent
with COPY into a temporary staging table and checked against the warehouse with
SQL. Then the staged rows are copied into ``chat.<table>`` in foreign-key order
with ``insert ... on conflict (primary key) do nothing``. The SQL checks see
only rows that passed the polars checks, so a rejected row lists the faults of
the first stage that found any.

Decisions
---------
- A row whose primary key already exists in the warehouse is skipped and
  counted as already present, even when its other values differ. Loading is
  idempotent by primary key and never updates a row.
- A row whose unique key (``username``, ``email``, ``(user_id, friend_id)``,
  ``(chat_id, invited_user_id)``, ``join_code``) matches an existing row with a
  different primary key is rejected, not skipped.
- Within one batch, the first occurrence of a duplicated key (lowest row number)
  is kept and later ones are rejected.
- A row is rejected when a foreign key points to a row that is neither in the
  warehouse nor an accepted row of the batch. So a rejected parent row takes
  its child rows with it.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from chat_analytics.errors import LoadError, WarehouseError
from chat_analytics.ingest.validate import (
    REASON,
    ROW_NUMBER,
    TABLE_SPECS,
    Kind,
    PreparedTable,
    TableSpec,
    prepare_table,
)
from chat_analytics.warehouse.connection import connect, redact_dsn, resolve_dsn
from chat_analytics.warehouse.schema import SCHEMA, TABLES

__all__ = [
    "RejectedRow",
    "TableCounts",
    "LoadReport",
    "RejectedRowsError",
    "load_tables",
    "load_directory",
    "read_directory",
]

logger = logging.getLogger(__name__)

# Key of the transaction-level advisory lock that serialises loads.
LOCK_NAME = "chat_analytics.load"
# Rows per CSV chunk handed to COPY, which bounds the size of one chunk in memory.
COPY_CHUNK_ROWS = 100_000
# Rejections quoted in the message of a strict load's error.
STRICT_ERROR_EXAMPLES = 5
REJECTS_TABLE = sql.Identifier("load_rejects")
# Session memory for the staging tables and for the hash joins of the checks.
# PostgreSQL allocates both only as needed, up to these limits. At the defaults
# (8MB and 4MB), a million staged messages spill to temporary files.
TEMP_BUFFERS = "512MB"
WORK_MEM = "128MB"


@dataclass(frozen=True)
class RejectedRow:
    """One input row that was not loaded.

    ``row_number`` is the 0-based position in the input frame. ``key`` is the
    primary key as text, ``"chat_id,user_id"`` for chat_participants, or None
    when the input row has no key value.
    """

    table: str
    row_number: int
    key: str | None
    reason: str


@dataclass(frozen=True)
class TableCounts:
    """Row counts of one table in a load.

    After a committed load, ``input_rows`` equals the sum of the other three.
    """

    input_rows: int
    inserted: int
    skipped: int
    rejected: int


@dataclass
class LoadReport:
    """Outcome of a load: row counts per table and every rejected row.

    ``skipped`` counts rows whose primary key was already in the warehouse.
    ``committed`` is false after a strict load that found invalid rows. Such a
    report counts zero rows inserted and skipped.
    """

    tables: dict[str, TableCounts] = field(default_factory=dict)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    committed: bool = True

    @property
    def inserted(self) -> int:
        """Rows inserted over all tables."""
        return sum(counts.inserted for counts in self.tables.values())

    @property
    def skipped(self) -> int:
        """Rows already present over all tables."""
        return sum(counts.skipped for counts in self.tables.values())

    @property
    def rejected(self) -> int:
        """Rows rejected over all tables."""
        return sum(counts.rejected for counts in self.tables.values())

    def summary(self, max_rejected_rows: int = 0) -> str:
        """Return the counts per table, then up to ``max_rejected_rows`` rejections."""
        width = max([len("table"), *(len(name) for name in self.tables)])
        header = (
            f"{'table':<{width}} {'input':>10} {'inserted':>10} "
            f"{'present':>10} {'rejected':>10}"
        )
        if self.committed:
            first_line = (
                f"loaded {len(self.tables)} table(s) in {self.elapsed_seconds:.2f} s: "
                f"{self.inserted:,} row(s) inserted, {self.skipped:,} already "
                f"present, {self.rejected:,} rejected"
            )
        else:
            first_line = (
                f"nothing loaded: strict mode rejected {self.rejected:,} row(s) in "
                f"{len(self.tables)} table(s)"
            )
        lines = [first_line, header]
        for name, counts in self.tables.items():
            lines.append(
                f"{name:<{width}} {counts.input_rows:>10,} {counts.inserted:>10,} "
                f"{counts.skipped:>10,} {counts.rejected:>10,}"
            )
        shown = self.rejected_rows[:max_rejected_rows]
        if shown:
            lines.append(f"rejected rows (first {len(shown)} of {self.rejected:,}):")
            lines.extend(_describe(row) for row in shown)
        return "\n".join(lines)

    def rejected_frame(self) -> pl.DataFrame:
        """Return the rejected rows as a frame with table, row_number, key, reason."""
        return pl.DataFrame(
            {
                "table": [row.table for row in self.rejected_rows],
                "row_number": [row.row_number for row in self.rejected_rows],
                "key": [row.key for row in self.rejected_rows],
                "reason": [row.reason for row in self.rejected_rows],
            },
            schema={
                "table": pl.String,
                "row_number": pl.Int64,
                "key": pl.String,
                "reason": pl.String,
            },
        )

    def write_rejects_csv(self, path: str | Path) -> None:
        """Write every rejected row to ``path`` as CSV with a header line."""
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["table", "row_number", "key", "reason"])
            for row in self.rejected_rows:
                writer.writerow([row.table, row.row_number, row.key or "", row.reason])


class RejectedRowsError(LoadError):
    """Error of a strict load that found invalid rows and loaded nothing.

    ``report`` lists the rejected rows.
    """

    def __init__(self, message: str, report: LoadReport) -> None:
        super().__init__(message)
        self.report = report


def _describe(row: RejectedRow) -> str:
    key = f" ({row.key})" if row.key is not None else ""
    return f"  {row.table} row {row.row_number}{key}: {row.reason}"


# -- input checks --------------------------------------------------------------


def _check_tables_argument(tables: Mapping[str, pl.DataFrame]) -> None:
    for name, frame in tables.items():
        if name not in TABLE_SPECS:
            raise LoadError(
                f"unknown table {name!r}; the chat tables are {', '.join(TABLES)}"
            )
        if not isinstance(frame, pl.DataFrame):
            raise LoadError(
                f"table {name} is a {type(frame).__name__}, not a polars DataFrame; "
                "convert it with polars.from_pandas or polars.DataFrame"
            )


def read_directory(path: str | Path) -> dict[str, pl.DataFrame]:
    """Read one ``<table>.parquet`` file per chat table from a folder.

    Files with other extensions are ignored.

    Raises
    ------
    LoadError
        When the folder is missing or has no Parquet file, a file is not named
        after a chat table, or a file cannot be read.
    """
    folder = Path(path)
    if not folder.exists():
        raise LoadError(
            f"input folder {folder} not found; pass the folder that contains "
            "the <table>.parquet files"
        )
    if not folder.is_dir():
        raise LoadError(
            f"{folder} is not a folder; pass the folder that contains the "
            "<table>.parquet files"
        )
    files = sorted(
        p for p in folder.iterdir() if p.suffix == ".parquet" and p.is_file()
    )
    if not files:
        raise LoadError(
            f"no .parquet files in {folder}; write one file per table named "
            "after it, such as profiles.parquet"
        )
    frames: dict[str, pl.DataFrame] = {}
    for file in files:
        if file.stem not in TABLE_SPECS:
            raise LoadError(
                f"unknown table file {file}; name each file after a chat table "
                f"({', '.join(TABLES)}) or move it out of the folder"
            )
        try:
            frames[file.stem] = pl.read_parquet(file)
        except (pl.exceptions.PolarsError, OSError) as error:
            first_line = (
                str(error).strip().splitlines()[0] if str(error).strip() else ""
            )
            raise LoadError(
                f"cannot read {file} as Parquet ({type(error).__name__}: "
                f"{first_line}); rewrite it, for example with "
                "polars.DataFrame.write_parquet"
            ) from None
    return frames


# -- SQL over the staging tables ----------------------------------------------


def _stage(table: str) -> sql.Identifier:
    return sql.Identifier(f"load_{table}")


def _target(table: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(table))


def _staged_key(spec: TableSpec) -> sql.Composable:
    parts = [
        sql.SQL("staged.{}::text").format(sql.Identifier(name))
        for name in spec.primary_key
    ]
    if len(parts) == 1:
        return parts[0]
    return sql.SQL("concat_ws(',', {})").format(sql.SQL(", ").join(parts))


def _create_staging(cursor: psycopg.Cursor, spec: TableSpec) -> None:
    # LIKE copies the columns, NOT NULL and the defaults (so omitted input
    # columns get them) but no index or constraint. jsonb columns are staged as
    # text so an invalid document is reported as a rejected row instead of
    # failing the COPY.
    cursor.execute(
        sql.SQL(
            "create temp table {stage} (like {target} including defaults, "
            "{row_number} bigint not null) on commit drop"
        ).format(
            stage=_stage(spec.name),
            target=_target(spec.name),
            row_number=sql.Identifier(ROW_NUMBER),
        )
    )
    for column in spec.columns:
        if column.kind is Kind.JSONB:
            cursor.execute(
                sql.SQL("alter table {} alter column {} type text").format(
                    _stage(spec.name), sql.Identifier(column.name)
                )
            )


def _write_frame(
    cursor: psycopg.Cursor, statement: sql.Composable, frame: pl.DataFrame
) -> None:
    """COPY ``frame`` as CSV in chunks; polars serialises each chunk vectorised.

    A writer thread sends queued chunks, so polars serialises the next chunk
    while PostgreSQL parses the previous one.
    """
    with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        for offset in range(0, frame.height, COPY_CHUNK_ROWS):
            buffer = io.BytesIO()
            frame.slice(offset, COPY_CHUNK_ROWS).write_csv(buffer, include_header=False)
            copy.write(buffer.getbuffer())


def _copy_rows(cursor: psycopg.Cursor, prepared: PreparedTable) -> None:
    columns = sql.SQL(", ").join(
        sql.Identifier(name) for name in (*prepared.columns, ROW_NUMBER)
    )
    statement = sql.SQL("copy {} ({}) from stdin (format csv)").format(
        _stage(prepared.spec.name), columns
    )
    _write_frame(cursor, statement, prepared.rows)


def _copy_rejects(cursor: psycopg.Cursor, prepared: PreparedTable) -> None:
    if prepared.rejects.height == 0:
        return
    frame = prepared.rejects.select(
        pl.lit(prepared.spec.name).alias("table_name"),
        pl.col(ROW_NUMBER),
        pl.col("key"),
        pl.col(REASON),
    )
    statement = sql.SQL(
        "copy {} (table_name, row_number, key, reason) from stdin (format csv)"
    ).format(REJECTS_TABLE)
    _write_frame(cursor, statement, frame)


def _insert_rejects(
    cursor: psycopg.Cursor,
    spec: TableSpec,
    reason: sql.Composable,
    source: sql.Composable,
    condition: sql.Composable,
) -> int:
    """Record a rejection for each staged row that ``condition`` selects."""
    cursor.execute(
        sql.SQL(
            "insert into {rejects} (table_name, row_number, key, reason) "
            "select {table}, staged.{row_number}, {key}, {reason} "
            "from {source} where {condition}"
        ).format(
            rejects=REJECTS_TABLE,
            table=sql.Literal(spec.name),
            row_number=sql.Identifier(ROW_NUMBER),
            key=_staged_key(spec),
            reason=reason,
            source=source,
            condition=condition,
        )
    )
    return cursor.rowcount


def _check_unique_keys(cursor: psycopg.Cursor, spec: TableSpec) -> int:
    """Reject staged rows whose unique key belongs to another existing row."""
    found = 0
    for keys in spec.unique_keys:
        matches = sql.SQL(" and ").join(
            sql.SQL("existing.{0} = staged.{0}").format(sql.Identifier(name))
            for name in keys
        )
        source = sql.SQL("{} as staged join {} as existing on {}").format(
            _stage(spec.name), _target(spec.name), matches
        )
        if keys == ("email",):
            # Rejection reasons reach logs and CSV files; an address must not.
            reason = sql.SQL("format({}, existing.id)").format(
                sql.Literal(f"email already belongs to {spec.name} row %s")
            )
        elif len(keys) == 1:
            reason = sql.SQL("format({}, staged.{}, existing.id)").format(
                sql.Literal(f"{keys[0]} %L already belongs to {spec.name} row %s"),
                sql.Identifier(keys[0]),
            )
        else:
            reason = sql.SQL("format({}, existing.id)").format(
                sql.Literal(f"({', '.join(keys)}) already exists as {spec.name} row %s")
            )
        found += _insert_rejects(
            cursor, spec, reason, source, sql.SQL("existing.id <> staged.id")
        )
    return found


def _check_foreign_keys(
    cursor: psycopg.Cursor, spec: TableSpec, staged_tables: Iterable[str]
) -> int:
    """Reject staged rows whose parent row is in neither the batch nor the warehouse."""
    found = 0
    for column, parent in spec.foreign_keys:
        value = sql.SQL("staged.{}").format(sql.Identifier(column))
        conditions = [
            sql.SQL("{} is not null").format(value),
            sql.SQL(
                "not exists (select 1 from {} as parent where parent.id = {})"
            ).format(_target(parent), value),
        ]
        if parent in staged_tables:
            conditions.append(
                sql.SQL(
                    "not exists (select 1 from {} as parent where parent.id = {})"
                ).format(_stage(parent), value)
            )
        reason = sql.SQL(
            "case when exists (select 1 from {rejects} as rejected "
            "where rejected.table_name = {parent} and rejected.key = {value}::text) "
            "then format({rejected_reason}, {value}) "
            "else format({missing_reason}, {value}) end"
        ).format(
            rejects=REJECTS_TABLE,
            parent=sql.Literal(parent),
            value=value,
            rejected_reason=sql.Literal(
                f"{column} %s refers to a rejected {parent} row"
            ),
            missing_reason=sql.Literal(f"{column} %s not found in {parent}"),
        )
        source = sql.SQL("{} as staged").format(_stage(spec.name))
        found += _insert_rejects(
            cursor, spec, reason, source, sql.SQL(" and ").join(conditions)
        )
    return found


def _check_json(cursor: psycopg.Cursor, spec: TableSpec) -> int:
    found = 0
    for column in spec.columns:
        if column.kind is not Kind.JSONB:
            continue
        value = sql.SQL("staged.{}").format(sql.Identifier(column.name))
        found += _insert_rejects(
            cursor,
            spec,
            sql.Literal(f"{column.name} is not valid JSON for jsonb"),
            sql.SQL("{} as staged").format(_stage(spec.name)),
            sql.SQL("{0} is not null and not pg_input_is_valid({0}, 'jsonb')").format(
                value
            ),
        )
    return found


def _remove_rejected(cursor: psycopg.Cursor, spec: TableSpec) -> int:
    cursor.execute(
        sql.SQL(
            "delete from {stage} as staged using {rejects} as rejected "
            "where rejected.table_name = {table} "
            "and rejected.row_number = staged.{row_number}"
        ).format(
            stage=_stage(spec.name),
            rejects=REJECTS_TABLE,
            table=sql.Literal(spec.name),
            row_number=sql.Identifier(ROW_NUMBER),
        )
    )
    return cursor.rowcount


def _insert_staged(cursor: psycopg.Cursor, spec: TableSpec) -> int:
    """Insert the staged rows into the chat table and return the number of new rows."""
    values = [
        sql.SQL(
            "staged.{}::jsonb" if column.kind is Kind.JSONB else "staged.{}"
        ).format(sql.Identifier(column.name))
        for column in spec.columns
    ]
    same_key = sql.SQL(" and ").join(
        sql.SQL("existing.{0} = staged.{0}").format(sql.Identifier(name))
        for name in spec.primary_key
    )
    # The anti-join drops the rows already present in one hash join, which is
    # much cheaper than a conflict check per row when a load is repeated. ON
    # CONFLICT still covers a row committed meanwhile by a writer that does not
    # take the load lock.
    cursor.execute(
        sql.SQL(
            "insert into {target} ({columns}) select {values} from {stage} as staged "
            "where not exists (select 1 from {target} as existing where {same_key}) "
            "on conflict ({primary_key}) do nothing"
        ).format(
            target=_target(spec.name),
            columns=sql.SQL(", ").join(sql.Identifier(c.name) for c in spec.columns),
            values=sql.SQL(", ").join(values),
            stage=_stage(spec.name),
            same_key=same_key,
            primary_key=sql.SQL(", ").join(
                sql.Identifier(name) for name in spec.primary_key
            ),
        )
    )
    return cursor.rowcount


def _fetch_rejects(cursor: psycopg.Cursor) -> list[RejectedRow]:
    cursor.execute(
        sql.SQL(
            "select table_name, row_number, key, "
            "string_agg(reason, '; ' order by reject_id) "
            "from {} group by table_name, row_number, key"
        ).format(REJECTS_TABLE)
    )
    order = {name: position for position, name in enumerate(TABLES)}
    rows = [
        RejectedRow(table, int(row_number), key, reason)
        for table, row_number, key, reason in cursor.fetchall()
    ]
    rows.sort(key=lambda row: (order[row.table], row.row_number))
    return rows


# -- the load ------------------------------------------------------------------


def _strict_error(report: LoadReport) -> RejectedRowsError:
    examples = "; ".join(
        _describe(row).strip() for row in report.rejected_rows[:STRICT_ERROR_EXAMPLES]
    )
    total = sum(counts.input_rows for counts in report.tables.values())
    return RejectedRowsError(
        f"strict load rejected {report.rejected:,} of {total:,} row(s), so nothing "
        f"was loaded; first rejections: {examples}. Fix or drop these rows, or "
        "load without strict mode to skip them",
        report,
    )


def load_tables(
    dsn: str | None, tables: Mapping[str, pl.DataFrame], *, strict: bool = False
) -> LoadReport:
    """Validate polars frames and load them into the chat tables in one transaction.

    Parameters
    ----------
    dsn : str or None
        libpq connection string of the warehouse; None uses the environment or
        the embedded server (see :func:`chat_analytics.warehouse.resolve_dsn`).
        The chat schema must exist.
    tables : mapping of str to polars.DataFrame
        Rows per chat table; any subset of the 11 tables. Columns that are
        nullable or have a default may be omitted. uuid columns are String,
        timestamps naive Datetime in UTC (or ISO 8601 String), text[] columns
        List(String) and jsonb columns String JSON text.
    strict : bool, default False
        Load nothing when any row is invalid.

    Returns
    -------
    LoadReport
        Rows inserted, already present and rejected per table, with the reason
        of each rejection.

    Raises
    ------
    LoadError
        When a table or column is unknown, a required column is missing or has
        an unusable dtype; nothing is written.
    RejectedRowsError
        In strict mode, when any row is rejected; nothing is written.
    WarehouseError
        When the database fails during the load; the transaction is rolled back.

    Notes
    -----
    Rows whose primary key already exists are skipped, never updated. A row
    whose unique key (username, email, the friends and invitation pairs,
    join_code) belongs to an existing row with a different id is rejected.
    Within a batch, the first of several rows with the same key is kept.
    """
    started = time.perf_counter()
    _check_tables_argument(tables)
    names = [name for name in TABLES if name in tables]
    prepared = {name: prepare_table(name, tables[name]) for name in names}
    logger.info(
        "validated %d table(s) in polars in %.2f s",
        len(names),
        time.perf_counter() - started,
    )

    resolved = resolve_dsn(dsn)
    logger.info("loading into %s", redact_dsn(resolved))
    try:
        report = _load_prepared(resolved, prepared, strict)
    except RejectedRowsError as error:
        error.report.elapsed_seconds = time.perf_counter() - started
        raise
    except psycopg.Error as error:
        raise WarehouseError(
            f"load into {redact_dsn(resolved)} failed and was rolled back, so "
            f"nothing was written: {str(error).strip()}"
        ) from error
    report.elapsed_seconds = time.perf_counter() - started
    logger.info(
        "load finished in %.2f s: %d inserted, %d already present, %d rejected",
        report.elapsed_seconds,
        report.inserted,
        report.skipped,
        report.rejected,
    )
    return report


def _load_prepared(
    dsn: str, prepared: dict[str, PreparedTable], strict: bool
) -> LoadReport:
    staged_counts: dict[str, int] = {}
    sql_rejected: dict[str, int] = {}
    with connect(dsn) as connection, connection.cursor() as cursor:
        # temp_buffers can only change before the session first uses a temporary
        # table, which holds because the connection is new.
        cursor.execute(
            sql.SQL("set temp_buffers = {}").format(sql.Literal(TEMP_BUFFERS))
        )
        with connection.transaction():
            cursor.execute("select pg_advisory_xact_lock(hashtext(%s))", (LOCK_NAME,))
            cursor.execute(
                sql.SQL("set local work_mem = {}").format(sql.Literal(WORK_MEM))
            )
            cursor.execute(
                sql.SQL(
                    "create temp table {} (reject_id bigint generated always as "
                    "identity, table_name text not null, row_number bigint not null, "
                    "key text, reason text not null) on commit drop"
                ).format(REJECTS_TABLE)
            )
            cursor.execute(
                sql.SQL("create index on {} (table_name, key)").format(REJECTS_TABLE)
            )
            for name, table in prepared.items():
                step_started = time.perf_counter()
                _create_staging(cursor, table.spec)
                _copy_rejects(cursor, table)
                _copy_rows(cursor, table)
                staged_counts[name] = table.rows.height
                found = _check_unique_keys(cursor, table.spec)
                found += _check_json(cursor, table.spec)
                found += _check_foreign_keys(cursor, table.spec, prepared)
                sql_rejected[name] = (
                    _remove_rejected(cursor, table.spec) if found else 0
                )
                logger.debug(
                    "%s: staged %d row(s), rejected %d in polars and %d in SQL "
                    "in %.2f s",
                    name,
                    table.rows.height,
                    table.rejects.height,
                    sql_rejected[name],
                    time.perf_counter() - step_started,
                )

            rejected_rows = _fetch_rejects(cursor)
            report = LoadReport(rejected_rows=rejected_rows)
            if strict and rejected_rows:
                report.committed = False
                for name, table in prepared.items():
                    rejected = table.rejects.height + sql_rejected[name]
                    report.tables[name] = TableCounts(table.input_rows, 0, 0, rejected)
                # Leaving the transaction block with an error rolls it back.
                raise _strict_error(report)

            for name, table in prepared.items():
                step_started = time.perf_counter()
                inserted = _insert_staged(cursor, table.spec)
                rejected = table.rejects.height + sql_rejected[name]
                skipped = staged_counts[name] - sql_rejected[name] - inserted
                report.tables[name] = TableCounts(
                    table.input_rows, inserted, skipped, rejected
                )
                logger.info(
                    "%s: %d row(s) in, %d inserted in %.2f s, %d already present, "
                    "%d rejected",
                    name,
                    table.input_rows,
                    inserted,
                    time.perf_counter() - step_started,
                    skipped,
                    rejected,
                )
    return report


def load_directory(
    dsn: str | None, path: str | Path, *, strict: bool = False
) -> LoadReport:
    """Load a folder of ``<table>.parquet`` files, one per chat table.

    Parameters
    ----------
    dsn : str or None
        As in :func:`load_tables`.
    path : str or Path
        Folder with files such as ``profiles.parquet``; other files are ignored.
    strict : bool, default False
        Load nothing when any row is invalid.

    Returns
    -------
    LoadReport
        As in :func:`load_tables`.

    Raises
    ------
    LoadError
        When the folder or a file cannot be used (see :func:`read_directory`),
        and in the cases of :func:`load_tables`.
    """
    started = time.perf_counter()
    frames = read_directory(path)
    logger.info(
        "read %d Parquet file(s) with %d row(s) from %s in %.2f s",
        len(frames),
        sum(frame.height for frame in frames.values()),
        path,
        time.perf_counter() - started,
    )
    return load_tables(dsn, frames, strict=strict)
