"""The Spark side of the engine: DataFrame passes and pandas UDFs around the numpy kernels.

- :mod:`~spark_smote.engine.columns`: internal column names, RNG stream tags, column helpers;
- :mod:`~spark_smote.engine.validation` and :mod:`~spark_smote.engine.vectors`: schema checks
  and the one aggregation pass over all rows;
- :mod:`~spark_smote.engine.rows`: the rows a pass works on;
- :mod:`~spark_smote.engine.planning`: sampling and counting passes that fit and bound cells;
- :mod:`~spark_smote.engine.grouping`: rows stored in their cells, grouped for ``applyInPandas``;
- :mod:`~spark_smote.engine.generation`: the group functions that run the kernels;
- :mod:`~spark_smote.engine.sparse`: the same for sparse vectors;
- :mod:`~spark_smote.engine.draws`: exact seeded draws of whole rows (random samplers).

Imports pyspark; nothing here is specific to one sampler's params.
"""
