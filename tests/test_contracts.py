"""Contracts over the registries: docs match the catalogue and schema, settings are documented,
and imports only flow pages -> csm.ui -> csm."""

import ast
from pathlib import Path

import pytest

from csm.kpis import load_catalogue, render_kpi_markdown
from csm.schema import render_data_model_markdown
from csm.settings import SETTINGS, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_kpi_docs_are_generated_from_the_catalogue():
    assert (ROOT / "docs/kpis.md").read_text(encoding="utf-8") == render_kpi_markdown(load_catalogue()), (
        "docs/kpis.md is stale: run `python -m csm docs`")


def test_every_kpi_has_a_section_in_the_docs():
    text = (ROOT / "docs/kpis.md").read_text(encoding="utf-8")
    for kpi in load_catalogue().kpis.values():
        assert f"## {kpi.label} (`{kpi.key}`)" in text


def test_importing_docs_are_generated_from_the_importer():
    from csm.ingest.guide import render_importing_markdown

    assert (ROOT / "docs/importing.md").read_text(encoding="utf-8") == render_importing_markdown(), (
        "docs/importing.md is stale: run `python -m csm docs`")


def test_data_model_docs_are_generated_from_the_schema():
    assert (ROOT / "docs/data-model.md").read_text(encoding="utf-8") == render_data_model_markdown(), (
        "docs/data-model.md is stale: run `python -m csm docs`")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_the_readme(setting):
    assert f"CSM_{setting.name.upper()}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_settings_environment_overrides_are_cast():
    assert load_settings(environ={"CSM_SERVICE_LEVEL_THRESHOLD_S": "30"})["service_level_threshold_s"] == 30
    with pytest.raises(ValueError, match="CSM_CACHE_TTL_S"):
        load_settings(environ={"CSM_CACHE_TTL_S": "soon"})


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] if a.name.split(".")[0] != "csm" else a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module if node.module.startswith("csm") else node.module.split(".")[0])
    return names


def test_domain_package_does_not_import_streamlit():
    offenders = [p for p in (ROOT / "csm").rglob("*.py") if "ui" not in p.relative_to(ROOT / "csm").parts[:1]
                 and "streamlit" in _imports(p)]
    assert offenders == []


def test_pages_only_use_csm_and_streamlit():
    for page in (ROOT / "pages").glob("*.py"):
        imports = _imports(page)
        assert "duckdb" not in imports, page
        assert imports <= {"streamlit"} | {i for i in imports if i.startswith("csm")}, page


def test_pages_hold_no_sql():
    for page in [*(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        text = page.read_text(encoding="utf-8").upper()
        assert "SELECT " not in text and "FROM TICKETS" not in text, page


def test_no_pickle_or_eval_in_the_code():
    for path in [*(ROOT / "csm").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert not names & {"eval", "exec"}, path
        assert "pickle" not in _imports(path), path
