"""Every notebook runs as the data team runs it: through a real Jupyter kernel (nbclient +
ipykernel), started in the ``notebooks/`` folder, against the same database as the server (here
the test database on the same embedded server)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from sqlalchemy.engine import URL

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Appended to each notebook in memory: where the kernel was and which database it reached.
WHERE_AM_I = (
    "import os\n"
    "from models.db import resolve_database_url\n"
    "print(os.getcwd())\n"
    "print(resolve_database_url().render_as_string(hide_password=True))"
)


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_a_kernel_from_its_folder(
    notebook: Path, database_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kernel inherits this environment: this checkout's packages, the test database.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("TABASHIR_DB_NAME", str(database_url.database))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if os.environ.get("DATABASE_URL"):
        monkeypatch.setenv("DATABASE_URL", database_url.render_as_string(hide_password=False))
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(WHERE_AM_I))
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    client.execute()  # raises CellExecutionError with the failing cell's traceback

    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    where = "".join(o.get("text", "") for o in nb.cells[-1].outputs).split()
    assert Path(where[0]) == notebook.parent  # run from notebooks/, as Jupyter does
    assert where[1] == database_url.render_as_string(hide_password=True)  # the server's database


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS
