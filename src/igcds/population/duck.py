"""The stages on embedded DuckDB: no server, a memory limit, and a spill directory, so a large
export is keyed and grouped out of core. Candidates are assessed in a process pool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from igcds.population import stages
from igcds.population.prefilter import Conjunctions
from igcds.population.stages import Census

MEDICATION_USES = frozenset({"MedicationStatement", "MedicationRequest", "MedicationAdministration"})
LINES = (
    "read_csv({files}, columns={{'line': 'VARCHAR'}}, header=false, delim=chr(31), quote='', escape='', "
    "auto_detect=false, strict_mode=false, max_line_size=4194304, buffer_size=8388608)"
)


def _scan(files: dict[str, list[Path]], signals: dict[str, Conjunctions] | None = None) -> str:
    """One SELECT over every file: type, key, Medication referenced, line; with `signals`, also
    whether the line is a scope signal and whether it is readable."""
    selects = []
    for rtype, paths in files.items():
        listed = "[" + ", ".join(_literal(str(p)) for p in paths) + "]"
        if rtype == "Patient":
            key = _extract(stages.RESOURCE_ID)
        elif rtype == "Medication":
            key = f"{_literal(stages.MEDICATION_KEY_PREFIX)} || {_extract(stages.RESOURCE_ID)}"
        else:
            key = _extract(stages.PATIENT_REFERENCE)
        medication = _extract(stages.MEDICATION_REFERENCE) if rtype in MEDICATION_USES else "NULL"
        columns = f"{_literal(rtype)} AS rtype, {key} AS key, {medication} AS medication, line"
        if signals is not None:
            signal = _any_of(signals.get(rtype, ()))
            mark = _literal(stages.RESOURCE_TYPE_MARK)
            readable = f"((line LIKE '{{%}}' OR trim(line) LIKE '{{%}}') AND contains(line, {mark}))"
            columns += f", ({signal}) AS signal, {readable} AS readable"
        blank = "line IS NULL OR trim(line) = ''"  # blank lines are not records
        selects.append(f"SELECT {columns} FROM {LINES.format(files=listed)} WHERE NOT ({blank})")  # noqa: S608
    return " UNION ALL ".join(selects)


def _any_of(alternatives: Conjunctions) -> str:
    """SQL: the line matches every pattern of at least one alternative."""
    if not alternatives:
        return "false"
    return " OR ".join(
        "(" + " AND ".join(f"regexp_matches(line, {_literal(p)})" for p in patterns) + ")" for patterns in alternatives
    )


def _extract(pattern: str) -> str:
    return f"nullif(regexp_extract(line, {_literal(pattern)}, 1), '')"


def _literal(text: str) -> str:
    """A SQL string literal (file paths and patterns are the only text put in a query)."""
    return "'" + text.replace("'", "''") + "'"


class DuckEngine:
    def __init__(self, work_dir: Path, memory_limit: str, threads: int) -> None:
        import duckdb

        self.con = duckdb.connect()
        self.con.execute(f"SET temp_directory = {_literal(str(work_dir))}")
        self.con.execute(f"SET memory_limit = {_literal(memory_limit)}")
        self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET enable_progress_bar = false")

    def census(self, files: dict[str, list[Path]], signals: dict[str, Conjunctions]) -> Census:
        scan = _scan(files, signals)
        prefix = _literal(stages.MEDICATION_KEY_PREFIX)
        # Plain aggregates only (they spill to disk): first per patient and referenced Medication,
        # then per patient; the Medication references stay a table of their own.
        self.con.execute(
            f"""CREATE TEMP TABLE by_medication AS
            SELECT key, CASE WHEN key IS NULL THEN rtype END AS lost_type, medication,
                   count(*) AS lines,
                   count(*) FILTER (WHERE rtype = 'Patient') AS patient_lines,
                   bool_or(signal) AS signal,
                   count(*) FILTER (WHERE NOT readable) AS unreadable
            FROM ({scan}) GROUP BY ALL"""  # noqa: S608 - every value is quoted by _literal
        )
        self.con.execute(
            """CREATE TEMP TABLE census AS
            SELECT key, lost_type, sum(lines) AS lines, sum(patient_lines) AS patient_lines,
                   bool_or(signal) AS signal, sum(unreadable) AS unreadable
            FROM by_medication GROUP BY key, lost_type"""
        )
        self.con.execute(
            f"""CREATE TEMP TABLE references_medication AS
            SELECT DISTINCT key AS patient, {prefix} || medication AS medication
            FROM by_medication WHERE medication IS NOT NULL AND key IS NOT NULL;
            DROP TABLE by_medication"""  # noqa: S608
        )
        self.con.execute(
            """CREATE TEMP TABLE candidates AS
            SELECT c.key AS patient FROM census c
            WHERE c.patient_lines = 1 AND c.unreadable = 0 AND (c.signal OR c.key IN (
                SELECT r.patient FROM references_medication r JOIN census m ON m.key = r.medication WHERE m.signal))"""
        )
        return self._census_result(files)

    def _census_result(self, files: dict[str, list[Path]]) -> Census:
        def pairs(sql: str) -> dict[str, int]:
            return {str(k): int(v) for k, v in self.con.execute(sql).fetchall()}

        medication = _literal(stages.MEDICATION_KEY_PREFIX)
        census = Census(files=files)
        census.patients_read = pairs("SELECT 'n', count(*) FROM census WHERE patient_lines > 0")["n"]
        census.candidates = pairs("SELECT 'n', count(*) FROM candidates")["n"]
        stages.census_errors(
            census,
            unreadable=pairs("SELECT key, unreadable FROM census WHERE patient_lines > 0 AND unreadable > 0"),
            duplicated=pairs("SELECT key, patient_lines FROM census WHERE patient_lines > 1"),
            orphans=pairs(
                f"SELECT key, lines FROM census WHERE patient_lines = 0 AND key IS NOT NULL AND NOT starts_with(key, {medication})"  # noqa: S608, E501
            ),
            unattributed=pairs("SELECT lost_type, lines FROM census WHERE key IS NULL"),
        )
        return census

    def groups(self, files: dict[str, list[Path]], batch_rows: int = 20_000) -> Iterator[tuple[str, list[str]]]:
        """Each candidate's lines (its referenced Medications included), by patient and text."""
        scan = _scan(files)
        reader = self.con.sql(
            f"""WITH wanted AS (
                SELECT patient AS key, patient FROM candidates
                UNION SELECT r.medication, r.patient FROM references_medication r
                SEMI JOIN candidates c USING (patient))
            SELECT w.patient, s.line FROM ({scan}) s JOIN wanted w ON s.key = w.key
            ORDER BY w.patient, s.line"""  # noqa: S608
        ).to_arrow_reader(batch_rows)
        patient: str | None = None
        lines: list[str] = []
        for batch in reader:
            for key, line in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
                if key != patient:
                    if patient is not None:
                        yield patient, lines
                    patient, lines = key, []
                lines.append(line)
        if patient is not None:
            yield patient, lines

    def close(self) -> None:
        self.con.close()
