"""Rows of nbgrader's gradebook copied between databases, whatever their backend (SQLite, PostgreSQL).

Two uses, both through nbgrader's own SQLAlchemy tables (``nbgrader.api.Base.metadata``), row for
row, primary keys included:

- ``assignment_snapshot``: a small SQLite file holding one assignment's definition (its notebooks and
  their grade, solution, task and source cells; no student, no submission), as bytes. Each
  submission is graded in a scratch course of its own from this snapshot, wherever the course's
  gradebook lives and wherever the grading runs.
- ``migrate``: the whole gradebook into an empty database (``course gradebook migrate --to URL``),
  checked afterwards table by table: the same rows, the same values, so the same scores.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from course_lib.errors import CourseError

ALEMBIC = "alembic_version"  # nbgrader's schema revision (a table outside its models)
CELL_TABLES = ("grade_cells", "solution_cells", "task_cells")  # joined to base_cell by id


def _engine(url: str):
    from sqlalchemy import create_engine

    return create_engine(url, future=True)


def _tables():
    from nbgrader.api import Base

    return Base.metadata.tables


def shown(url: str) -> str:
    """``url`` with its password masked, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _revision(connection) -> str | None:
    from sqlalchemy import text

    try:
        return connection.execute(text(f"SELECT version_num FROM {ALEMBIC}")).scalar()
    except Exception:  # an old gradebook without the table
        return None


def _create_schema(engine, revision: str | None) -> None:
    """nbgrader's tables, and its alembic revision as the source has it (no `alembic` run: seconds saved)."""
    from nbgrader.api import Base
    from sqlalchemy import text

    Base.metadata.create_all(bind=engine)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE IF NOT EXISTS {ALEMBIC} (version_num VARCHAR(32) NOT NULL)"))
        if revision and _revision(connection) is None:
            connection.execute(text(f"INSERT INTO {ALEMBIC} (version_num) VALUES (:v)"), {"v": revision})


def assignment_rows(connection, assignment: str, course_id: str) -> dict[str, list[dict]]:
    """``{table: rows}`` of one assignment's definition: course, assignment, notebooks, cells."""
    from sqlalchemy import select

    tables = _tables()

    def rows(statement) -> list[dict]:
        return [dict(row) for row in connection.execute(statement).mappings()]

    found = rows(select(tables["assignment"]).where(tables["assignment"].c.name == assignment))
    if not found:
        raise CourseError(f"{assignment} is not in the gradebook: run `course release {assignment}` (or nbgrader's "
                          "generate_assignment) first")
    notebooks = rows(select(tables["notebook"]).where(tables["notebook"].c.assignment_id == found[0]["id"]))
    notebook_ids = [n["id"] for n in notebooks]
    cells = rows(select(tables["base_cell"]).where(tables["base_cell"].c.notebook_id.in_(notebook_ids)))
    cell_ids = [c["id"] for c in cells]
    result = {"course": rows(select(tables["course"]).where(tables["course"].c.id == found[0]["course_id"])),
              "assignment": found, "notebook": notebooks, "base_cell": cells,
              "source_cell": rows(select(tables["source_cell"]).where(
                  tables["source_cell"].c.notebook_id.in_(notebook_ids)))}
    for name in CELL_TABLES:
        result[name] = rows(select(tables[name]).where(tables[name].c.id.in_(cell_ids)))
    return result


def _insert(connection, rows_by_table: dict[str, list[dict]]) -> None:
    from nbgrader.api import Base

    for table in Base.metadata.sorted_tables:  # parents before children
        rows = rows_by_table.get(table.name)
        if rows:
            connection.execute(table.insert(), rows)


def assignment_snapshot(db_url: str, assignment: str, course_id: str) -> bytes:
    """The bytes of a SQLite gradebook holding ``assignment``'s definition, read from the gradebook at ``db_url``.

    It holds hidden tests (source cells) but nothing of any student: the grading worker needs the one,
    and has no business with the other.
    """
    source = _engine(db_url)
    try:
        with source.connect() as connection:
            rows, revision = assignment_rows(connection, assignment, course_id), _revision(connection)
    finally:
        source.dispose()
    handle, name = tempfile.mkstemp(prefix="gradebook-snapshot-", suffix=".db")
    os.close(handle)
    path = Path(name)
    try:
        target = _engine(f"sqlite:///{path}")
        try:
            _create_schema(target, revision)
            with target.begin() as connection:
                _insert(connection, rows)
        finally:
            target.dispose()
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


@dataclass
class Migrated:
    """What ``migrate`` copied: rows per table (tables with none left out)."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def table_rows(connection) -> dict[str, list[tuple]]:
    """Every row of every nbgrader table, sorted, as plain tuples: equal dictionaries mean equal gradebooks."""
    from nbgrader.api import Base
    from sqlalchemy import select

    return {table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables}


def migrate(source_url: str, target_url: str) -> Migrated:
    """Copy the whole gradebook at ``source_url`` into the empty database at ``target_url``, then check it.

    Refuses a target that already holds a gradebook's rows (nothing is merged or overwritten). The copy
    is one transaction: on any error the target is left as it was. Afterwards every table is read
    back from both and compared, value for value.
    """
    from sqlalchemy import inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    if _same_database(source_url, target_url):
        raise CourseError("the gradebook to migrate to is the one in use: give another --to URL")
    source, target = _engine(source_url), _engine(target_url)
    try:
        try:
            with source.connect() as connection:
                if not inspect(connection).get_table_names():
                    raise CourseError(f"there is no gradebook at {shown(source_url)}")
                revision, rows = _revision(connection), table_rows(connection)
                columns = {name: [c.name for c in _tables()[name].columns] for name in rows}
                records = {name: [dict(zip(columns[name], row)) for row in table] for name, table in rows.items()}
            with target.connect() as connection:
                existing = set(inspect(connection).get_table_names())
                if existing & set(_tables()):
                    filled = [name for name in sorted(existing & set(_tables()))
                              if connection.execute(select(_tables()[name]).limit(1)).first() is not None]
                    if filled:
                        raise CourseError(f"{shown(target_url)} already holds a gradebook (rows in "
                                          f"{', '.join(filled)}): migrate into an empty database")
            _create_schema(target, revision)
            with target.begin() as connection:
                _insert(connection, records)
            with target.connect() as connection:
                copied = table_rows(connection)
        except SQLAlchemyError as error:
            raise CourseError(f"the migration failed: {str(error).splitlines()[0]}") from None
    finally:
        source.dispose()
        target.dispose()
    different = [name for name in rows if rows[name] != copied[name]]
    if different:
        raise CourseError(f"the migrated gradebook differs from the source in {', '.join(different)}")
    return Migrated({name: len(table) for name, table in rows.items() if table})


def _same_database(first: str, second: str) -> bool:
    from sqlalchemy.engine import make_url

    a, b = make_url(first), make_url(second)
    if a.get_backend_name() == "sqlite" and b.get_backend_name() == "sqlite":
        return Path(a.database or "").resolve() == Path(b.database or "").resolve()
    return (a.get_backend_name(), a.host, a.port, a.database) == (b.get_backend_name(), b.host, b.port, b.database)
