"""The SMOTE Transformer: orchestration of validation, the cell engine and the pandas-UDF kernel."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pyspark import keyword_only
from pyspark.ml.functions import array_to_vector
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import IntegralType, StructField, StructType

from spark_smote.base import Sampler
from spark_smote.engine import (
    CLS,
    GENERATION_STREAM,
    KEY,
    RANK,
    ClassCells,
    ClassTask,
    X,
    arrived_group,
    cell_groups,
    class_rows,
    feature_names,
    field,
    group_index,
    other_names,
    per_class,
    plan_cells,
    stack_features,
)
from spark_smote.kernel import generate_cell, generate_cell_nc
from spark_smote.params import DEFAULT_SEED, _SmoteParams
from spark_smote.persistence import ParamsReadWrite
from spark_smote.sparse import (
    SV,
    keeps_sparse,
    sparse_class_rows,
    sparse_generated_schema,
    sparse_generation_kernel,
    to_vectors,
)
from spark_smote.sparse_kernel import SKETCH_DIM
from spark_smote.strategy import SamplingStrategy, check_class_sizes, resolve_sampling_strategy
from spark_smote.validation import (
    DataStats,
    FeatureSpec,
    check_batch,
    check_densifiable,
    collect_stats,
    feature_spec,
)


class SMOTE(Sampler, _SmoteParams, ParamsReadWrite):
    """SMOTE oversampling on Spark: synthetic minority rows, unioned with the original rows.

    Each class to oversample is hashed into cells of a learned locality-sensitive hash (k-means
    fitted on a seeded sample of the class); a row is a query in its home cell and a guest in
    its next ``numHashTables - 1`` nearest cells, and no cell holds more than ``maxBucketSize``
    rows. Inside a cell a pandas UDF finds the exact k nearest neighbours of the home rows and
    draws synthetic rows ``x + u * (x_nn - x)``, ``u ~ U[0, 1)``. A class with at most
    ``maxBucketSize`` rows is one cell, so its rows are exactly those of SMOTE. Class totals
    are exact; the same seed gives the same rows however the input is partitioned.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from spark_smote import SMOTE
    >>> rows = [(Vectors.dense([float(i), float(i % 3)]), 0) for i in range(20)]
    >>> rows += [(Vectors.dense([float(i), 1.0]), 1) for i in range(6)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> smote = SMOTE(kNeighbors=3, syntheticCol="synthetic")
    >>> out = smote.transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 20), (1, 20)]
    >>> out.filter("synthetic").count()
    14
    """

    #: Whether the sampler works on dense rows only (sparse vectors densified, the widest
    #: refused); SMOTE keeps sparse vectors sparse.
    _dense_rows_only: ClassVar[bool] = False

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        kNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        bucketLength: float | None = None,
    ) -> None:
        super().__init__()
        kwargs = self._input_kwargs
        self.setParams(**kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        kNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        bucketLength: float | None = None,
    ) -> SMOTE:
        """Sets params for this SMOTE."""
        kwargs = self._input_kwargs
        return self._set(**kwargs)

    # ------------------------------------------------------------------ transform

    def _spec(self, dataset: DataFrame) -> FeatureSpec:
        self._validate_params()
        check_batch(dataset)
        return feature_spec(
            dataset.schema,
            self.getFeaturesCol(),
            self.getInputCols(),
            self.getLabelCol(),
            self.getSyntheticCol(),
        )

    def plan(self, dataset: DataFrame) -> tuple[dict[Any, int], list[ClassCells]]:
        """Validate ``dataset``; return its class counts and the cells of each class to
        oversample.

        Runs the aggregation pass of :meth:`transform` (and raises the same ``ValueError`` on
        bad input), then, for classes larger than ``maxBucketSize``, the sampling and counting
        passes that fit and bound their cells. A :class:`~spark_smote.engine.ClassCells` holds
        the rows to generate and every group's size (:meth:`~ClassCells.groups`).
        """
        spec = self._spec(dataset)
        stats, tasks = self._tasks(dataset, spec)
        if not tasks:
            return stats.counts, []
        if self._sparse(stats, tasks):
            rows = sparse_class_rows(dataset, spec, tasks, self.getSeed())
            return stats.counts, self._cells(rows, tasks, SKETCH_DIM)
        rows = class_rows(dataset, spec, tasks, stats.dim)
        return stats.counts, self._cells(rows, tasks, stats.dim)

    def _sparse(self, stats: DataStats, tasks: list[ClassTask]) -> bool:
        """Whether the rows stay sparse (:func:`~spark_smote.sparse.keeps_sparse`); the
        samplers built on SMOTE that read other classes or categories densify them."""
        return not self._dense_rows_only and keeps_sparse(stats, [t.label for t in tasks])

    def _tasks(self, dataset: DataFrame, spec: FeatureSpec) -> tuple[DataStats, list[ClassTask]]:
        stats = collect_stats(dataset, spec)
        if self._dense_rows_only:
            check_densifiable(spec, stats, type(self).__name__)
        to_generate = resolve_sampling_strategy(self.getSamplingStrategy(), stats.counts)
        check_class_sizes(to_generate, stats.counts, self.getKNeighbors())
        labels = sorted(stats.counts)
        tasks = [
            ClassTask(labels.index(c), c, stats.counts[c], n)
            for c, n in sorted(to_generate.items())
        ]
        return stats, tasks

    def _cells(self, rows: DataFrame, tasks: list[ClassTask], dim: int) -> list[ClassCells]:
        return plan_cells(
            rows,
            tasks,
            dim,
            self.getSeed(),
            self.getMaxBucketSize(),
            self.getNumHashTables(),
            self.getKNeighbors(),
        )

    def _transform(self, dataset: DataFrame) -> DataFrame:
        spec = self._spec(dataset)
        if self.getOtherColumns() == "copy":
            _check_copyable(dataset.schema, spec)
        stats, tasks = self._tasks(dataset, spec)
        flag = self.getSyntheticCol()
        original = dataset.withColumn(flag, F.lit(False)) if flag else dataset
        if not tasks:
            return original
        if self._sparse(stats, tasks):
            synthetic = self._synthesize_sparse(dataset, spec, tasks, stats.dim)
        else:
            synthetic = self._synthesize(dataset, spec, tasks, stats.dim)
        return original.unionByName(synthetic)

    def _synthesize(
        self, dataset: DataFrame, spec: FeatureSpec, tasks: list[ClassTask], dim: int
    ) -> DataFrame:
        """Synthetic rows of every class of ``tasks``, in the input's schema (+ flag column)."""
        copy = self.getOtherColumns() == "copy"
        carried = [*spec.categorical, *(spec.others if copy else ())]
        rows = class_rows(dataset, spec, tasks, dim, carried)
        cells = self._cells(rows, tasks, dim)
        internal = other_names(carried)
        kernel = _generation_kernel(
            cells,
            self.getSeed(),
            self.getKNeighbors(),
            dim,
            internal,
            self._penalties(rows, tasks, dim) if spec.categorical else None,
            len(spec.categorical),
        )
        grouped = cell_groups(rows, cells, dim, self.getSeed())
        generated = grouped.applyInPandas(kernel, generated_schema(dataset, dim, carried))
        return generated.select(*self._output_columns(spec, cells, carried, dim))

    def _synthesize_sparse(
        self, dataset: DataFrame, spec: FeatureSpec, tasks: list[ClassTask], dim: int
    ) -> DataFrame:
        """:meth:`_synthesize` for sparse vectors: cells fitted on a sketch of the rows,
        neighbours and synthetic rows computed from their non-zeros."""
        carried = list(spec.others) if self.getOtherColumns() == "copy" else []
        rows = sparse_class_rows(dataset, spec, tasks, self.getSeed(), carried)
        cells = self._cells(rows, tasks, SKETCH_DIM)
        kernel = sparse_generation_kernel(
            cells, self.getSeed(), self.getKNeighbors(), other_names(carried)
        )
        grouped = cell_groups(rows, cells, SKETCH_DIM, self.getSeed())
        generated = grouped.applyInPandas(kernel, sparse_generated_schema(dataset, carried))
        vectors = to_vectors(generated, dim, SV)
        return vectors.select(*self._output_columns(spec, cells, carried, dim, sparse=True))

    def _penalties(self, rows: DataFrame, tasks: list[ClassTask], dim: int) -> dict[int, float]:
        """SMOTE-NC's categorical penalty per class index (none for SMOTE)."""
        raise NotImplementedError  # pragma: no cover - SMOTE has no categorical columns

    def _output_columns(
        self,
        spec: FeatureSpec,
        cells: list[ClassCells],
        carried: list[str],
        dim: int,
        sparse: bool = False,
    ) -> list[Column]:
        types = spec.types
        label_value = per_class(cells, lambda c: F.lit(c.label))
        out: dict[str, Column] = {spec.label: label_value.cast(types[spec.label])}
        names = feature_names(dim)
        if sparse:
            out[spec.columns[0]] = F.col(SV)  # from sparse.to_vectors
        elif spec.vector:
            flat = names != [X]
            out[spec.columns[0]] = array_to_vector(
                F.array(*[F.col(n) for n in names]) if flat else F.col(X)
            )
        else:
            for i, c in enumerate(spec.columns):
                value = F.col(names[i]) if names != [X] else F.col(X)[i]
                if isinstance(types[c], IntegralType):
                    value = F.round(value)
                out[c] = value.cast(types[c])
        internal = dict(zip(carried, other_names(carried), strict=True))
        for c in (*spec.categorical, *spec.others):
            out[c] = F.col(internal[c]) if c in internal else F.lit(None).cast(types[c])
        columns = [out[c].alias(c) for c in types]
        flag = self.getSyntheticCol()
        if flag:
            columns.append(F.lit(True).alias(flag))
        return columns


# ---------------------------------------------------------------------- helpers


def generated_schema(dataset: DataFrame, dim: int, carried: Sequence[str]) -> StructType:
    """Schema of a generation pass: ``CLS``, the features, the carried columns (renamed)."""
    names = feature_names(dim)
    types = "double" if names != [X] else "array<double>"
    return StructType(
        [field(CLS, "int")]
        + [field(n, types) for n in names]
        + [
            StructField(n, dataset.schema[c].dataType, True)
            for c, n in zip(carried, other_names(carried), strict=True)
        ]
    )


def generated_frame(cls: int, new_x: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """The synthetic rows of a group as a frame of :func:`generated_schema` (without the
    carried columns)."""
    cls_col = np.full(len(new_x), cls, dtype=np.int32)
    if list(names) == [X]:
        return pd.DataFrame({CLS: cls_col, X: list(new_x)})
    out = pd.DataFrame(new_x, columns=list(names))
    out.insert(0, CLS, cls_col)
    return out


def _check_copyable(schema: StructType, spec: FeatureSpec) -> None:
    """``otherColumns='copy'`` carries other columns through Arrow: refuse types it cannot."""
    for name in spec.others:
        t = schema[name].dataType
        if "vector" in t.simpleString():
            raise ValueError(
                f"otherColumns='copy' cannot carry column {name!r} of type {t.simpleString()} "
                "through the pandas UDF; drop the column or use otherColumns='null'."
            )


def _generation_kernel(
    cells: Sequence[ClassCells],
    seed: int,
    k: int,
    dim: int,
    carried: Sequence[str],
    penalties: Mapping[int, float] | None = None,
    n_cat: int = 0,
) -> Callable[[tuple[Any, ...], pd.DataFrame], pd.DataFrame]:
    """The ``applyInPandas`` function of one generation pass.

    ``carried`` are the internal names of the columns that travel with the rows: with
    ``penalties`` (SMOTE-NC, one per class index) the first ``n_cat`` of them are the
    categorical columns, voted by the neighbours; the rest are copied from the base row.
    """
    groups = group_index(cells)
    names = feature_names(dim)

    def kernel(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        cls, cell, part, group = arrived_group(groups, key, len(pdf))
        x = stack_features(pdf, names, dim)
        keys = pdf[KEY].to_numpy(np.int64)
        home = pdf[RANK].to_numpy() == 0
        entropy = (seed, GENERATION_STREAM, cls, cell, part)
        voted = None
        if penalties is not None:
            codes = np.column_stack(
                [pd.factorize(pdf[c], use_na_sentinel=False)[0] for c in carried[:n_cat]]
            )
            new_x, base, voted = generate_cell_nc(
                x, codes, keys, home, group.quota, k, penalties[cls], entropy
            )
        else:
            new_x, base = generate_cell(x, keys, home, group.quota, k, entropy)
        out = generated_frame(cls, new_x, names)
        for j, c in enumerate(carried):
            rows = voted[:, j] if voted is not None and j < n_cat else base
            out[c] = pdf[c].iloc[rows].reset_index(drop=True)
        return out

    return kernel
