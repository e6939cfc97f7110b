"""Cookbook upload on the embedded server: sandboxes, file store, versions, universe."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from tests.fixtures.embedded_server import EmbeddedServer

RECIPE = b"log 'hello'\n"
METADATA = b"name 'hello'\nversion '0.1.0'\n"
SPEC = b"describe 'x' do\nend\n"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def content_md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def upload_files(server: EmbeddedServer, *files: bytes) -> None:
    """Chef's sandbox steps for ``files``; asserts each answer."""
    sums = {md5(data): None for data in files}
    sandbox = server.request("POST", "sandboxes", json_body={"checksums": sums})
    assert sandbox.status_code == 201
    for data in files:
        entry = sandbox.json()["checksums"][md5(data)]
        if entry["needs_upload"]:
            put = server.request(
                "PUT",
                entry["url"],
                content=data,
                headers={
                    "Content-Type": "application/x-binary",
                    "Content-MD5": content_md5(data),
                },
            )
            assert put.status_code == 200
    commit = server.request(
        "PUT", sandbox.json()["uri"], json_body={"is_completed": True}
    )
    assert commit.status_code == 200


def record(name: str, path: str, data: bytes) -> dict[str, str]:
    return {"name": name, "path": path, "checksum": md5(data), "specificity": "default"}


def version_body(
    name: str,
    version: str,
    *,
    frozen: bool = False,
    depends: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "name": f"{name}-{version}",
        "cookbook_name": name,
        "version": version,
        "json_class": "Chef::CookbookVersion",
        "chef_type": "cookbook_version",
        "frozen?": frozen,
        "metadata": {"name": name, "version": version, "dependencies": depends or {}},
        "all_files": [
            record("recipes/default.rb", "recipes/default.rb", RECIPE),
            record("root_files/metadata.rb", "metadata.rb", METADATA),
            record("spec/x_spec.rb", "spec/unit/x_spec.rb", SPEC),
        ],
    }


@pytest.fixture(scope="module")
def uploaded(embedded_server: EmbeddedServer) -> EmbeddedServer:
    upload_files(embedded_server, RECIPE, METADATA, SPEC)
    return embedded_server


def test_upload_then_download_every_file(
    uploaded: EmbeddedServer, unique_name: str
) -> None:
    created = uploaded.request(
        "PUT",
        f"cookbooks/{unique_name}/0.1.0",
        json_body=version_body(unique_name, "0.1.0"),
    )
    again = uploaded.request(
        "PUT",
        f"cookbooks/{unique_name}/0.1.0",
        json_body=version_body(unique_name, "0.1.0"),
    )

    assert created.status_code == 201
    assert again.status_code == 200
    files = uploaded.request("GET", f"cookbooks/{unique_name}/0.1.0").json()[
        "all_files"
    ]
    contents = {
        item["path"]: uploaded.request("GET", item["url"]).content for item in files
    }
    assert contents == {
        "recipes/default.rb": RECIPE,
        "metadata.rb": METADATA,
        "spec/unit/x_spec.rb": SPEC,
    }


def test_v0_reads_segments_and_v0_writes_are_understood(
    uploaded: EmbeddedServer, unique_name: str
) -> None:
    uploaded.request(
        "PUT",
        f"cookbooks/{unique_name}/0.1.0",
        json_body=version_body(unique_name, "0.1.0"),
    )

    v0 = uploaded.request(
        "GET", f"cookbooks/{unique_name}/0.1.0", api_version="0"
    ).json()

    assert "all_files" not in v0
    assert [item["name"] for item in v0["recipes"]] == ["default.rb"]
    assert [item["name"] for item in v0["root_files"]] == ["metadata.rb"]
    assert v0["files"] == v0["templates"] == v0["libraries"] == []
    assert not any(
        "spec" in item["path"]
        for segment in ("recipes", "root_files")
        for item in v0[segment]
    )

    # Write the v0 form back as version 0.2.0 and read it as v2.
    segments_body = {
        key: value for key, value in v0.items() if key not in ("name", "version")
    }
    segments_body |= {"name": f"{unique_name}-0.2.0", "version": "0.2.0"}
    segments_body["metadata"] = {**v0["metadata"], "version": "0.2.0"}
    written = uploaded.request(
        "PUT",
        f"cookbooks/{unique_name}/0.2.0",
        json_body=segments_body,
        api_version="0",
    )
    v2 = uploaded.request("GET", f"cookbooks/{unique_name}/0.2.0").json()

    assert written.status_code == 201
    assert sorted(item["name"] for item in v2["all_files"]) == [
        "recipes/default.rb",
        "root_files/metadata.rb",
    ]


def test_frozen_version_is_409_unless_forced(
    uploaded: EmbeddedServer, unique_name: str
) -> None:
    path = f"cookbooks/{unique_name}/1.0.0"
    uploaded.request(
        "PUT", path, json_body=version_body(unique_name, "1.0.0", frozen=True)
    )

    refused = uploaded.request(
        "PUT", path, json_body=version_body(unique_name, "1.0.0")
    )
    forced = uploaded.request(
        "PUT", f"{path}?force=true", json_body=version_body(unique_name, "1.0.0")
    )

    assert refused.status_code == 409
    assert refused.json() == {
        "error": [
            f"The cookbook {unique_name} at version 1.0.0 is frozen. "
            "Use the 'force' option to override."
        ]
    }
    assert forced.status_code == 200
    assert forced.json()["frozen?"] is True
    assert uploaded.request("GET", path).json()["frozen?"] is True


def test_manifest_naming_a_file_never_uploaded_is_400(
    uploaded: EmbeddedServer, unique_name: str
) -> None:
    body = version_body(unique_name, "0.1.0")
    body["all_files"].append(record("recipes/other.rb", "recipes/other.rb", b"never"))

    response = uploaded.request("PUT", f"cookbooks/{unique_name}/0.1.0", json_body=body)

    assert response.status_code == 400
    assert response.json() == {
        "error": ["Manifest has a checksum that hasn't been uploaded."]
    }


def test_commit_with_a_missing_file_is_503(embedded_server: EmbeddedServer) -> None:
    data = b"never uploaded for the 503 test\n"
    sandbox = embedded_server.request(
        "POST", "sandboxes", json_body={"checksums": {md5(data): None}}
    ).json()

    commit = embedded_server.request(
        "PUT", sandbox["uri"], json_body={"is_completed": True}
    )

    assert commit.status_code == 503
    assert commit.json() == {
        "error": [
            f"Checksum {md5(data)} not uploaded yet, {sandbox['sandbox_id']} not "
            "complete, cannot commit yet."
        ]
    }


@pytest.mark.parametrize(
    ("headers", "content", "message"),
    [
        ({}, b"bytes A\n", "Content-MD5 header is missing"),
        ({"Content-MD5": content_md5(b"other")}, b"bytes A\n", "Content-MD5 does not"),
        ({"Content-MD5": content_md5(b"bytes B\n")}, b"bytes B\n", "did not match"),
    ],
)
def test_file_store_checks_content_md5_and_the_checksum(
    embedded_server: EmbeddedServer,
    headers: dict[str, str],
    content: bytes,
    message: str,
) -> None:
    url = f"file_store/{md5(b'bytes A' + bytes([10]))}"

    response = embedded_server.request("PUT", url, content=content, headers=headers)

    assert response.status_code == 400
    assert message in response.json()["error"][0]
    assert embedded_server.request("GET", url).status_code == 404


def test_listings_latest_and_universe(
    uploaded: EmbeddedServer, unique_name: str
) -> None:
    for version in ("0.9.0", "0.10.0", "0.2.0"):
        uploaded.request(
            "PUT",
            f"cookbooks/{unique_name}/{version}",
            json_body=version_body(unique_name, version, depends={"apt": ">= 1.0"}),
        )

    default = uploaded.request("GET", "cookbooks").json()[unique_name]
    all_versions = uploaded.request("GET", "cookbooks?num_versions=all").json()
    latest = uploaded.request("GET", f"cookbooks/{unique_name}/_latest").json()
    universe = uploaded.request("GET", "universe").json()[unique_name]
    recipes = uploaded.request("GET", "cookbooks/_recipes").json()

    assert [v["version"] for v in default["versions"]] == ["0.10.0"]
    assert [v["version"] for v in all_versions[unique_name]["versions"]] == [
        "0.10.0",
        "0.9.0",
        "0.2.0",
    ]
    assert latest["version"] == "0.10.0"
    assert universe["0.9.0"] == {
        "dependencies": {"apt": ">= 1.0"},
        "location_path": f"{uploaded.url}/cookbooks/{unique_name}/0.9.0",
        "location_type": "chef_server",
    }
    assert unique_name in recipes


def test_delete_versions_then_the_cookbook_is_gone(
    uploaded: EmbeddedServer, unique_name: str
) -> None:
    path = f"cookbooks/{unique_name}/0.1.0"
    uploaded.request("PUT", path, json_body=version_body(unique_name, "0.1.0"))

    deleted = uploaded.request("DELETE", path)

    assert deleted.json()["version"] == "0.1.0"
    assert uploaded.request("GET", path).status_code == 404
    missing = uploaded.request("GET", f"cookbooks/{unique_name}")
    assert missing.json() == {"error": [f"Cannot find a cookbook named {unique_name}"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "Invalid key colour in request body"),
        ({"cookbook_name": "other"}, "Field 'name' invalid"),
        ({"frozen?": "yes"}, "Field 'frozen?' invalid"),
        ({"all_files": "x"}, "Field 'all_files' invalid"),
        ({"recipes": []}, "either all_files or segments"),
        ({"metadata": []}, "Field 'metadata' invalid"),
    ],
)
def test_bad_cookbook_bodies_are_400(
    uploaded: EmbeddedServer, unique_name: str, change: dict[str, Any], message: str
) -> None:
    body = version_body(unique_name, "0.1.0") | change

    response = uploaded.request("PUT", f"cookbooks/{unique_name}/0.1.0", json_body=body)

    assert response.status_code == 400
    assert message in response.json()["error"][0]


def test_depsolver_picks_versions_the_environment_allows(
    uploaded: EmbeddedServer, unique_name: str
) -> None:
    app, lib = f"{unique_name}-app", f"{unique_name}-lib"
    for name, version, depends in (
        (app, "1.0.0", {lib: ">= 1.0"}),
        (lib, "1.0.0", {}),
        (lib, "2.0.0", {}),
    ):
        body = version_body(name, version, depends=depends)
        uploaded.request("PUT", f"cookbooks/{name}/{version}", json_body=body)
    uploaded.request(
        "POST",
        "environments",
        json_body={"name": unique_name, "cookbook_versions": {lib: "< 2.0"}},
    )

    default = uploaded.request(
        "POST",
        "environments/_default/cookbook_versions",
        json_body={"run_list": [f"recipe[{app}::default]"]},
    )
    narrowed = uploaded.request(
        "POST",
        f"environments/{unique_name}/cookbook_versions",
        json_body={"run_list": [app]},
    )

    assert default.status_code == 200
    assert {name: body["version"] for name, body in default.json().items()} == {
        app: "1.0.0",
        lib: "2.0.0",
    }
    assert "all_files" in default.json()[app]
    assert narrowed.json()[lib]["version"] == "1.0.0"


def test_depsolver_names_a_missing_cookbook(embedded_server: EmbeddedServer) -> None:
    response = embedded_server.request(
        "POST",
        "environments/_default/cookbook_versions",
        json_body={"run_list": ["recipe[nosuchcookbook]"]},
    )

    assert response.status_code == 412
    assert response.json()["non_existent_cookbooks"] == ["nosuchcookbook"]
    assert "nosuchcookbook" in response.json()["error"][0]


def test_environment_with_a_bad_constraint_is_400(
    embedded_server: EmbeddedServer,
) -> None:
    response = embedded_server.request(
        "POST",
        "environments",
        json_body={"name": "badconstraint", "cookbook_versions": {"a": "bogus"}},
    )

    assert response.status_code == 400
