"""kitchenctl bootstrap's command line: options into scripts, usage errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import run_cli


def test_dry_run_prints_each_hosts_script_with_the_key_masked() -> None:
    result = run_cli(
        "--server-url",
        "https://chef.example/organizations/acme",
        "bootstrap",
        "--dry-run",
        "-r",
        "base,role[web]",
        "--tags",
        "blue,green",
        "-E",
        "prod",
        "web1",
        "alice@web2:2222",
    )

    assert result.exit_code == 0, result.stderr
    assert "# ---- web1 ----" in result.stdout
    assert "# ---- web2 ----" in result.stdout
    assert "node_name 'web2'" in result.stdout
    assert "***MASKED***" in result.stdout
    assert "(made at registration)" not in result.stdout
    assert "KITCHENCTL_ENVIRONMENT=prod" in result.stdout


def test_dry_run_json_has_one_script_per_host() -> None:
    result = run_cli("--format", "json", "bootstrap", "--dry-run", "-N", "db", "h1")

    scripts = json.loads(result.stdout)["scripts"]
    assert list(scripts) == ["h1"]
    assert "node_name 'db'" in scripts["h1"]


def test_node_name_with_several_hosts_is_a_usage_error() -> None:
    result = run_cli("bootstrap", "--dry-run", "-N", "db", "h1", "h2")

    assert result.exit_code == 2
    assert "--node-name names one node" in result.stderr


def test_policy_and_run_list_are_exclusive() -> None:
    result = run_cli(
        "bootstrap",
        "--dry-run",
        "--policy-name",
        "web",
        "--policy-group",
        "prod",
        "-r",
        "base",
        "h1",
    )

    assert result.exit_code == 2
    assert "Policyfile options and --run-list are exclusive" in result.stderr


def test_bad_attribute_file_names_the_file_and_line(tmp_path: Path) -> None:
    attributes = tmp_path / "attrs.json"
    attributes.write_text('{\n  "a": 1,\n}\n')

    result = run_cli(
        "bootstrap", "--dry-run", "--json-attribute-file", str(attributes), "h1"
    )

    assert result.exit_code == 5
    assert f"{attributes}:3: not valid JSON" in result.stderr


def test_sudo_password_without_terminal_or_variable_is_a_usage_error() -> None:
    result = run_cli("bootstrap", "--use-sudo-password", "h1")

    assert result.exit_code == 2
    assert "KITCHENCTL_SUDO_PASSWORD" in result.stderr
