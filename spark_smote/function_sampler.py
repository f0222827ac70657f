"""``FunctionSampler``: a user's function DataFrame -> DataFrame as a fit-only sampler stage."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

from pyspark import keyword_only
from pyspark.ml.param import Param, Params
from pyspark.ml.param.shared import HasLabelCol
from pyspark.sql import DataFrame

from spark_smote.base import Sampler, SamplingPlan
from spark_smote.engine.validation import label_counts
from spark_smote.persistence import StagesReadWrite

Resampler = Callable[..., DataFrame]


def function_name(func: Resampler) -> str:
    """``module:qualname`` of ``func``, which must be importable by that name (a function at
    the top level of a module); ``ValueError`` otherwise."""
    module, name = getattr(func, "__module__", None), getattr(func, "__qualname__", "")
    found = None
    if module and "<" not in name:
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            found = None
    if found is not func:
        raise ValueError(
            f"FunctionSampler: cannot save func {name or func!r}: a function is saved by its "
            "import name, so it must be defined at the top level of an importable module "
            "(not a lambda, a nested function or a __main__ script's); move it into a module, "
            "or build the stage again where it is loaded."
        )
    return f"{module}:{name}"


def function_named(name: str) -> Resampler:
    """The function :func:`function_name` named ``name``."""
    module, _, qualname = name.partition(":")
    try:
        return getattr(importlib.import_module(module), qualname)  # type: ignore[no-any-return]
    except (ImportError, AttributeError) as e:
        raise ValueError(
            f"FunctionSampler: the saved func {name!r} cannot be imported here ({e}); install "
            "the module that defines it."
        ) from e


class FunctionSampler(Sampler, HasLabelCol, StagesReadWrite):
    """A function ``DataFrame -> DataFrame`` as a sampler stage, as imbalanced-learn's
    ``FunctionSampler``: applied by :meth:`transform` and, in a
    :class:`spark_smote.pipeline.Pipeline`, only while fitting. ``func=None`` is the identity;
    ``kwArgs`` are passed to ``func`` as keyword arguments.

    Its plan counts the rows per class of ``labelCol`` (one pass), with ``after=None``: what the
    function does is known from its output only.

    Saving keeps ``func`` by its import name (``module:qualname``): a function defined at the top
    level of an importable module saves and loads; a lambda or a nested function is refused
    with a ``ValueError`` when saved. ``kwArgs`` must then be JSON values.

    Examples
    --------
    >>> from spark_smote import FunctionSampler
    >>> df = spark.createDataFrame([(1.0, 0), (-2.0, 0), (3.0, 1)], ["x", "label"])
    >>> positive = FunctionSampler(func=lambda d, col: d.filter(d[col] > 0), kwArgs={"col": "x"})
    >>> positive.transform(df).count()
    2
    """

    func: Param[Resampler | None] = Param(
        Params._dummy(), "func", "a function DataFrame -> DataFrame (None: the identity)"
    )
    kwArgs: Param[dict[str, Any]] = Param(
        Params._dummy(), "kwArgs", "keyword arguments passed to func"
    )

    _stage_params = ("func",)

    @keyword_only
    def __init__(
        self,
        *,
        func: Resampler | None = None,
        kwArgs: dict[str, Any] | None = None,
        labelCol: str = "label",
    ) -> None:
        super().__init__()
        self._setDefault(func=None, kwArgs={}, labelCol="label")
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        func: Resampler | None = None,
        kwArgs: dict[str, Any] | None = None,
        labelCol: str = "label",
    ) -> FunctionSampler:
        """Sets params for this FunctionSampler."""
        kwargs = {k: v for k, v in self._input_kwargs.items() if v is not None}
        return self._set(**kwargs)

    def getFunc(self) -> Resampler | None:
        """Gets the value of func or its default value."""
        return self.getOrDefault(self.func)

    def getKwArgs(self) -> dict[str, Any]:
        """Gets the value of kwArgs or its default value."""
        return dict(self.getOrDefault(self.kwArgs) or {})

    def setFunc(self, value: Resampler | None) -> FunctionSampler:
        """Sets the value of :py:attr:`func`."""
        return self._set(func=value)

    def setKwArgs(self, value: dict[str, Any]) -> FunctionSampler:
        """Sets the value of :py:attr:`kwArgs`."""
        return self._set(kwArgs=value)

    def setLabelCol(self, value: str) -> FunctionSampler:
        """Sets the value of :py:attr:`labelCol`."""
        return self._set(labelCol=value)

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Check ``func`` and ``labelCol``; the rows per class of ``dataset``."""
        name = type(self).__name__
        func = self.getFunc()
        if func is not None and not callable(func):
            raise ValueError(
                f"{name}: func must be a function DataFrame -> DataFrame, got {func!r}."
            )
        counts = label_counts(dataset, self.getLabelCol(), name)
        return SamplingPlan(name, counts, None)

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        func = self.getFunc()
        if func is None:
            return dataset
        out = func(dataset, **self.getKwArgs())
        if not callable(getattr(out, "unionByName", None)):  # classic or Connect DataFrame
            raise TypeError(
                f"FunctionSampler: func returned a {type(out).__name__}, not a DataFrame."
            )
        return out

    def _saved_stages(self) -> dict[str, Any]:
        return {}

    def _saved_extra(self) -> dict[str, Any] | None:
        func = self.getFunc()
        try:
            json.dumps(self.getKwArgs())
        except TypeError as e:
            raise ValueError(
                f"FunctionSampler: cannot save kwArgs ({e}); saved kwArgs must be JSON values."
            ) from e
        return {"func": None if func is None else function_name(func)}

    def _restore(self, path: str, extra: dict[str, Any]) -> None:
        name = extra.get("func")
        self._set(func=None if name is None else function_named(name))
