"""``BaseSMOTECleaning``: SMOTE followed by a cleaning sampler on its output (SMOTETomek,
SMOTEENN), as imbalanced-learn's ``combine`` samplers."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import replace
from typing import Any

from pyspark.sql import DataFrame

from spark_smote.base import Sampler, SamplingPlan
from spark_smote.engine.validation import DataStats, check_densifiable
from spark_smote.over_sampling import SMOTE
from spark_smote.params import _EngineParams, _KNeighborsParams
from spark_smote.persistence import ParamsReadWrite
from spark_smote.under_sampling import BaseCleaningSampler


class BaseSMOTECleaning(Sampler, _EngineParams, _KNeighborsParams, ParamsReadWrite):
    """SMOTE with this stage's SMOTE params and seed, then a cleaner (:meth:`_cleaner`) with
    ``samplingStrategy="all"`` on SMOTE's output: the same rows as the two stages run one after
    the other (abstract).

    Its plan is SMOTE's, with ``after=None`` (the cleaning decides the final counts).
    """

    def __init__(self) -> None:
        super().__init__()

    @abstractmethod
    def _cleaner(self) -> BaseCleaningSampler:
        """The cleaning stage, with this stage's features, label, seed and cells."""

    def _shared(self) -> dict[str, Any]:
        """The params a cleaner shares with this stage."""
        return {
            "featuresCol": self.getFeaturesCol(),
            "inputCols": self.getInputCols(),
            "labelCol": self.getLabelCol(),
            "samplingStrategy": "all",
            "seed": self.getSeed(),
            "maxBucketSize": self.getMaxBucketSize(),
            "numHashTables": self.getNumHashTables(),
        }

    def _smote(self) -> SMOTE:
        """The SMOTE stage: every SMOTE param of this stage."""
        smote = SMOTE()
        values = {p.name: v for p, v in self.extractParamMap().items() if smote.hasParam(p.name)}
        return smote._set(**values)

    def _validate_params(self) -> None:
        super()._validate_params()
        self._smote()._validate_params()
        self._cleaner()._validate_params()

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """SMOTE's plan of ``dataset`` (validation and its passes), with ``after=None``; the
        cleaner's params are checked first, so bad input or params raise before any output."""
        self._validate_params()
        smote_plan = self._smote().plan(dataset)
        assert smote_plan.spec is not None and smote_plan.stats is not None
        check_densifiable(smote_plan.spec, smote_plan.stats, type(self).__name__)
        return replace(smote_plan, sampler=type(self).__name__, after=None)

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.stats is not None
        smote_plan = replace(plan, sampler="SMOTE", after=None)
        oversampled = self._smote().resample(dataset, smote_plan)
        counts = dict(plan.before)
        for cells in plan.cells:
            counts[cells.label] += cells.n_new
        cleaner = self._cleaner()
        spec = cleaner._features(oversampled)
        cleaning_plan = cleaner._plan(oversampled, spec, DataStats(counts, plan.stats.dim))
        return cleaner.resample(oversampled, cleaning_plan)
