"""The engine's internal column names, RNG stream tags and the small column helpers all passes use.

Every name the engine adds to a user's rows starts with ``__smote_`` so that it never clashes with
a user's column; user column names are always quoted (:func:`quote`). The stream tags are part of
every seed: changing one changes the rows a seed gives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DataType,
    DoubleType,
    IntegerType,
    LongType,
    StructField,
)

# ------------------------------------------------------------------ rows of the cell engine
CLS = "__smote_class"  # position of the row's class among all labels (sorted)
KEY = "__smote_key"  # a hash of the whole row: with the features, a stable order in a group
CELL = "__smote_cell"
PART = "__smote_part"
SLICE = "__smote_slice"  # which slice of a group's output a Python call writes
RANK = "__smote_rank"  # 0: the row's home cell; r > 0: its r-th guest cell
OTHER_RANK = -1  # RANK of a row of another class, stored as data in a class's cell
WEIGHT = "__smote_weight"  # a home row's measured base weight (Borderline-SMOTE, ADASYN)
TOTAL = "__smote_total"  # the total base weight of the home rows of a group
X = "__smote_x"  # features as one array column, when there are too many for flat columns
HASHED = "__smote_cells"  # the cells of a row, as the hash UDF's struct
OTHER_PREFIX = "__smote_o"  # + i: the user's i-th carried column (see other_names)

# ---------------------------------------------------------- cleaning (all classes, one space)
Y = "__smote_y"  # position of the row's class among all labels (CLS is 0 for every row)
KEY2 = "__smote_key2"  # a second, independent hash of the whole row: with KEY, its identity
NEAR, NEAR2 = "__smote_near", "__smote_near2"  # KEY, KEY2 of a row's nearest row
LINKED = "__smote_linked"  # whether a row is in a Tomek link
OCC, NEAR_OCC = "__smote_occ", "__smote_near_occ"  # a row's place among identical rows of a cell
NEAR_Y = "__smote_near_y"  # the class (Y) of a row's near row
NEAREST = "__smote_nearest"  # a row's nearest rows, merged from the cells searched

# ------------------------------------------------------------------ sparse rows
PARTS = "__smote_parts"  # a vector's stored form, parsed once per row (engine.vectors)
SI, SV = "__smote_si", "__smote_sv"  # a sparse row's non-zeros: indices and values

# ------------------------------------------------------------------ whole-row draws
BLOCK = "__smote_block"
ORDER = "__smote_order"  # the seeded row hash
ROW = "__smote_row"  # 1-based rank of a row in its block
COPIES = "__smote_copies"
COPY = "__smote_copy"  # 1-based number of a copy of a drawn row
MEMBER = "__smote_member"  # an ensemble member's position in a batch of members' samples
ROW_HASH = "__smote_row_hash"  # an unseeded hash of the row, seeded once per member

# ------------------------------------------------------------------ diagnostics and the job
SAMPLED = "__smote_sampled"
DIST = "__smote_dist"
CANDIDATES = "__smote_candidates"
FLAG = "__smote_synthetic"  # the job's synthetic flag when the user asked for none

# ------------------------------------------------------------------ RNG stream tags
# One tag per use, so that sampling, fitting and generation never share draws. The values fix
# the rows a seed gives: never change them. DRAW_STREAM and SKETCH_STREAM share the value 3 but
# never the entropy: draws seed (seed, 3, class, block), the sketch seeds (seed, 3) alone.
GENERATION_STREAM = 0
HASH_STREAM = 2
DRAW_STREAM = 3
SKETCH_STREAM = 3
NOISE_STREAM = 4
CENTROID_STREAM = 5

#: Up to this many features, they travel as flat double columns; above, as one array column.
FLAT_MAX_DIM = 256


def quote(name: str) -> str:
    """``name`` as a quoted identifier for ``F.col``: dots, spaces and backticks stay literal."""
    return "`" + name.replace("`", "``") + "`"


def feature_names(dim: int) -> list[str]:
    """Names of the feature columns the engine carries: flat when narrow, else one array."""
    return [f"{X}{i}" for i in range(dim)] if dim <= FLAT_MAX_DIM else [X]


def opaque_udf(function: Callable[..., Any], return_type: DataType) -> Any:
    """A pandas UDF of ``function`` that Spark's optimizer sees as opaque: declared
    nondeterministic (it is not: the same rows give the same values, so task retries are safe)
    so that no plan carries a constraint equating its column with a function of the features.
    Spark's constraint propagation copies such a constraint for every feature a later
    projection renames (``2^n`` copies for ``n`` features): with 20 features, a filter on the
    output of KMeansSMOTE or Borderline-SMOTE ran the driver out of memory."""
    return F.pandas_udf(function, return_type).asNondeterministic()  # type: ignore[call-overload]


def other_names(others: Sequence[str]) -> list[str]:
    """Internal names of the user's other columns carried through the engine."""
    return [f"{OTHER_PREFIX}{i}" for i in range(len(others))]


_TYPES: dict[str, DataType] = {
    "int": IntegerType(),
    "long": LongType(),
    "double": DoubleType(),
    "array<double>": ArrayType(DoubleType()),
}


def field(name: str, type_string: str) -> StructField:
    """A schema field named by a type string, e.g. ``field(CLS, "int")``."""
    return StructField(name, _TYPES[type_string])


def per_class(
    tasks: Sequence[Any], value: Callable[[Any], Any], key: Column | None = None
) -> Column:
    """``CASE key WHEN i THEN value(task_i) END`` (``tasks`` have an ``index``; ``key``: the
    ``CLS`` column unless given, e.g. :func:`class_index` of the input's label)."""
    key = F.col(CLS) if key is None else key
    expr = None
    for t in tasks:
        v = value(t)
        v = v if isinstance(v, Column) else F.lit(v)
        cond = key == t.index
        expr = F.when(cond, v) if expr is None else expr.when(cond, v)
    assert expr is not None
    return expr


class LabelledClass(Protocol):
    """A class the engine works on: its position among all labels and its label."""

    index: int
    label: Any


def class_index(label_col: str, classes: Sequence[LabelledClass]) -> Column:
    """``CASE label WHEN label_i THEN index_i END``: null for rows of other classes."""
    label = F.col(quote(label_col))
    expr = None
    for c in classes:
        cond = label == F.lit(c.label)
        expr = F.when(cond, c.index) if expr is None else expr.when(cond, c.index)
    assert expr is not None
    return expr


def hashable_columns(types: Mapping[str, DataType]) -> list[str]:
    """The (quoted) columns a row hash can take: all but maps."""
    return [quote(c) for c, t in types.items() if "map<" not in t.simpleString()]


def opaque(column: Column) -> Column:
    """``column``'s values (a long), declared nondeterministic to Spark's optimizer, as
    :func:`opaque_udf` does for a pandas UDF: a projection of a hash of every column
    (``xxhash64(c1..cn) AS key``) makes every plan above it carry the constraint
    ``xxhash64(c1..cn) <=> key``, which a later projection renaming the columns copies ``2^n``
    times (One-Sided Selection's output, renamed and filtered, ran the driver out of memory at
    17 features). Spark infers no constraint from a nondeterministic expression; this one adds
    ``0 * spark_partition_id()``, so its values are ``column``'s on every run and retry."""
    return column + F.spark_partition_id().cast("long") * F.lit(0)


def row_identity(types: Mapping[str, DataType]) -> list[Column]:
    """``KEY, KEY2``: two hashes of the whole row (128 bits), that tell rows apart when a pass
    must find them again in the input (identical rows share them); :func:`opaque` to the
    optimizer."""
    cols = hashable_columns(types)
    key, key2 = F.xxhash64(*cols), F.xxhash64(F.lit(KEY2), *cols)
    return [opaque(key).alias(KEY), opaque(key2).alias(KEY2)]


def uniform(seed: int) -> Column:
    """A number in [0, 1) from the row key and the seed: the same for a row on every run."""
    bits = F.xxhash64(F.col(KEY), F.lit(seed)).bitwiseAND(F.lit((1 << 53) - 1))
    return bits.cast("double") / float(1 << 53)
