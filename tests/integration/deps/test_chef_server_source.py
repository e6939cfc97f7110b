"""A Chef server (goiardi and the embedded server) as a Berksfile source."""

from __future__ import annotations

from pathlib import Path

from kitchenctl import deps
from kitchenctl.api import ChefServerAPI
from kitchenctl.config import load_settings
from kitchenctl.cookbook_loader import load_cookbook
from kitchenctl.cookbook_store import CookbookStore
from kitchenctl.uploader import upload_cookbooks
from tests.fixtures.chef_servers import ChefServerHandle


def write_cookbook(folder: Path, name: str, version: str, depends: str = "") -> Path:
    folder.mkdir(parents=True)
    (folder / "metadata.rb").write_text(
        f"name '{name}'\nversion '{version}'\n{depends}"
    )
    (folder / "README.md").write_text(f"# {name}\n")
    (folder / "recipes").mkdir()
    (folder / "recipes" / "default.rb").write_text(f"log '{name}'\n")
    return folder


def test_install_from_a_chef_server(
    chef_profile: ChefServerHandle, tmp_path: Path, unique_name: str
) -> None:
    base, app = f"{unique_name}-base", f"{unique_name}-app"
    uploads = tmp_path / "uploads"
    cookbooks = [
        write_cookbook(uploads / "b1", base, "1.0.0"),
        write_cookbook(uploads / "b2", base, "1.1.0"),
        write_cookbook(uploads / "a1", app, "2.0.0", f"depends '{base}', '~> 1.0'\n"),
    ]
    with ChefServerAPI.from_settings(load_settings()) as api:
        upload_cookbooks(api, [load_cookbook(path) for path in cookbooks])

    berksfile = tmp_path / "project" / "Berksfile"
    berksfile.parent.mkdir()
    berksfile.write_text(f"source :chef_server\ncookbook '{app}'\n")
    store = CookbookStore(tmp_path / "store")

    result = deps.install(deps.load_project(berksfile), store)

    versions = {c.name: str(c.version) for c in result.cookbooks}
    assert versions == {app: "2.0.0", base: "1.1.0"}
    line = next(c.line for c in result.cookbooks if c.name == base)
    assert line == (
        f"Installing {base} (1.1.0) from {chef_profile.url} "
        f"([chef_server] {chef_profile.url})"
    )
    recipe = store.path(base, "1.1.0") / "recipes" / "default.rb"
    assert recipe.read_text() == f"log '{base}'\n"


def test_apply_pins_every_locked_cookbook_in_a_server_environment(
    chef_profile: ChefServerHandle, tmp_path: Path, unique_name: str
) -> None:
    from tests.cli.helpers import run_cli

    lock = tmp_path / "Berksfile.lock"
    lock.write_text(
        "DEPENDENCIES\n  a\n\nGRAPH\n  a (1.2.0)\n    b (~> 2.0)\n  b (2.1.0)\n"
    )
    with ChefServerAPI.from_settings(load_settings()) as api:
        api.post(
            "environments", {"name": unique_name, "json_class": "Chef::Environment"}
        )

    berksfile = str(tmp_path / "Berksfile")
    result = run_cli("deps", "apply", unique_name, "-b", berksfile)
    assert result.exit_code == 0, result.stderr
    with ChefServerAPI.from_settings(load_settings()) as api:
        environment = api.get(f"environments/{unique_name}")
    assert environment["cookbook_versions"] == {"a": "= 1.2.0", "b": "= 2.1.0"}

    missing = run_cli("deps", "apply", f"{unique_name}-nosuch", "-b", berksfile)
    assert missing.exit_code == 6
    assert f"The environment '{unique_name}-nosuch' does not exist" in missing.stderr
