"""Building blocks of the synthetic generator: random streams, calendar and ids.

Times inside the generator are float hours since the start of the period; they
become microsecond timestamps only when a table is assembled.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
import pyarrow as pa

from chat_analytics.ingest import generate_params as params

US_PER_HOUR = 3_600_000_000
SECONDS_PER_HOUR = 3600.0
HOURS_PER_DAY = 24.0
HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def random_stream(seed: int, name: str) -> np.random.Generator:
    """Return the random generator of one named stage for ``seed``.

    Each stage draws from its own stream, so a change in one stage leaves the
    numbers of the others as they were.
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode("ascii"))])


def lognormal(
    rng: np.random.Generator, median: float | np.ndarray, sigma: float, size: int
) -> np.ndarray:
    """Draw ``size`` lognormal values with the given median and log-sigma."""
    return median * np.exp(sigma * rng.standard_normal(size))


def expand_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(start, start + count)`` for each pair, vectorised."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    group_offsets = np.cumsum(counts) - counts
    within = np.arange(total, dtype=np.int64) - np.repeat(group_offsets, counts)
    return np.repeat(np.asarray(starts, dtype=np.int64), counts) + within


def rank_within_groups(group: np.ndarray) -> np.ndarray:
    """Return 0, 1, 2, ... within each run of equal values of sorted ``group``."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    is_first = np.ones(n, dtype=bool)
    is_first[1:] = group[1:] != group[:-1]
    first_index = np.maximum.accumulate(np.where(is_first, np.arange(n), 0))
    return np.arange(n) - first_index


def first_occurrences(keys: np.ndarray) -> np.ndarray:
    """Return the sorted positions of the first occurrence of each key."""
    _, first = np.unique(keys, return_index=True)
    return np.sort(first)


@dataclass(frozen=True)
class Calendar:
    """Activity intensity over the period and its inverse.

    ``activity[k]`` is the integral of the intensity from the start to hour
    ``k``, scaled so that the mean hourly intensity is 1. Drawing uniformly in
    activity units and mapping back with :meth:`to_hours` gives times that
    follow the daily and weekly cycles.
    """

    start: datetime
    hours: float
    knots: np.ndarray
    activity: np.ndarray
    signups: np.ndarray

    @classmethod
    def build(cls, start: date, days: int) -> Calendar:
        hour_count = days * 24
        hour_index = np.arange(hour_count)
        day_index = hour_index // 24
        weekday = (start.weekday() + day_index) % 7
        intensity = (
            params.HOUR_OF_DAY_FACTORS[hour_index % 24]
            * params.WEEKDAY_FACTORS[weekday]
        )
        if days >= params.SPECIAL_DAYS_MIN_DAYS:
            outage_day = int(days * params.OUTAGE_DAY_FRACTION)
            spike_day = int(days * params.SPIKE_DAY_FRACTION)
            intensity[day_index == outage_day] *= params.OUTAGE_DAY_FACTOR
            intensity[day_index == spike_day] *= params.SPIKE_DAY_FACTOR
        growth = np.exp(np.log(params.SIGNUP_GROWTH) * hour_index / hour_count)
        knots = np.arange(hour_count + 1, dtype=np.float64)
        return cls(
            start=datetime(start.year, start.month, start.day),
            hours=float(hour_count),
            knots=knots,
            activity=_cumulative(intensity),
            signups=_cumulative(intensity * growth),
        )

    def to_activity(self, hours: np.ndarray) -> np.ndarray:
        return np.interp(hours, self.knots, self.activity)

    def to_hours(self, activity: np.ndarray) -> np.ndarray:
        return np.interp(activity, self.activity, self.knots)

    def sample_between(
        self, rng: np.random.Generator, low: np.ndarray, high: np.ndarray
    ) -> np.ndarray:
        """Draw one time in ``[low, high]`` per pair, following the cycles."""
        low_activity = self.to_activity(low)
        high_activity = self.to_activity(high)
        drawn = low_activity + rng.random(len(low)) * (high_activity - low_activity)
        return np.clip(self.to_hours(drawn), low, high)

    def sample_signups(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw sorted signup times that follow the growing signup rate."""
        drawn = rng.random(size) * self.signups[-1]
        return np.sort(np.interp(drawn, self.signups, self.knots))


def _cumulative(intensity: np.ndarray) -> np.ndarray:
    total = np.concatenate([[0.0], np.cumsum(intensity)])
    return total * (len(intensity) / total[-1])


def timestamps(
    calendar: Calendar, hours: np.ndarray, *, within_period: bool = True
) -> pl.Series:
    """Convert float hours to a Datetime("us") series.

    With ``within_period``, values are clamped into the period, so they stay
    strictly before its end. NaN becomes NULL. Flooring and clamping keep the
    order of the inputs, so ``a <= b`` is still true after the conversion.
    """
    hours = np.asarray(hours, dtype=np.float64)
    missing = np.isnan(hours)
    end_us = int(calendar.hours) * US_PER_HOUR
    micros = np.floor(np.where(missing, 0.0, hours) * US_PER_HOUR).astype(np.int64)
    if within_period:
        micros = np.clip(micros, 0, end_us - 1)
    start_us = (calendar.start - datetime(1970, 1, 1)) // timedelta(microseconds=1)
    values = (micros + start_us).view("datetime64[us]")
    values[missing] = np.datetime64("NaT")
    return pl.Series(values, dtype=pl.Datetime("us"))


# Two hex digits per byte value, as one little-endian uint16 per byte.
_HEX_PAIRS = HEX_DIGITS[np.arange(256) >> 4].astype(np.uint16) | (
    HEX_DIGITS[np.arange(256) & 0x0F].astype(np.uint16) << 8
)


def random_uuids(rng: np.random.Generator, size: int) -> np.ndarray:
    """Return ``size`` random version-4 UUIDs as a (size, 36) array of ASCII text."""
    raw = np.frombuffer(rng.bytes(16 * size), dtype=np.uint8).reshape(size, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hex_digits = _HEX_PAIRS[raw].astype("<u2").view(np.uint8)
    text = np.full((size, 36), ord("-"), dtype=np.uint8)
    for hex_start, text_start, width in (
        (0, 0, 8),
        (8, 9, 4),
        (12, 14, 4),
        (16, 19, 4),
        (20, 24, 12),
    ):
        text[:, text_start : text_start + width] = hex_digits[
            :, hex_start : hex_start + width
        ]
    return text


def random_hex(rng: np.random.Generator, size: int, digits: int) -> np.ndarray:
    """Return ``size`` random lower-case hex strings as a (size, digits) array."""
    return HEX_DIGITS[rng.integers(0, 16, size=(size, digits))]


def fixed_width_strings(text: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    """Turn a (rows, width) array of ASCII bytes into a String series.

    Rows where ``valid`` is false become NULL. The bytes are handed to Arrow
    without a per-row Python step.
    """
    rows, width = text.shape
    data = np.ascontiguousarray(text, dtype=np.uint8).reshape(-1)
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int64)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    null_count = 0
    if valid is not None and not valid.all():
        buffers[0] = pa.py_buffer(np.packbits(valid, bitorder="little"))
        null_count = int((~valid).sum())
    array = pa.LargeStringArray.from_buffers(
        rows, buffers[1], buffers[2], buffers[0], null_count
    )
    return pl.Series(pl.from_arrow(array)).cast(pl.String)


def gather(values: pl.Series, index: np.ndarray) -> pl.Series:
    """Pick ``values[index]``; a negative index gives NULL."""
    index = np.asarray(index, dtype=np.int64)
    with_null = pl.concat([pl.Series([None], dtype=values.dtype), values])
    return with_null.gather(np.maximum(index + 1, 0))


def spread(values: pl.Series, rows: np.ndarray, size: int) -> pl.Series:
    """Place ``values`` at positions ``rows`` of a column of ``size`` NULLs."""
    index = np.full(size, -1, dtype=np.int64)
    index[rows] = np.arange(len(rows))
    return gather(values, index)


def choose_phrases(
    rng: np.random.Generator, phrases: tuple[str, ...], size: int
) -> pl.Series:
    """Pick ``size`` phrases uniformly at random."""
    return pl.Series(phrases, dtype=pl.String).gather(
        rng.integers(0, len(phrases), size)
    )
