"""Random under-sampling: whole rows kept by a seeded row hash, exact counts per class."""

from __future__ import annotations

from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame

from spark_smote.base import Sampler, SamplingPlan
from spark_smote.engine.draws import drawn
from spark_smote.engine.validation import check_batch, collect_stats, label_spec
from spark_smote.params import DEFAULT_SEED, _SamplerParams
from spark_smote.persistence import ParamsReadWrite
from spark_smote.strategy import SamplingStrategy, check_sampling_strategy


class RandomUnderSampler(Sampler, _SamplerParams, ParamsReadWrite):
    """Random under-sampling: keeps exactly the ``samplingStrategy`` count of rows of each class
    it reduces, chosen uniformly by a seeded row hash; the rows are unchanged.

    ``samplingStrategy``: ``"auto"`` (= ``"not minority"``), ``"majority"``,
    ``"not majority"``, ``"all"`` (classes cut to the minority count), a float ``alpha``
    (binary: the majority cut to ``int(n_minority / alpha)``) or a dict of final counts not
    above the current ones. With ``replacement=True`` the kept rows of a reduced class are
    drawn with replacement (so some rows appear more than once), as imbalanced-learn's.

    Examples
    --------
    >>> from spark_smote import RandomUnderSampler
    >>> df = spark.createDataFrame([(float(i), int(i < 3)) for i in range(10)], ["x", "label"])
    >>> out = RandomUnderSampler().transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 3), (1, 3)]
    """

    _sampling_type = "under-sampling"

    replacement: Param[bool] = Param(
        Params._dummy(),
        "replacement",
        "draw the kept rows with replacement",
        typeConverter=TypeConverters.toBoolean,
    )

    @keyword_only
    def __init__(
        self,
        *,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        replacement: bool = False,
    ) -> None:
        super().__init__()
        self._setDefault(replacement=False)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        replacement: bool = False,
    ) -> RandomUnderSampler:
        """Sets params for this RandomUnderSampler."""
        return self._set(**self._input_kwargs)

    def getReplacement(self) -> bool:
        """Gets the value of replacement or its default value."""
        return self.getOrDefault(self.replacement)

    def setReplacement(self, value: bool) -> RandomUnderSampler:
        """Sets the value of :py:attr:`replacement`."""
        return self._set(replacement=value)

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset``'s label and return its class counts before and after."""
        name = type(self).__name__
        self._validate_params()
        check_batch(dataset, name)
        spec = label_spec(dataset.schema, self.getLabelCol())
        stats = collect_stats(dataset, spec, name)
        keep = check_sampling_strategy(
            self.getSamplingStrategy(), stats.counts, "under-sampling", name
        )
        after = {c: keep.get(c, n) for c, n in stats.counts.items()}
        return SamplingPlan(name, stats.counts, after, spec=spec, stats=stats)

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.spec is not None
        return drawn(
            dataset,
            plan.spec.label,
            plan.before,
            plan.changed,
            self.getSeed(),
            self.getReplacement(),
        )
