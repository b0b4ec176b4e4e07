"""KG_HOME: a file in its place is a clear error; kg's own directory is kept private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import StoreError
from kg.store import embedded


@pytest.mark.parametrize("args", [["db", "status"], ["db", "start"], ["stats"]])
def test_kg_home_pointing_at_a_file_says_so(tmp_path: Path, args: list[str]) -> None:
    home = tmp_path / "not-a-dir"
    home.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, args, env={"KG_HOME": str(home), "NEO4J_URI": ""})
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"Error: KG_HOME {home} is a file, not a directory; point KG_HOME at a directory "
        "(kg creates it if it is missing)\n"
    )


def test_an_open_kg_home_of_kgs_own_is_tightened(tmp_path: Path) -> None:
    home = tmp_path / "kg"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    (home / embedded.PASSWORD_FILE).write_text("secret", encoding="utf-8")
    (home / embedded.LOG_FILE).write_text("", encoding="utf-8")
    embedded._make_private_dir(home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_a_shared_directory_is_never_tightened(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    (shared / "someone-elses-file").write_text("x", encoding="utf-8")
    embedded._make_private_dir(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755


def test_resolve_home_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("", encoding="utf-8")
    with pytest.raises(StoreError, match="is a file, not a directory"):
        embedded.resolve_home(target)
