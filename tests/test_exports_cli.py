"""`python -m components.exports --out …`: a folder that cannot be written is a
French message and a non-zero exit, found before any export is computed."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import components.exports.__main__ as cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_work(monkeypatch):
    """The long work (the bundle) must not start."""
    def forbidden(code):
        raise AssertionError("bundle computed before --out was checked")

    monkeypatch.setattr(cli, "bundle", forbidden)


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write into (root ignores permissions: a sysfs folder then)."""
    if os.geteuid() != 0:
        d = tmp_path / "lecture-seule"
        d.mkdir()
        d.chmod(0o555)
        return d
    d = Path("/sys/kernel")
    try:
        with tempfile.NamedTemporaryFile(dir=d):
            pytest.skip("no read-only folder available")
    except OSError:
        return d


def test_out_is_a_file(tmp_path, capsys, no_work):
    f = tmp_path / "exports.zip"
    f.write_bytes(b"x")
    assert cli.main(["--territoire", "62119", "--out", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"ERREUR : --out {f} est un fichier, pas un dossier" in err
    assert f.read_bytes() == b"x"


def test_out_below_a_file(tmp_path, capsys, no_work):
    f = tmp_path / "fichier"
    f.write_bytes(b"x")
    assert cli.main(["--territoire", "62119", "--out", str(f / "sous-dossier")]) == 2
    assert "un élément du chemin est un fichier" in capsys.readouterr().err


def test_read_only_folder(tmp_path, capsys, no_work):
    d = _read_only_folder(tmp_path)
    try:
        assert cli.main(["--territoire", "62119", "--out", str(d)]) == 2
        err = capsys.readouterr().err
        assert f"--out {d} : impossible d'écrire dans ce dossier (" in err
        assert cli.main(["--territoire", "62119", "--out", str(d / "nouveau")]) == 2
        err = capsys.readouterr().err
        assert f"--out {d / 'nouveau'} :" in err and ("droits insuffisants" in err or "non permise" in err)
    finally:
        if d.is_relative_to(tmp_path):
            d.chmod(0o755)


def test_cli_without_traceback_before_the_work(tmp_path):
    f = tmp_path / "exports.zip"
    f.write_bytes(b"x")
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "components.exports", "--territoire", "62119", "--out", str(f)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and "est un fichier, pas un dossier" in p.stderr
    assert p.stdout == ""
    assert time.monotonic() - t0 < 60
