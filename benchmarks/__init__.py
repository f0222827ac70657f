"""spark_smote's benchmark suites: ``python -m benchmarks <suite> [options]`` from the repo root.

Suites (each ``--help`` says how it measures): ``speed`` (samplers against imbalanced-learn and
their floors, by rows), ``passes`` (one transform pass by pass), ``quality`` (neighbour quality
of the cell knobs), ``cleaning`` (the cleaners' removed rows against imbalanced-learn's exact
ones), ``condensing`` (CNN's groups one by one: their rows and kernel seconds), ``adaptive``
(Borderline-SMOTE's and ADASYN's base rows against the exact rule), ``prototypes`` (NearMiss,
CNN, One-Sided Selection, ClusterCentroids and KMeansSMOTE against imbalanced-learn on one
table), ``ensembles`` (balanced ensembles against Spark's forest and imbalanced-learn),
``remedies`` (resampling, class weights: held-out scores), ``memory`` (capped Python workers),
``skew`` (skewed minority classes), ``sparse`` (wide sparse vectors), and ``report`` (the docs'
benchmarks page from the result files in ``docs/results/``).

What is measured is in one place: :mod:`benchmarks.catalog` (each sampler, its
imbalanced-learn counterpart, its floor); the table, session and result files in
:mod:`benchmarks.common`.
"""
