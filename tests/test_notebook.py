"""The notebook in docs/examples runs end to end in a real Jupyter kernel, so it cannot rot."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "examples" / "tour.ipynb"


def _outputs(cell) -> str:
    """Everything a cell showed: its text and HTML outputs."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.extend(str(data.get(kind, "")) for kind in ("text/plain", "text/html"))
    return "\n".join(parts)


@pytest.mark.slow
def test_the_tour_notebook_runs_from_a_dataframe_to_the_explorer(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=1800, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # a cell that raises fails here, naming the cell
    nbformat.write(notebook, tmp_path / "tour.ipynb")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    shown = [_outputs(cell) for cell in code]
    fitted = next(text for cell, text in zip(code, shown) if ".fit(df" in cell.source)
    assert "topics" in fitted and "Traceback" not in fitted
    joined = next(text for cell, text in zip(code, shown) if "df.join" in cell.source)
    assert "topic_label" in joined
    explorer = next(text for cell, text in zip(code, shown) if ".explore()" in cell.source)
    assert "<iframe" in explorer
    assert not any(output.get("output_type") == "error" for cell in code for output in cell.get("outputs", []))
