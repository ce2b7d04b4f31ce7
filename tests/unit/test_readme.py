"""The README's configuration reference must name every option the addons declare."""

from pathlib import Path

from scripts.options_table import aegis_options

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_readme_documents_every_option(tmp_path, monkeypatch):
    monkeypatch.setenv("AEGIS_HOME", str(tmp_path))
    names = [name for name, *_ in aegis_options()]
    assert len(names) >= 15
    missing = [n for n in names if f"`{n}` (`{n.upper()}`)" not in README]
    assert not missing, f"README lacks options {missing}; regenerate with scripts/options_table.py"


def test_readme_names_the_two_commands():
    assert "scripts/run" in README and "scripts/test" in README
