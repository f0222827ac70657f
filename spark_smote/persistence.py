"""Save and load params-only stages through the DataFrame API (no SparkContext, no JVM helper).

pyspark 3.5's ``DefaultParamsWriter`` writes the metadata through ``sc.parallelize`` and its
``overwrite()`` removes the path through a JVM helper; neither exists on a Spark Connect session.
These writers keep Spark's layout (one JSON line in ``<path>/metadata/part-*``, with ``class``,
``timestamp``, ``sparkVersion``, ``uid``, ``paramMap`` and ``defaultParamMap``), so that
``SMOTE.load``, ``PipelineModel.load`` and pyspark's own readers keep working, and write it with
``DataFrameWriter.text``, which classic and Connect sessions both have. ``overwrite()`` replaces
the ``metadata`` folder (a params-only stage writes nothing else).

A stage saves under its public path (``spark_smote.SMOTE``), so that modules can move; stages
saved by 0.1 and 0.2 under their module paths (``spark_smote.smote.SMOTE``, ...) load through
:mod:`spark_smote._legacy`, and params a class retired are dropped on loading.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from typing import Any, Generic, TypeVar

from pyspark.ml.param import Params
from pyspark.ml.util import DefaultParamsReader, MLReadable, MLReader, MLWritable, MLWriter
from pyspark.sql import SparkSession

P = TypeVar("P", bound=Params)


def _session(explicit: SparkSession | None) -> SparkSession:
    session = explicit or SparkSession.getActiveSession()
    if session is None:
        raise RuntimeError("saving or loading a stage needs an active SparkSession; start one.")
    return session


def class_path(cls: type) -> str:
    """The dotted path a stage of ``cls`` is saved under: the shortest package that exports it
    (``spark_smote.SMOTE``, ``spark_smote.ensemble.BalancedRandomForestClassifier``), so that
    modules can move; the module path for others (a user's subclass)."""
    parts = cls.__module__.split(".")
    if parts[0] == "spark_smote":
        for depth in range(1, len(parts)):
            package = ".".join(parts[:depth])
            if getattr(importlib.import_module(package), cls.__name__, None) is cls:
                return f"{package}.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def _resolve(path: str) -> Any:
    """The class a saved dotted path names, or None."""
    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def metadata_json(
    instance: Params,
    spark_version: str,
    skip: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
) -> str:
    """The metadata line Spark writes for a params-only stage (params named in ``skip``, whose
    values are stages, left out; ``extra`` under the key ``extra``, as Spark's own)."""
    found = {
        "class": class_path(type(instance)),
        "timestamp": int(round(time.time() * 1000)),
        "sparkVersion": spark_version,
        "uid": instance.uid,
        "paramMap": {p.name: v for p, v in instance._paramMap.items() if p.name not in skip},
        "defaultParamMap": {
            p.name: v for p, v in instance._defaultParamMap.items() if p.name not in skip
        },
    }
    if extra is not None:
        found["extra"] = extra
    return json.dumps(found, separators=(",", ":"))


def load_stage(path: str) -> Any:
    """The stage saved at ``path`` by Spark ML or spark_smote, of the class its metadata names
    (a Spark ML JVM class by its pyspark counterpart)."""
    spark = _session(None)
    first = spark.read.text(os.path.join(path, "metadata")).first()
    if first is None:
        raise ValueError(f"{path!r} holds no stage metadata.")
    name = json.loads(first[0])["class"]
    cls = _resolve(name.replace("org.apache.spark.", "pyspark.", 1))
    if cls is None or not hasattr(cls, "load"):
        raise ValueError(f"{path!r} holds a saved {name}, which no module here can load.")
    return cls.load(path)


class ParamsWriter(MLWriter):
    """Writes a stage's params as Spark's metadata file, through a DataFrame."""

    def __init__(self, instance: Params) -> None:
        super().__init__()
        self.instance = instance
        self._spark: SparkSession | None = None

    def session(self, sparkSession: SparkSession) -> ParamsWriter:  # type: ignore[override]
        """Sets the SparkSession to save with."""
        self._spark = sparkSession
        return self

    def save(self, path: str) -> None:
        """Save the stage to ``path`` (refused if it exists, unless ``overwrite()``); a stage
        holding other stages (:class:`StagesReadWrite`) saves each in a folder of its own."""
        spark = _session(self._spark)
        stages: dict[str, Any] = {}
        extra = None
        if isinstance(self.instance, StagesReadWrite):
            stages, extra = self.instance._saved_stages(), self.instance._saved_extra()
        skip = tuple(getattr(self.instance, "_stage_params", ()))
        line = metadata_json(self.instance, spark.version, skip, extra)
        mode = "overwrite" if self.shouldOverwrite else "error"  # Connect knows "error"
        writer = spark.createDataFrame([(line,)], "value string").coalesce(1).write.mode(mode)
        writer.text(os.path.join(path, "metadata"))
        for name, stage in stages.items():
            stage_writer = stage.write()
            if self.shouldOverwrite:
                stage_writer = stage_writer.overwrite()
            stage_writer.save(os.path.join(path, name))
        if isinstance(self.instance, StagesReadWrite):
            self.instance._write_also(path, spark, self.shouldOverwrite)


class ParamsReader(MLReader, Generic[P]):
    """Reads a stage saved by :class:`ParamsWriter` (or by pyspark's ``DefaultParamsWriter``)."""

    def __init__(self, cls: type[P]) -> None:
        super().__init__()
        self.cls = cls
        self._spark: SparkSession | None = None

    def session(self, sparkSession: SparkSession) -> ParamsReader[P]:  # type: ignore[override]
        """Sets the SparkSession to load with."""
        self._spark = sparkSession
        return self

    def load(self, path: str) -> P:
        """Load the stage saved at ``path``."""
        spark = _session(self._spark)
        first = spark.read.text(os.path.join(path, "metadata")).first()
        if first is None:
            raise ValueError(f"{path!r} holds no stage metadata.")
        metadata: dict[str, Any] = json.loads(first[0])
        if _resolve(metadata["class"]) is not self.cls:
            raise ValueError(
                f"{path!r} holds a saved {metadata['class']}, not a {class_path(self.cls)}; "
                "load it with that class."
            )
        retired = getattr(self.cls, "_retired_params", ())
        for key in ("paramMap", "defaultParamMap"):
            if key in metadata:
                metadata[key] = {p: v for p, v in metadata[key].items() if p not in retired}
        instance = self.cls()
        instance._resetUid(metadata["uid"])
        DefaultParamsReader.getAndSetParams(instance, metadata)
        if isinstance(instance, StagesReadWrite):
            instance._restore(path, metadata.get("extra") or {})
        return instance


class ParamsReadWrite(MLWritable, MLReadable):
    """Mixin: ``write()`` / ``save()`` / ``read()`` / ``load()`` through :mod:`persistence`."""

    def write(self) -> ParamsWriter:
        """Returns a writer that saves this stage through the DataFrame API."""
        return ParamsWriter(self)  # type: ignore[arg-type]

    def save(self, path: str) -> None:
        """Save this stage to ``path`` (same as ``write().save(path)``)."""
        self.write().save(path)

    @classmethod
    def read(cls) -> ParamsReader[Any]:
        """Returns a reader that loads a saved stage of this class."""
        return ParamsReader(cls)  # type: ignore[arg-type]


class StagesReadWrite(ParamsReadWrite):
    """Mixin of a stage that holds other stages (an ensemble's estimator, sampler and fitted
    members): its params are saved as a params-only stage's, less ``_stage_params`` (whose
    values are stages), and each stage of :meth:`_saved_stages` in a folder of its own under
    the stage's path (as Spark's ``OneVsRest`` does); loading calls :meth:`_restore`."""

    #: params whose values are stages: saved as folders, not in the metadata
    _stage_params: tuple[str, ...] = ()

    def _saved_stages(self) -> dict[str, Any]:
        """Folder name -> stage to save there: the set ``_stage_params``."""
        found = {name: self._stage_or_none(name) for name in self._stage_params}
        return {name: stage for name, stage in found.items() if stage is not None}

    def _stage_or_none(self, name: str) -> Any:
        return self.getOrDefault(name) if self.isDefined(name) else None  # type: ignore[attr-defined]

    def _saved_extra(self) -> dict[str, Any] | None:
        """What else the metadata holds (JSON), under its ``extra`` key: which stages."""
        return {"stages": sorted(self._saved_stages())}

    def _write_also(self, path: str, spark: SparkSession, overwrite: bool) -> None:
        """Write what else the stage saves at ``path``, after its stages (nothing here)."""

    def _restore(self, path: str, extra: dict[str, Any]) -> None:
        """Set what :meth:`_saved_stages` and :meth:`_saved_extra` saved at ``path``."""
        for name in extra.get("stages", []):
            self._set(**{name: load_stage(os.path.join(path, name))})  # type: ignore[attr-defined]
