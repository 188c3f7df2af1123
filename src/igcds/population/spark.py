"""The stages on Apache Spark: the same patterns and rules as duck.py, in the DataFrame API, and
the same core function (`core.assess_groups`) in Spark's Python tasks. `local[*]` by default;
any cluster by master URL, or under spark-submit (the session it started is reused)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import date
from functools import reduce
from pathlib import Path
from typing import Any

from igcds.knowledge.policy import Policy
from igcds.population import stages
from igcds.population.core import Outcome, assess_groups
from igcds.population.prefilter import Conjunctions
from igcds.population.stages import Census, ErrorRecord

MEDICATION_USES = frozenset({"MedicationStatement", "MedicationRequest", "MedicationAdministration"})


def _assess_partition(rows: Iterator[Any], as_of: date, policy: Policy) -> Iterator[tuple[Any, ...]]:
    groups = [(row["patient"], list(row["lines"])) for row in rows]
    for outcome in assess_groups(groups, as_of, policy):
        error = outcome.error
        fields = (error.patient, error.resource, error.field, error.message) if error else (None,) * 4
        yield (outcome.patient, outcome.assessment, *fields)


class SparkEngine:
    def __init__(self, master: str | None, partitions: int) -> None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("igcds population")
        if master is not None:
            builder = builder.master(master)
        self.spark = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(partitions))
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")
        self.partitions = partitions

    def _lines(self, files: dict[str, list[Path]], signals: dict[str, Conjunctions] | None = None) -> Any:
        """Every line with its type, key and referenced Medication (as duck._scan); with
        `signals`, also whether it is a scope signal and whether it is readable."""
        from pyspark.sql import functions as F

        def extract(pattern: str) -> Any:
            value = F.regexp_extract(F.col("line"), pattern, 1)
            return F.when(value != "", value)

        frames = []
        for rtype, paths in files.items():
            lines = self.spark.read.text([str(p) for p in paths]).withColumnRenamed("value", "line")
            lines = lines.filter(F.trim(F.col("line")) != "")  # blank lines are not records
            if rtype == "Patient":
                key = extract(stages.RESOURCE_ID)
            elif rtype == "Medication":
                key = F.concat(F.lit(stages.MEDICATION_KEY_PREFIX), extract(stages.RESOURCE_ID))
            else:
                key = extract(stages.PATIENT_REFERENCE)
            medication = extract(stages.MEDICATION_REFERENCE) if rtype in MEDICATION_USES else F.lit(None)
            columns = [
                F.lit(rtype).alias("rtype"),
                key.alias("key"),
                medication.cast("string").alias("medication"),
                "line",
            ]
            if signals is not None:
                line, trimmed = F.col("line"), F.trim(F.col("line"))
                signal = reduce(
                    lambda a, b: a | b,
                    (
                        reduce(lambda a, b: a & b, (line.rlike(p) for p in patterns))
                        for patterns in signals.get(rtype, ())
                    ),
                    F.lit(False),
                )
                readable = (line.like("{%}") | trimmed.like("{%}")) & line.contains(stages.RESOURCE_TYPE_MARK)
                columns += [signal.alias("signal"), readable.alias("readable")]
            frames.append(lines.select(*columns))
        return reduce(lambda a, b: a.unionByName(b), frames)

    def census(self, files: dict[str, list[Path]], signals: dict[str, Conjunctions]) -> Census:
        from pyspark.sql import functions as F

        lines = self._lines(files, signals)
        census = (
            lines.groupBy("key", F.when(F.col("key").isNull(), F.col("rtype")).alias("lost_type"))
            .agg(
                F.count("*").alias("lines"),
                F.sum((F.col("rtype") == "Patient").cast("int")).alias("patient_lines"),
                F.max("signal").alias("signal"),
                F.sum((~F.col("readable")).cast("int")).alias("unreadable"),
                F.collect_set("medication").alias("medications"),
            )
            .persist()
        )
        prefix = stages.MEDICATION_KEY_PREFIX
        signalling = census.filter(F.col("signal") & F.col("key").startswith(prefix)).select(
            F.expr(f"substring(key, {len(prefix) + 1})").alias("medication")
        )
        assessable = census.filter((F.col("patient_lines") == 1) & (F.col("unreadable") == 0))
        by_medication = (
            assessable.select("key", F.explode("medications").alias("medication"))
            .join(signalling, "medication")
            .select("key")
        )
        self.candidates = (
            assessable.filter(F.col("signal"))
            .select("key")
            .union(by_medication)
            .distinct()
            .withColumnRenamed("key", "patient")
            .persist()
        )
        self.census_frame = census

        # One job for the counts, one for the few problem rows (not one per kind of problem).
        result = Census(files=files)
        result.patients_read = census.filter(F.col("patient_lines") > 0).count()
        result.candidates = self.candidates.count()
        problems = census.filter(
            (F.col("unreadable") > 0) | (F.col("patient_lines") != 1) | F.col("key").isNull()
        ).select("key", "lost_type", "lines", "patient_lines", "unreadable")
        unreadable, duplicated, orphans, unattributed = {}, {}, {}, {}
        for key, lost_type, lines, patient_lines, bad in problems.collect():
            if key is None:
                unattributed[lost_type] = lines
            elif patient_lines > 0:
                if bad:
                    unreadable[key] = bad
                if patient_lines > 1:
                    duplicated[key] = patient_lines
            elif not key.startswith(prefix):
                orphans[key] = lines
        stages.census_errors(result, unreadable, duplicated, orphans, unattributed)
        self.files = files
        return result

    def outcomes(self, as_of: date, policy: Policy) -> Iterator[Outcome]:
        """Each candidate's lines grouped and assessed inside Spark; outcomes in patient order."""
        from pyspark.sql import functions as F

        prefix = stages.MEDICATION_KEY_PREFIX
        own = self.candidates.select(F.col("patient").alias("key"), "patient")
        medications = (
            self.candidates.join(self.census_frame, self.candidates.patient == self.census_frame.key)
            .select(F.explode("medications").alias("medication"), "patient")
            .select(F.concat(F.lit(prefix), F.col("medication")).alias("key"), "patient")
        )
        wanted = own.union(medications).distinct()
        grouped = (
            self._lines(self.files)
            .join(wanted, "key")
            .groupBy("patient")
            .agg(F.collect_list("line").alias("lines"))
            .orderBy("patient")  # range-partitioned: partitions, and rows within them, in patient order
            .persist()
        )
        assessed = grouped.rdd.mapPartitions(lambda rows: _assess_partition(rows, as_of, policy))
        for row in assessed.toLocalIterator(prefetchPartitions=True):
            patient, assessment, *error = row
            yield Outcome(patient, assessment, ErrorRecord(*error) if error[3] is not None else None)

    def close(self) -> None:
        self.spark.stop()
