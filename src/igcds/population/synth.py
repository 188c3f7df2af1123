"""A synthetic FHIR Bulk Data export (`igcds synth N DIR --seed S`): one NDJSON file per resource
type (the larger types split in two files, one gzipped), resources shuffled across patients, each
pathway at a known prevalence, and a few broken records. Tests and benchmarks use it; nothing in
it is a real person."""

from __future__ import annotations

import gzip
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import IO

from igcds.population import synth_patients as pathways
from igcds.population.synth_patients import PatientWriter, Resource

Pathway = Callable[[PatientWriter], None]
# Share of patients on each pathway; the rest get background records only.
PREVALENCE: tuple[tuple[str, float, Pathway], ...] = (
    ("hyper-igm-cd40lg", 0.004, pathways.hyper_igm_cd40lg),
    ("selective-igm-deficiency", 0.006, pathways.sigmd),
    ("possible-selective-igm-deficiency", 0.003, pathways.possible_sigmd),
    ("normal-immunoglobulins", 0.003, pathways.normal_immunoglobulins),
    ("warning-sign-infections", 0.003, pathways.warning_infections),
    ("single-sinusitis", 0.010, pathways.single_sinusitis),
    ("secondary-low-igm", 0.002, pathways.secondary_low_igm),
    ("other-antibody-deficiency", 0.002, pathways.other_antibody_deficiency),
)
# Broken records, by patient position in each block of BROKEN_EVERY patients.
BROKEN_EVERY = 5000
TRUNCATED_LINE, UNKNOWN_UNIT, UNKNOWN_GENDER, MISSING_PATIENT = 3, 5, 7, 11
SPLIT_TYPES = frozenset({"Observation", "Encounter"})  # written as .000.ndjson and .001.ndjson.gz
SHUFFLE_BLOCK = 2000  # patients whose resources are shuffled together before writing


def choose_pathway(rng: random.Random, enrich: float = 1.0) -> tuple[str, Pathway]:
    draw = rng.random()
    for name, share, build in PREVALENCE:
        share *= enrich
        if draw < share:
            return name, build
        draw -= share
    return "background", pathways.background


def _patient_lines(
    index: int, rng: random.Random, as_of: date, counts: Counter[str], enrich: float
) -> Iterator[tuple[str, str]]:
    patient_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    writer = PatientWriter(patient_id, rng, as_of)
    broken = index % BROKEN_EVERY
    name, build = choose_pathway(rng, enrich)
    if broken in (UNKNOWN_UNIT, UNKNOWN_GENDER):
        name, build = "broken", pathways.possible_sigmd
    counts[name] += 1
    build(writer)
    resources: list[Resource] = writer.resources
    if broken == UNKNOWN_UNIT:
        writer.lab("2472-9", "IgM [Mass/volume] in Serum", 20, "mg/furlong", 10)
    if broken == UNKNOWN_GENDER:
        resources[0]["gender"] = "robot"
    if broken == MISSING_PATIENT:
        lost = PatientWriter(f"{patient_id}-not-exported", rng, as_of)
        lost.lab("2472-9", "IgM [Mass/volume] in Serum", 15, "mg/dL", 30)
        resources.extend(lost.resources)
    for position, resource in enumerate(resources):
        line = json.dumps(resource, separators=(",", ":"))
        if broken == TRUNCATED_LINE and position == len(resources) - 1:
            line = line[:-20]  # cut short, as a failed write leaves it
        yield resource["resourceType"], line


def generate(count: int, out_dir: Path, seed: int, as_of: date, enrich: float = 1.0) -> Counter[str]:
    """Write the export; returns how many patients each pathway got. `enrich` multiplies every
    pathway's prevalence (small test exports that still hold every pathway)."""
    if not 0 < enrich * sum(share for _, share, _ in PREVALENCE) <= 1:
        raise ValueError(f"enrich {enrich} puts the pathways' prevalence outside (0, 1]")
    rng = random.Random(seed)  # noqa: S311 - synthetic records, not secrets
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    with ExitStack() as files:
        handles: dict[str, list[IO[str]]] = {}

        def write(rtype: str, line: str) -> None:
            if rtype not in handles:
                plain = files.enter_context((out_dir / f"{rtype}.000.ndjson").open("w", encoding="utf-8"))
                handles[rtype] = [plain]
                if rtype in SPLIT_TYPES:
                    zipped = gzip.open(out_dir / f"{rtype}.001.ndjson.gz", "wt", encoding="utf-8", compresslevel=1)
                    handles[rtype].append(files.enter_context(zipped))
            targets = handles[rtype]
            targets[rng.randrange(len(targets))].write(line + "\n")

        for start in range(0, count, SHUFFLE_BLOCK):
            block = [
                pair
                for index in range(start, min(count, start + SHUFFLE_BLOCK))
                for pair in _patient_lines(index, rng, as_of, counts, enrich)
            ]
            rng.shuffle(block)
            for rtype, line in block:
                write(rtype, line)
    return counts
