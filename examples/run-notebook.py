"""Executes examples/ironclad.ipynb headless (nbclient), as CI does; exits non-zero on a failing cell."""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

here = Path(__file__).resolve().parent
path = here / "ironclad.ipynb"
nb = nbformat.read(path, as_version=4)
started = time.monotonic()
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(here)}}).execute()
cells = sum(1 for c in nb.cells if c.cell_type == "code")
print(f"{path.name}: {cells} code cells executed in {time.monotonic() - started:.1f} s")
if len(sys.argv) > 1:
    nbformat.write(nb, sys.argv[1])
