"""Run the team's contract checker against the installed CLI (skipped when shared/ is absent)."""
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

CHECKER = ROOT.parent / "shared" / "tools" / "check-contract"


@pytest.mark.skipif(not CHECKER.exists() or not shutil.which("recruit-detect"),
                    reason="needs ../shared/tools/check-contract and an installed recruit-detect")
def test_check_contract_passes():
    result = subprocess.run([sys.executable, str(CHECKER)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].endswith("0 failed")
