"""Vector columns read in the JVM, without densifying.

Spark SQL has no field access into a ``VectorUDT``, but its JSON functions know UDTs:
``to_json`` writes a vector as the parts it is stored as (``{type, size, indices, values}``),
and ``from_json`` reads them back as a struct. Both run in the JVM (no Python object per row),
on Spark 3.5 and 4.x and over Spark Connect; their cost grows with the stored entries, not with
the vector's size.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, ByteType, DoubleType, IntegerType, StructField, StructType

_PARTS_TYPE = StructType(
    [
        StructField("type", ByteType()),
        StructField("size", IntegerType()),
        StructField("indices", ArrayType(IntegerType())),
        StructField("values", ArrayType(DoubleType())),
    ]
)


def vector_parts(vector: Column) -> Column:
    """A Vector column as the struct ``(type, size, indices, values)`` it is stored as (type 0:
    sparse; 1: dense, whose ``size`` and ``indices`` are null)."""
    wrapped = F.to_json(F.struct(vector.alias("v")))
    return F.from_json(wrapped, StructType([StructField("v", _PARTS_TYPE)]))["v"]


def parts_size(parts: Column) -> Column:
    """The size of the vector of :func:`vector_parts`."""
    return F.coalesce(parts["size"], F.size(parts["values"]))


def parts_nonzeros(parts: Column) -> tuple[Column, Column]:
    """``(indices, values)`` of the stored entries of a sparse vector, of the non-zeros of a
    dense one."""
    values = parts["values"]
    dense_at = F.filter(
        F.sequence(F.lit(0), F.size(values) - 1), lambda i: F.element_at(values, i + 1) != 0
    )
    is_sparse = parts["type"] == 0
    return (
        F.when(is_sparse, parts["indices"]).otherwise(dense_at),
        F.when(is_sparse, values).otherwise(F.filter(values, lambda v: v != 0)),
    )
