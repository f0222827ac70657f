"""Numpy kernels: everything that runs inside one Python worker on one group, and the plans the
driver computes. Imports numpy only (no pyspark, no pandas), so it is tested in milliseconds.

- :mod:`~spark_smote.kernels.knn`: exact k nearest neighbours inside a cell;
- :mod:`~spark_smote.kernels.smote`: SMOTE and SMOTE-NC generation in a cell;
- :mod:`~spark_smote.kernels.adaptive`: Borderline-SMOTE and ADASYN in a cell;
- :mod:`~spark_smote.kernels.sparse`: sparse rows (sketch, kNN, generation);
- :mod:`~spark_smote.kernels.hashing`: the learned hash (k-means cells);
- :mod:`~spark_smote.kernels.cells`: the cells of a class, their groups and quotas;
- :mod:`~spark_smote.kernels.draws`: seeded counts of whole-row draws.
"""
