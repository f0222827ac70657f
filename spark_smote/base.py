"""``Sampler``: the marker base of stages that resample rows and so run only while fitting."""

from __future__ import annotations

from pyspark.ml import Transformer


class Sampler(Transformer):
    """A Transformer that adds or removes rows.

    :class:`spark_smote.pipeline.Pipeline` applies samplers to the data that reaches the stages
    after them while fitting, and leaves them out of the fitted model, so that scoring sees
    one output row per input row.
    """
