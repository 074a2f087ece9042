"""The error-analysis notebook runs end to end on a small slice, so it cannot rot."""
import pytest

from conftest import ROOT

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")


def test_error_analysis_notebook_executes(monkeypatch):
    monkeypatch.setenv("RECRUIT_DETECT_NOTEBOOK_LIMIT", "60")
    nb = nbformat.read(ROOT / "notebooks" / "01-error-analysis.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "posts 60" in text and "false_positives" in text and "fee_demand" in text
    assert "annotated posts" in text and "(all)" in text
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 5
