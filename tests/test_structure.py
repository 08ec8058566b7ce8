"""The apps depend on each other in one direction only: contacts ← cases ← notifications ← public ← reports,
inbound ← staff, and no module imports inside a function to dodge a cycle."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# An app may import the apps listed for it, never the others.
ALLOWED = {
    "contacts": {"midoffice"},
    "cases": {"midoffice", "contacts"},
    "notifications": {"midoffice", "contacts", "cases"},
    "public": {"midoffice", "contacts", "cases", "notifications"},
    "inbound": {"midoffice", "contacts", "cases", "notifications"},
    "reports": {"midoffice", "contacts", "cases", "notifications", "public"},
    "staff": {"midoffice", "contacts", "cases", "notifications", "public", "inbound", "reports"},
}
APPS = {"midoffice", "contacts", "cases", "notifications", "reports", "staff", "public", "inbound"}


def modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def imported_apps(node) -> set[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [node.module]
    else:
        return set()
    return {name.split(".")[0] for name in names} & APPS


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = [
        f"{path.relative_to(ROOT)}:{node.lineno} imports {other}"
        for path, tree in modules(app)
        for node in ast.walk(tree)
        for other in imported_apps(node) - ALLOWED[app] - {app}
    ]
    assert wrong == []


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_no_imports_inside_functions(app):
    """Imports in AppConfig.ready are how Django wants signal receivers and registries connected."""
    found = []
    for path, tree in modules(app):
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name == "ready":
                continue
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno} in {function.name}"
                for node in ast.walk(function)
                if isinstance(node, ast.Import | ast.ImportFrom)
            ]
    assert found == []


WRITES = {"create", "bulk_create", "get_or_create", "update_or_create"}


def test_case_timeline_events_are_made_in_one_module():
    """Every event on a case's timeline is made by ``cases.services.events`` (``case_event_new``) and written by
    ``case_events_write`` or in the statement of the row it is about: nothing else builds or saves one."""
    home = ROOT / "cases" / "services" / "events.py"
    found = []
    for app in sorted(APPS):
        for path, tree in modules(app):
            if path == home:
                continue
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                function = node.func
                built = isinstance(function, ast.Name) and function.id == "CaseEvent"
                saved = (
                    isinstance(function, ast.Attribute)
                    and function.attr in WRITES
                    and isinstance(function.value, ast.Attribute)
                    and isinstance(function.value.value, ast.Name)
                    and function.value.value.id == "CaseEvent"
                )
                if built or saved:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
