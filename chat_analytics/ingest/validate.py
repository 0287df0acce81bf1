"""Column specifications of the 11 chat tables and the row checks run before loading.

The checks that need only the batch run here in polars, vectorised, before any
row is sent to PostgreSQL: type coercion, NOT NULL, NUL bytes, lengths, value
rules, and duplicate keys within the batch. The checks that need the warehouse
(foreign keys and unique keys against existing rows) run as SQL over the
staging tables; :mod:`chat_analytics.ingest.loader` builds that SQL from the
same specifications.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import polars as pl

from chat_analytics.errors import LoadError
from chat_analytics.warehouse.schema import TABLES

__all__ = [
    "Kind",
    "Column",
    "TableSpec",
    "TABLE_SPECS",
    "ROW_NUMBER",
    "REASON",
    "PreparedTable",
    "prepare_table",
]

# Names of the two columns that preparation adds to a frame. The first is the
# 0-based position of the row in the input frame, the second why it is rejected.
ROW_NUMBER = "load_row_number"
REASON = "load_reject_reason"

# Statuses that friends and chat_invitations rows may have.
STATUSES = ("pending", "accepted", "declined")
# Canonical text form of a UUID, after lower-casing.
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# Timestamps are written to COPY as ISO 8601 text. PostgreSQL reads that form
# for years 1 to 9999, and polars writes other years in a form it rejects.
MIN_YEAR = 1
MAX_YEAR = 9999
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
# Input values quoted in a reason are cut to this many characters.
MAX_QUOTED_CHARS = 60
TRUE_STRINGS = ("t", "true", "y", "yes", "on", "1")
FALSE_STRINGS = ("f", "false", "n", "no", "off", "0")


class Kind(enum.Enum):
    """PostgreSQL type family of a column, as far as loading is concerned."""

    UUID = "uuid"
    TEXT = "text"
    TIMESTAMP = "timestamp"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    TEXT_ARRAY = "text[]"
    JSONB = "jsonb"


NULL_COLUMN_DTYPES: dict[Kind, pl.DataType] = {
    Kind.UUID: pl.String(),
    Kind.TEXT: pl.String(),
    Kind.JSONB: pl.String(),
    Kind.TIMESTAMP: pl.Datetime("us"),
    Kind.BOOLEAN: pl.Boolean(),
    Kind.INTEGER: pl.Int64(),
    Kind.TEXT_ARRAY: pl.List(pl.String),
}


@dataclass(frozen=True)
class Column:
    """One column of a chat table.

    ``max_length`` is the n of ``varchar(n)``; ``has_default`` is true when the
    DDL gives a default other than null.
    """

    name: str
    kind: Kind
    nullable: bool = False
    has_default: bool = False
    max_length: int | None = None

    @property
    def required(self) -> bool:
        """Whether an input frame must contain this column."""
        return not (self.nullable or self.has_default)


@dataclass(frozen=True)
class TableSpec:
    """Columns and keys of one chat table.

    Every foreign key references the ``id`` column of its parent table.
    """

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ("id",)
    unique_keys: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[tuple[str, str], ...] = ()
    allowed_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns to sort new rows by before inserting them; the primary key
    # unless a table names the columns of a larger index.
    clustering: tuple[str, ...] = ()

    @property
    def insert_order(self) -> tuple[str, ...]:
        """Columns that new rows are sorted by before they are inserted."""
        return self.clustering or self.primary_key

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of all columns in DDL order."""
        return tuple(column.name for column in self.columns)


def _uuid(name: str, *, nullable: bool = False, default: bool = False) -> Column:
    return Column(name, Kind.UUID, nullable=nullable, has_default=default)


def _id() -> Column:
    return _uuid("id", default=True)


def _text(
    name: str,
    max_length: int | None = None,
    *,
    nullable: bool = False,
    default: bool = False,
) -> Column:
    return Column(
        name,
        Kind.TEXT,
        nullable=nullable,
        has_default=default,
        max_length=max_length,
    )


def _timestamp(name: str, *, nullable: bool = False) -> Column:
    # Every NOT NULL timestamp of the chat tables defaults to current_timestamp.
    default = not nullable
    return Column(name, Kind.TIMESTAMP, nullable=nullable, has_default=default)


def _boolean(name: str) -> Column:
    return Column(name, Kind.BOOLEAN, has_default=True)


def _jsonb(name: str) -> Column:
    return Column(name, Kind.JSONB, nullable=True)


# The same columns, types, nullability and defaults as schema.sql; a test
# compares this table with the catalog of a database built from that file.
TABLE_SPECS: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "profiles",
            (
                _id(),
                _text("username", 255),
                _text("display_name", 255),
                _text("avatar_url"),
                _timestamp("created_at"),
                _timestamp("updated_at"),
                _text("ai_character_id", 255, nullable=True),
                _text("user_role", 50, default=True),
                _text("email", 255),
                _text("bio", nullable=True),
                _timestamp("last_username_changed_at", nullable=True),
                _boolean("prompt_username_setup"),
            ),
            unique_keys=(("username",), ("email",)),
        ),
        TableSpec(
            "chats",
            (
                _id(),
                _text("title", 255),
                _timestamp("created_at"),
                _timestamp("updated_at"),
                _text("current_ai_character_id", 255, nullable=True),
                _uuid("created_by"),
            ),
            foreign_keys=(("created_by", "profiles"),),
        ),
        TableSpec(
            "chat_participants",
            (
                _uuid("chat_id"),
                _uuid("user_id"),
                _timestamp("joined_at"),
            ),
            primary_key=("chat_id", "user_id"),
            foreign_keys=(("chat_id", "chats"), ("user_id", "profiles")),
        ),
        TableSpec(
            "messages",
            (
                _id(),
                _uuid("chat_id"),
                _uuid("sender_id", nullable=True),
                _text("content"),
                _boolean("is_ai"),
                _text("ai_character_id", 255, nullable=True),
                _timestamp("created_at"),
                _timestamp("updated_at"),
                _timestamp("deleted_at", nullable=True),
                Column("mentioned_users", Kind.TEXT_ARRAY, nullable=True),
                _boolean("is_system_message"),
                _jsonb("mentions_data"),
            ),
            foreign_keys=(("chat_id", "chats"), ("sender_id", "profiles")),
            clustering=("chat_id", "created_at"),
        ),
        TableSpec(
            "friends",
            (
                _id(),
                _uuid("user_id"),
                _uuid("friend_id"),
                _text("status", 20, default=True),
                _timestamp("created_at"),
                _timestamp("updated_at"),
            ),
            unique_keys=(("user_id", "friend_id"),),
            foreign_keys=(("user_id", "profiles"), ("friend_id", "profiles")),
            allowed_values={"status": STATUSES},
        ),
        TableSpec(
            "notifications",
            (
                _id(),
                _uuid("user_id"),
                _text("type", 50),
                _text("title", 255),
                _text("message"),
                _jsonb("data"),
                _timestamp("created_at"),
                _boolean("read"),
                _timestamp("updated_at"),
                _timestamp("seen_at", nullable=True),
            ),
            foreign_keys=(("user_id", "profiles"),),
        ),
        TableSpec(
            "file_attachments",
            (
                _id(),
                _uuid("message_id", nullable=True),
                _uuid("chat_id", nullable=True),
                _uuid("user_id", nullable=True),
                _text("file_name", 255),
                Column("file_size", Kind.INTEGER),
                _text("file_type", 100),
                _text("file_path"),
                _timestamp("created_at"),
            ),
            foreign_keys=(
                ("message_id", "messages"),
                ("chat_id", "chats"),
                ("user_id", "profiles"),
            ),
        ),
        TableSpec(
            "anonymous_chats",
            (
                _id(),
                _text("join_code", 50, nullable=True),
                _timestamp("created_at"),
                _timestamp("expires_at", nullable=True),
            ),
            unique_keys=(("join_code",),),
        ),
        TableSpec(
            "anonymous_chat_users",
            (
                _id(),
                _uuid("chat_id"),
                _text("guest_id", 100, nullable=True),
                _timestamp("created_at"),
            ),
            foreign_keys=(("chat_id", "anonymous_chats"),),
        ),
        TableSpec(
            "anonymous_messages",
            (
                _id(),
                _uuid("chat_id"),
                _text("guest_id", 100, nullable=True),
                _text("content"),
                _timestamp("created_at"),
            ),
            foreign_keys=(("chat_id", "anonymous_chats"),),
            clustering=("chat_id", "created_at"),
        ),
        TableSpec(
            "chat_invitations",
            (
                _id(),
                _uuid("chat_id"),
                _uuid("inviting_user_id"),
                _uuid("invited_user_id"),
                _text("status", 20, default=True),
                _timestamp("created_at"),
            ),
            unique_keys=(("chat_id", "invited_user_id"),),
            foreign_keys=(
                ("chat_id", "chats"),
                ("inviting_user_id", "profiles"),
                ("invited_user_id", "profiles"),
            ),
            allowed_values={"status": STATUSES},
        ),
    )
}
assert tuple(TABLE_SPECS) == TABLES, "TABLE_SPECS must follow the foreign-key order"


@dataclass(frozen=True)
class PreparedTable:
    """A table after the checks that need only the batch.

    ``rows`` contains the accepted rows in the form COPY reads: the input
    ``columns``, converted, then :data:`ROW_NUMBER`. ``rejects`` contains one
    row per rejected input row, with :data:`ROW_NUMBER`, ``key`` and
    :data:`REASON`.
    """

    spec: TableSpec
    columns: tuple[str, ...]
    rows: pl.DataFrame
    rejects: pl.DataFrame
    input_rows: int


def _printable(expression: pl.Expr) -> pl.Expr:
    """Return text with NUL bytes spelled out, so it can be stored in PostgreSQL."""
    return expression.cast(pl.String).str.replace_all("\x00", "\\x00", literal=True)


def _quoted(expression: pl.Expr) -> pl.Expr:
    """Return a column's text for a reason, quoted and cut to a readable length."""
    text = _printable(expression)
    cut = (
        pl.when(text.str.len_chars() > MAX_QUOTED_CHARS)
        .then(text.str.slice(0, MAX_QUOTED_CHARS) + pl.lit("..."))
        .otherwise(text)
    )
    return pl.lit("'") + cut + pl.lit("'")


def _reason_if(condition: pl.Expr, reason: str | pl.Expr) -> pl.Expr:
    message = pl.lit(reason) if isinstance(reason, str) else reason
    return pl.when(condition).then(message)


def _dtype_error(
    table: str, column: Column, dtype: pl.DataType, expected: str
) -> LoadError:
    return LoadError(
        f"column {table}.{column.name} has dtype {dtype}; expected {expected}. "
        "Convert the column before loading"
    )


def _is_string(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))


def _convert_column(
    table: str, column: Column, dtype: pl.DataType
) -> tuple[pl.Expr, list[pl.Expr]]:
    """Return the expression that converts one input column and its reason expressions.

    Raises :class:`LoadError` when the dtype cannot hold the column's type at all.
    """
    name = column.name
    raw = pl.col(name)
    reasons: list[pl.Expr] = []
    if dtype == pl.Null:
        # A column of nulls only: give it the dtype its kind expects.
        dtype = NULL_COLUMN_DTYPES[column.kind]
        raw = raw.cast(dtype)

    if column.kind is Kind.UUID:
        if not _is_string(dtype):
            raise _dtype_error(table, column, dtype, "String (UUID text)")
        value = raw.cast(pl.String).str.to_lowercase()
        malformed = value.is_not_null() & ~value.str.contains(UUID_PATTERN)
        reasons.append(
            _reason_if(
                malformed, pl.lit(f"{name} is not a valid UUID: ") + _quoted(raw)
            )
        )
        return value, reasons

    if column.kind in (Kind.TEXT, Kind.JSONB):
        if not _is_string(dtype):
            raise _dtype_error(table, column, dtype, "String")
        value = raw.cast(pl.String)
        reasons.append(
            _reason_if(
                value.str.contains("\x00", literal=True),
                f"{name} contains a NUL byte, which PostgreSQL text cannot store",
            )
        )
        if column.max_length is not None:
            reasons.append(
                _reason_if(
                    value.str.len_chars() > column.max_length,
                    f"{name} is longer than {column.max_length} characters",
                )
            )
        return value, reasons

    if column.kind is Kind.TIMESTAMP:
        if isinstance(dtype, pl.Datetime):
            value = raw
            if dtype.time_zone is not None:
                value = value.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        elif dtype == pl.Date:
            value = raw.cast(pl.Datetime("us"))
        elif _is_string(dtype):
            text = raw.cast(pl.String).str.strip_chars().str.replace("T", " ", n=1)
            value = pl.coalesce(
                text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False),
                text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%#z", strict=False)
                .dt.convert_time_zone("UTC")
                .dt.replace_time_zone(None),
                text.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us")),
            )
            reasons.append(
                _reason_if(
                    raw.is_not_null() & value.is_null(),
                    pl.lit(f"{name} is not a valid timestamp: ") + _quoted(raw),
                )
            )
        else:
            raise _dtype_error(table, column, dtype, "Datetime, Date or String")
        year = value.dt.year()
        reasons.append(
            _reason_if(
                (year < MIN_YEAR) | (year > MAX_YEAR),
                f"{name} is outside the years {MIN_YEAR} to {MAX_YEAR}",
            )
        )
        return value, reasons

    if column.kind is Kind.BOOLEAN:
        if dtype == pl.Boolean:
            return raw, reasons
        if _is_string(dtype):
            text = raw.cast(pl.String).str.strip_chars().str.to_lowercase()
            value = (
                pl.when(text.is_in(TRUE_STRINGS))
                .then(pl.lit(True))
                .when(text.is_in(FALSE_STRINGS))
                .then(pl.lit(False))
                .otherwise(pl.lit(None, dtype=pl.Boolean))
            )
        elif dtype.is_integer():
            value = (
                pl.when(raw == 1)
                .then(pl.lit(True))
                .when(raw == 0)
                .then(pl.lit(False))
                .otherwise(pl.lit(None, dtype=pl.Boolean))
            )
        else:
            raise _dtype_error(table, column, dtype, "Boolean")
        reasons.append(
            _reason_if(
                raw.is_not_null() & value.is_null(),
                pl.lit(f"{name} is not a valid boolean: ") + _quoted(raw),
            )
        )
        return value, reasons

    if column.kind is Kind.INTEGER:
        if dtype.is_integer():
            value = raw.cast(pl.Int64, strict=False)
        elif _is_string(dtype):
            value = raw.cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False)
        else:
            raise _dtype_error(table, column, dtype, "an integer dtype")
        reasons.append(
            _reason_if(
                raw.is_not_null() & value.is_null(),
                pl.lit(f"{name} is not a valid integer: ") + _quoted(raw),
            )
        )
        reasons.append(
            _reason_if(
                (value < INT32_MIN) | (value > INT32_MAX),
                pl.lit(f"{name} is outside the integer range: ") + _quoted(raw),
            )
        )
        return value, reasons

    # Kind.TEXT_ARRAY
    if dtype == pl.String:
        raise _dtype_error(table, column, dtype, "List(String)")
    if not (isinstance(dtype, pl.List) and dtype.inner in (pl.String, pl.Null)):
        raise _dtype_error(table, column, dtype, "List(String)")
    value = raw.cast(pl.List(pl.String))
    has_nul = value.list.eval(
        pl.element().str.contains("\x00", literal=True)
    ).list.any()
    reasons.append(
        _reason_if(
            has_nul, f"{name} contains a NUL byte, which PostgreSQL text cannot store"
        )
    )
    return value, reasons


def _array_literal(value: pl.Expr) -> pl.Expr:
    """Return a List(String) column as PostgreSQL array literals such as {"a","b"}."""
    element = pl.element()
    quoted = (
        pl.when(element.is_null())
        .then(pl.lit("NULL"))
        .otherwise(
            pl.lit('"')
            + element.str.replace_all("\\", "\\\\", literal=True).str.replace_all(
                '"', '\\"', literal=True
            )
            + pl.lit('"')
        )
    )
    return pl.lit("{") + value.list.eval(quoted).list.join(",") + pl.lit("}")


def _table_rules(spec: TableSpec, present: set[str]) -> list[pl.Expr]:
    """Return the reason expressions of the rules that involve several columns."""
    reasons: list[pl.Expr] = []
    for name, allowed in spec.allowed_values.items():
        if name in present:
            reasons.append(
                _reason_if(
                    pl.col(name).is_not_null() & ~pl.col(name).is_in(allowed),
                    pl.lit(f"{name} is not one of {', '.join(allowed)}: ")
                    + _quoted(pl.col(name)),
                )
            )
    if spec.name == "friends":
        reasons.append(
            _reason_if(
                pl.col("user_id") == pl.col("friend_id"),
                "user_id equals friend_id (a user cannot befriend themselves)",
            )
        )
    if spec.name == "messages":
        reasons.append(_reason_if(pl.col("content") == "", "content is empty"))
        if "is_system_message" in present and "sender_id" in present:
            reasons.append(
                _reason_if(
                    pl.col("is_system_message") & pl.col("sender_id").is_not_null(),
                    "system message has a sender_id (system messages have none)",
                )
            )
    return reasons


def _key_expression(spec: TableSpec, frame_columns: set[str]) -> pl.Expr:
    """Return the text that identifies a row in reports: the primary key value(s)."""
    parts = [
        _printable(pl.col(name)) for name in spec.primary_key if name in frame_columns
    ]
    if not parts:
        return pl.lit(None, dtype=pl.String)
    if len(parts) == 1:
        return parts[0]
    return pl.concat_str(parts, separator=",")


def _check_columns(spec: TableSpec, frame: pl.DataFrame) -> None:
    known = set(spec.column_names)
    for name in frame.columns:
        if name not in known:
            raise LoadError(
                f"unknown column {spec.name}.{name}; the columns of {spec.name} are "
                f"{', '.join(spec.column_names)}. Drop or rename the column"
            )
    missing = [
        c.name for c in spec.columns if c.required and c.name not in frame.columns
    ]
    if missing:
        raise LoadError(
            f"table {spec.name} is missing the required column(s) "
            f"{', '.join(missing)}; they are NOT NULL without a default. Add them"
        )


def _duplicate_reasons(
    spec: TableSpec, accepted: pl.DataFrame, keys: tuple[str, ...]
) -> pl.DataFrame:
    """Return (row number, reason) of rows whose ``keys`` repeat an earlier row.

    Rows with a null in any key column never count as duplicates, as in a
    PostgreSQL unique constraint.
    """
    candidates = accepted.select(ROW_NUMBER, *keys).drop_nulls(keys)
    if len(keys) == 1:
        repeated = ~pl.col(keys[0]).is_first_distinct()
    else:
        repeated = ~pl.struct(keys).is_first_distinct()
    duplicates = candidates.filter(repeated)
    if duplicates.height == 0:
        return pl.DataFrame(schema={ROW_NUMBER: pl.UInt32, REASON: pl.String})
    first_rows = candidates.group_by(keys).agg(pl.col(ROW_NUMBER).min().alias("first"))
    duplicates = duplicates.join(first_rows, on=list(keys), how="left")
    if keys == ("email",):
        # Rejection reasons reach logs and CSV files; an address must not.
        label = pl.lit("duplicate email")
    elif len(keys) == 1:
        label = pl.lit(f"duplicate {keys[0]} ") + _quoted(pl.col(keys[0]))
    else:
        label = pl.lit(f"duplicate ({', '.join(keys)}) ") + pl.concat_str(
            [_quoted(pl.col(name)) for name in keys], separator=", "
        )
    reason = (
        label
        + pl.lit(" in the batch (first at row ")
        + pl.col("first").cast(pl.String)
        + pl.lit(")")
    )
    return duplicates.select(ROW_NUMBER, reason.alias(REASON))


def prepare_table(name: str, frame: pl.DataFrame) -> PreparedTable:
    """Check and convert one input frame with the rules that need only the batch.

    Parameters
    ----------
    name : str
        One of the 11 chat table names.
    frame : polars.DataFrame
        The rows to load; omitted columns must be nullable or have a default.

    Returns
    -------
    PreparedTable
        The accepted rows, converted for COPY, and the rejected rows with reasons.

    Raises
    ------
    LoadError
        When a column is unknown, a required column is missing, or a column's
        dtype cannot hold the column's type.
    """
    spec = TABLE_SPECS[name]
    _check_columns(spec, frame)
    columns = tuple(c for c in spec.column_names if c in frame.columns)
    present = set(columns)

    converted: list[pl.Expr] = []
    column_reasons: list[pl.Expr] = []
    for column_name in columns:
        column = spec.column(column_name)
        value, reasons = _convert_column(name, column, frame.schema[column_name])
        if not column.nullable:
            column_reasons.append(
                _reason_if(
                    pl.col(column_name).is_null(),
                    f"{column_name} is null (NOT NULL column)",
                )
            )
        column_reasons.extend(reasons)
        converted.append(value.alias(column_name))

    # The column checks read the input values, so they run in the same pass as
    # the conversion. The rules across columns run in a second pass because
    # they compare converted values, such as lower-cased UUIDs. concat_str
    # returns "" when every reason is null, so "" means the row is valid.
    column_reason = (
        pl.concat_str(column_reasons, separator="; ", ignore_nulls=True)
        if column_reasons
        else pl.lit("")
    )
    first_reason = pl.col(REASON)
    checked = (
        frame.with_row_index(ROW_NUMBER)
        .lazy()
        .select(pl.col(ROW_NUMBER), *converted, column_reason.alias(REASON))
        .with_columns(
            pl.concat_str(
                [pl.when(first_reason != "").then(first_reason)]
                + _table_rules(spec, present),
                separator="; ",
                ignore_nulls=True,
            ).alias(REASON),
        )
        .collect()
    )
    rejected_mask = pl.col(REASON) != ""
    key = _key_expression(spec, present).alias("key")
    rejects = [checked.filter(rejected_mask).select(ROW_NUMBER, key, REASON)]
    accepted = checked.filter(~rejected_mask)

    # Duplicates within the batch: the first accepted occurrence is kept and
    # later ones are rejected; primary keys first, then each unique key.
    for keys in (spec.primary_key, *spec.unique_keys):
        if not set(keys) <= present:
            continue
        duplicates = _duplicate_reasons(spec, accepted, keys)
        if duplicates.height:
            rejected_rows = duplicates.get_column(ROW_NUMBER)
            rejects.append(
                accepted.filter(pl.col(ROW_NUMBER).is_in(rejected_rows.implode()))
                .select(ROW_NUMBER, key)
                .join(duplicates, on=ROW_NUMBER)
            )
            accepted = accepted.filter(
                ~pl.col(ROW_NUMBER).is_in(rejected_rows.implode())
            )

    copy_columns = []
    for column_name in columns:
        if spec.column(column_name).kind is Kind.TEXT_ARRAY:
            copy_columns.append(_array_literal(pl.col(column_name)).alias(column_name))
        else:
            copy_columns.append(pl.col(column_name))
    # Rows are sent sorted by the key of the table's largest index, so the
    # inserts into chat.<table> walk that index in order instead of at random
    # and touch fewer pages.
    order = [name for name in spec.insert_order if name in present] or [ROW_NUMBER]
    rows = accepted.sort(order, maintain_order=True).select(
        *copy_columns, pl.col(ROW_NUMBER)
    )
    rejected = pl.concat(rejects, how="vertical_relaxed").sort(ROW_NUMBER)
    return PreparedTable(spec, columns, rows, rejected, frame.height)
