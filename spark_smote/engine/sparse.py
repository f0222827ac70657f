"""Sparse vectors through the engine: rows as their non-zeros (read by
:mod:`spark_smote.engine.vectors`, never densified), hashed by a sketch, generated sparse.

A vector column takes this path when its vectors are wider than
:data:`~spark_smote.engine.validation.WIDE_VECTOR` and the classes to oversample store at most
:data:`~spark_smote.engine.validation.SPARSE_MAX_FILL` of their entries (:func:`keeps_sparse`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BinaryType, DoubleType, StructField, StructType

from spark_smote.engine.columns import (
    CLS,
    KEY,
    PARTS,
    RANK,
    SI,
    SKETCH_STREAM,
    SV,
    LabelledClass,
    X,
    class_index,
    feature_names,
    field,
    hashable_columns,
    other_names,
    quote,
)
from spark_smote.engine.grouping import (
    arrived_group,
    check_output,
    generation_seed,
    group_index,
)
from spark_smote.engine.rows import stack_features
from spark_smote.engine.validation import SPARSE_MAX_FILL, DataStats, FeatureSpec
from spark_smote.engine.vectors import parts_nonzeros, vector_parts
from spark_smote.kernels.cells import ClassCells
from spark_smote.kernels.sparse import SKETCH_DIM, csr_from_lists, generate_cell_sparse, sketch


def keeps_sparse(stats: DataStats, labels: Sequence[Any]) -> bool:
    """Whether the rows of the classes ``labels`` take the sparse path."""
    if stats.nnz is None:
        return False
    rows = sum(stats.counts[c] for c in labels)
    return sum(stats.nnz[c] for c in labels) <= SPARSE_MAX_FILL * rows * stats.dim


def _sketch_salt(seed: int) -> int:
    return int(np.random.SeedSequence([seed, SKETCH_STREAM]).generate_state(1, np.uint64)[0])


def _sketch_udf(seed: int) -> Any:
    """A pandas UDF: ``(indices, values) -> struct<s0..>`` the rows' :func:`sketch`."""
    schema = StructType([StructField(f"s{j}", DoubleType()) for j in range(SKETCH_DIM)])
    salt = _sketch_salt(seed)

    def run(indices: pd.Series, values: pd.Series) -> pd.DataFrame:
        rows = csr_from_lists(list(indices), list(values))
        return pd.DataFrame(sketch(rows, salt), columns=schema.names)

    return F.pandas_udf(run, schema)  # type: ignore[call-overload]


def sparse_class_rows(
    dataset: DataFrame,
    spec: FeatureSpec,
    tasks: Sequence[LabelledClass],
    seed: int,
    others: Sequence[str] = (),
) -> DataFrame:
    """The sparse twin of :func:`spark_smote.engine.rows.class_rows`: ``CLS``, the rows'
    :func:`sketch` as the engine's :data:`SKETCH_DIM` feature columns (the cells are fitted and
    assigned on them), the non-zeros as ``SI, SV``, ``others`` (renamed) and ``KEY``."""
    expr = class_index(spec.label, tasks)
    renamed = other_names(others)
    parsed = dataset.filter(expr.isNotNull()).select(
        expr.alias(CLS),
        vector_parts(F.col(quote(spec.columns[0]))).alias(PARTS),  # parsed once per row
        *[F.col(quote(c)).alias(n) for c, n in zip(others, renamed, strict=True)],
        F.xxhash64(*hashable_columns(spec.types)).alias(KEY),
    )
    indices, values = parts_nonzeros(F.col(PARTS))
    staged = parsed.select(CLS, indices.alias(SI), values.alias(SV), *renamed, KEY)
    sketched = _sketch_udf(seed)(F.col(SI), F.col(SV))
    return staged.select(
        CLS,
        *[sketched[f"s{j}"].alias(n) for j, n in enumerate(feature_names(SKETCH_DIM))],
        SI,
        SV,
        *renamed,
        KEY,
    )


def sparse_generated_schema(dataset: DataFrame, carried: Sequence[str]) -> StructType:
    """Schema of a sparse generation pass: ``CLS``, ``SI, SV`` (each row's indices and values as
    little-endian int32 / float64 bytes: a pandas column of bytes crosses to Arrow far faster
    than one of arrays), the carried columns."""
    return StructType(
        [
            field(CLS, "int"),
            StructField(SI, BinaryType()),
            StructField(SV, BinaryType()),
            *[
                StructField(n, dataset.schema[c].dataType, True)
                for c, n in zip(carried, other_names(carried), strict=True)
            ],
        ]
    )


def _row_bytes(values: np.ndarray, indptr: np.ndarray) -> list[bytes]:
    """Each row's slice of ``values`` as bytes."""
    raw = values.tobytes()
    size = values.itemsize
    return [raw[a * size : b * size] for a, b in zip(indptr[:-1], indptr[1:], strict=True)]


def _from_row_bytes(column: pa.Array, dtype: str) -> pa.ListArray:
    """The inverse of :func:`_row_bytes` on an Arrow binary column: a list array (no copy per
    row)."""
    binary = column.cast(pa.large_binary())
    _, offsets_buf, data_buf = binary.buffers()
    offsets = np.frombuffer(offsets_buf, np.int64)[binary.offset : binary.offset + len(binary) + 1]
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    itemsize = np.dtype(dtype).itemsize
    values = data[offsets[0] : offsets[-1]].copy().view(dtype)
    return pa.ListArray.from_arrays(
        pa.array((offsets - offsets[0]) // itemsize, pa.int32()), values
    )


def to_vectors(generated: DataFrame, size: int, name: str) -> DataFrame:
    """``generated`` (of :func:`sparse_generated_schema`) with ``SI, SV`` replaced by one
    ``SparseVector`` column ``name`` of ``size``: an Arrow pass that builds the vectors' stored
    form (the struct ``type, size, indices, values``) from whole buffers, no object per row."""
    kept = [f for f in generated.schema.fields if f.name not in (SI, SV)]
    schema = StructType([*kept, StructField(name, VectorUDT())])
    keep = [f.name for f in kept]

    def build(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            n = batch.num_rows
            vector = pa.StructArray.from_arrays(
                [
                    pa.array(np.zeros(n, np.int8)),
                    pa.array(np.full(n, size, np.int32)),
                    _from_row_bytes(batch.column(SI), "<i4"),
                    _from_row_bytes(batch.column(SV), "<f8"),
                ],
                ["type", "size", "indices", "values"],
            )
            columns = [batch.column(c) for c in keep]
            yield pa.RecordBatch.from_arrays([*columns, vector], [*keep, name])

    return generated.mapInArrow(build, schema)


def sparse_generation_kernel(
    cells: Sequence[ClassCells], seed: int, k: int, carried: Sequence[str]
) -> Callable[[tuple[Any, ...], pd.DataFrame], pd.DataFrame]:
    """The ``applyInPandas`` function of a sparse generation pass (rows of
    :func:`sparse_class_rows`); ``carried`` columns (internal names) are copied from the base
    row."""
    groups = group_index(cells)
    names = feature_names(SKETCH_DIM)
    assert names != [X]

    def kernel(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        cls, cell, part, slice_, group = arrived_group(groups, key, len(pdf))
        first, last, quota = group.piece(slice_)
        check_output(quota, group.max_out, cls, cell, part)
        rows = csr_from_lists(list(pdf[SI]), list(pdf[SV]))
        new, base = generate_cell_sparse(
            rows,
            stack_features(pdf, names, SKETCH_DIM),
            pdf[KEY].to_numpy(np.int64),
            pdf[RANK].to_numpy() == 0,
            quota,
            k,
            generation_seed(seed, cls, cell, part, slice_, group.slices),
            (first, last),
        )
        out = pd.DataFrame(
            {
                CLS: np.full(new.n_rows, cls, dtype=np.int32),
                SI: _row_bytes(new.indices.astype("<i4"), new.indptr),
                SV: _row_bytes(new.values.astype("<f8"), new.indptr),
            }
        )
        for c in carried:
            out[c] = pdf[c].iloc[base].reset_index(drop=True)
        return out

    return kernel
