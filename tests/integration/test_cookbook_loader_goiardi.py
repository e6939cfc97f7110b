"""The loader's manifests accepted by a real goiardi, and read back unchanged.

Each test uploads a cookbook built in tmp_path the way knife does (sandbox, file PUTs,
commit, then ``PUT /cookbooks/NAME/VERSION``) and compares what goiardi then serves
with what the loader produced: records, segments, checksums and the bytes themselves.
goiardi speaks API 0-1 only, so this verifies the segment shape; the ``all_files``
shape is covered by the unit tests.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest

from kitchenctl.api import ChefServerAPI
from kitchenctl.config import Key
from kitchenctl.cookbook_loader import COOKBOOK_SEGMENTS, LoadedCookbook, load_cookbook
from tests.fixtures.chef_servers import ChefServerHandle

pytestmark = pytest.mark.goiardi

FILES = {
    "metadata.rb": (
        "name 'NAME'\nversion '1.2.3'\nlicense 'Apache-2.0'\n"
        "depends 'apt', '~> 7.0'\nchef_version '>= 16.0'\nsupports 'ubuntu'\n"
    ),
    "README.md": "# a cookbook\n",
    ".rubocop.yml": "AllCops: {}\n",
    "recipes/default.rb": "log 'hello'\n",
    "recipes/server.rb": "include_recipe '::default'\n",
    "attributes/default.rb": "default['app']['port'] = 8080\n",
    "libraries/helpers.rb": "module Helpers; end\n",
    "libraries/deep/more.rb": "module More; end\n",
    "resources/site.rb": "property :name, String\n",
    "providers/site.rb": "action :create do\nend\n",
    "definitions/legacy.rb": "define :legacy do\nend\n",
    "files/motd": "welcome\n",
    "files/default/conf/app.ini": "[app]\n",
    "files/ubuntu/app.ini": "[app] # ubuntu\n",
    "templates/default/app.conf.erb": "port <%= @port %>\n",
    "templates/host-web1/app.conf.erb": "port 9090\n",
    "templates/app.conf.erb": "root default\n",
    "spec/unit/default_spec.rb": "describe 'x' do\nend\n",
    "chefignore": "test/*\n",
    "test/integration/default_test.rb": "ignored\n",
}


def build_cookbook(root: Path, name: str) -> Path:
    for relative, content in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content.replace("NAME", name))
    return root


def admin_api(server: ChefServerHandle) -> ChefServerAPI:
    key = Key(path=server.admin_key, origin="test")
    return ChefServerAPI(
        server_url=server.url,
        client_name=server.admin_name,
        key=key.load(),
        key_description=key.describe(),
        retries=0,
    )


def upload(api: ChefServerAPI, cookbook: LoadedCookbook, *, frozen: bool) -> Any:
    """knife's upload, reduced to its requests; returns the final PUT's answer."""
    files = cookbook.files_by_checksum()
    sandbox = api.post("sandboxes", {"checksums": dict.fromkeys(files)})

    for checksum, entry in sandbox["checksums"].items():
        if not entry["needs_upload"]:
            continue
        data = files[checksum].read_bytes()
        content_md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        response = api.put_bytes(
            entry["url"], data, headers={"Content-MD5": content_md5}
        )
        assert response.status_code in (200, 201, 204)

    api.put(sandbox["uri"], {"is_completed": True})
    body = cookbook.manifest(api.api_version, frozen=frozen)
    return api.put(f"cookbooks/{cookbook.name}/{cookbook.version}", body)


def records(body: dict[str, Any], segment: str) -> list[tuple[str, str, str, str]]:
    return sorted(
        (file["name"], file["path"], file["checksum"], file["specificity"])
        for file in body[segment]
    )


def test_goiardi_stores_the_segments_the_loader_sends(
    goiardi: ChefServerHandle,
    tmp_path: Path,
    unique_name: str,
) -> None:
    root = build_cookbook(tmp_path / unique_name, unique_name)
    cookbook = load_cookbook(root)
    sent = cookbook.manifest_v0()

    with admin_api(goiardi) as api:
        assert api.api_version < 2
        upload(api, cookbook, frozen=False)
        stored = api.get(f"cookbooks/{unique_name}/1.2.3")

        # Every file goiardi serves is byte for byte what the loader checksummed.
        by_checksum = cookbook.files_by_checksum()
        for segment in COOKBOOK_SEGMENTS:
            for file in stored[segment]:
                served = api.get_bytes(file["url"])
                assert served == by_checksum[file["checksum"]].read_bytes()

    for segment in COOKBOOK_SEGMENTS:
        assert records(stored, segment) == records(sent, segment), segment
    assert (stored["name"], stored["cookbook_name"], stored["version"]) == (
        f"{unique_name}-1.2.3",
        unique_name,
        "1.2.3",
    )
    assert stored["frozen?"] is False
    assert stored["metadata"] == cookbook.metadata
    assert stored["metadata"]["dependencies"] == {"apt": "~> 7.0"}
    # The compiled metadata.json went up as a root file; spec/ and test/ did not.
    stored_paths = {
        file["path"] for segment in COOKBOOK_SEGMENTS for file in stored[segment]
    }
    assert "metadata.json" in stored_paths
    assert "metadata.rb" in stored_paths
    assert not {path for path in stored_paths if path.startswith(("spec/", "test/"))}
    assert len(stored_paths) == len(cookbook.files) - 1  # all but spec/unit/...
    # Specificity as Chef computes it, as goiardi stores it.
    templates = {path: spec for _, path, _, spec in records(stored, "templates")}
    assert templates == {
        "templates/app.conf.erb": "root_default",
        "templates/default/app.conf.erb": "default",
        "templates/host-web1/app.conf.erb": "host-web1",
    }


def test_a_frozen_upload_is_stored_frozen(
    goiardi: ChefServerHandle,
    tmp_path: Path,
    unique_name: str,
) -> None:
    root = build_cookbook(tmp_path / unique_name, unique_name)
    cookbook = load_cookbook(root)

    with admin_api(goiardi) as api:
        upload(api, cookbook, frozen=True)
        stored = api.get(f"cookbooks/{unique_name}/1.2.3")

    assert stored["frozen?"] is True
