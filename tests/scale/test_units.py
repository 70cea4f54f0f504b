"""The systemd units in deploy/systemd pass `systemd-analyze verify` once pointed at this checkout."""
import shutil
import subprocess

import pytest

from serving import ROOT

UNITS = ROOT / "deploy" / "systemd"


@pytest.fixture
def units(tmp_path):
    """The units with /srv/cafe replaced by this checkout, so that verify finds the programs they start."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/cafe", str(ROOT)))
    return tmp_path


def test_the_units_pass_systemd_analyze_verify(units):
    names = ["cafe-web@5001.service", "cafe-web@5002.service", "cafe-worker@1.service", "cafe-migrate.service",
             "cafe.target"]
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(units / name) for name in names)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # unknown keys are only warned about


def test_every_process_reads_the_same_settings_and_restarts():
    for unit in UNITS.glob("*.service"):
        text = unit.read_text()
        assert "EnvironmentFile=/etc/cafe/cafe.env" in text and "NoNewPrivileges=yes" in text, unit.name
        assert "ProtectSystem=strict" in text and "User=cafe" in text, unit.name
    for name in ("cafe-web@.service", "cafe-worker@.service"):
        assert "Restart=always" in (UNITS / name).read_text()
