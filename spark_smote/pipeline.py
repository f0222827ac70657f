"""A drop-in ``Pipeline`` that runs samplers (such as SMOTE) only while fitting.

In a plain :class:`pyspark.ml.Pipeline`, a Transformer stays in the fitted ``PipelineModel``,
so SMOTE would also add synthetic rows to the data being scored or evaluated. This Pipeline
applies every :class:`~spark_smote.base.Sampler` to the data passed to the stages after it and
leaves it out of the fitted model, which is a plain :class:`pyspark.ml.PipelineModel` (it saves
and loads with pyspark alone).
"""

from __future__ import annotations

from typing import Any

from pyspark.ml import Estimator, PipelineModel, Transformer
from pyspark.ml import Pipeline as _SparkPipeline
from pyspark.ml.pipeline import PipelineReader
from pyspark.sql import DataFrame

from spark_smote.base import Sampler
from spark_smote.engine.keeping import Keeper, keeper_of


def _contains_sampler(stage: Any) -> bool:
    if isinstance(stage, Sampler):
        return True
    if isinstance(stage, _SparkPipeline):
        return any(_contains_sampler(s) for s in stage.getStages())
    if isinstance(stage, PipelineModel):
        return any(_contains_sampler(s) for s in stage.stages)
    return False


def _check_stages(stages: list[Any]) -> None:
    for i, stage in enumerate(stages):
        if not isinstance(stage, (Estimator, Transformer)):
            raise TypeError(f"stage {i} ({stage!r}) is neither an Estimator nor a Transformer.")
        if not isinstance(stage, Sampler) and _contains_sampler(stage):
            raise ValueError(
                f"stage {i} ({type(stage).__name__} {stage.uid}) is a nested pipeline holding a "
                "sampler; its sampler would run at scoring time or hide its rows from the "
                "stages after it. Put its stages directly into this spark_smote Pipeline."
            )


class Pipeline(_SparkPipeline):
    """A :class:`pyspark.ml.Pipeline` whose samplers run while fitting only.

    ``fit`` passes the data through each stage like pyspark's Pipeline, except that a sampler
    (e.g. :class:`spark_smote.SMOTE`) transforms the data that flows to the stages after it and
    is not kept: the fitted model has one output row per input row. A sampler with no
    Estimator after it changes nothing and is skipped.

    Examples
    --------
    >>> from pyspark.ml.classification import LogisticRegression
    >>> from pyspark.ml.feature import VectorAssembler
    >>> from spark_smote import SMOTE
    >>> from spark_smote.pipeline import Pipeline
    >>> df = spark.createDataFrame(
    ...     [(float(i), float(i % 7), int(i % 10 == 0)) for i in range(100)], ["a", "b", "label"])
    >>> pipe = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="features"),
    ...                         SMOTE(kNeighbors=3), LogisticRegression()])
    >>> model = pipe.fit(df)
    >>> model.transform(df).count()
    100
    >>> [type(s).__name__ for s in model.stages]
    ['VectorAssembler', 'LogisticRegressionModel']
    """

    def _fit(self, dataset: DataFrame) -> PipelineModel:
        stages = self.getStages()
        _check_stages(stages)
        last_estimator = max(
            (i for i, s in enumerate(stages) if isinstance(s, Estimator)), default=-1
        )
        fitted: list[Transformer] = []
        keepers: list[Keeper] = []  # what the samplers' outputs keep, until the fit ends
        try:
            for i, stage in enumerate(stages):
                if isinstance(stage, Sampler):
                    if i < last_estimator:
                        dataset = stage.transform(dataset)
                        keeper = keeper_of(dataset)
                        keepers += [keeper] if keeper is not None else []
                    continue
                if i > last_estimator:
                    fitted.append(stage)
                    continue
                if isinstance(stage, Estimator):
                    model = stage.fit(dataset)
                else:
                    model = stage
                fitted.append(model)
                if i < last_estimator:
                    dataset = model.transform(dataset)
        finally:
            for keeper in keepers:
                keeper.release()
        return PipelineModel(fitted)

    @classmethod
    def read(cls) -> _Reader:
        """Returns an MLReader that loads a saved spark_smote Pipeline."""
        return _Reader(cls)


class _Reader(PipelineReader):
    def load(self, path: str) -> Pipeline:
        loaded = super().load(path)
        return self.cls(stages=loaded.getStages())._resetUid(loaded.uid)
