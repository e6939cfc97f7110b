"""Cookbooks: sandboxes, the content-addressed file store, versions and the universe.

An upload is Chef's four steps: ``POST /sandboxes`` names the MD5 checksums of the
files; each missing file is ``PUT`` to its ``file_store`` URL, where the server checks
``Content-MD5`` and the bytes against the checksum; ``PUT /sandboxes/ID`` commits (503
while a file is missing); ``PUT /cookbooks/NAME/VERSION`` stores the manifest, refusing
a checksum that was never uploaded (400) and a frozen version unless forced (409).

Versions are stored in the API v2 form (``all_files``) and converted to the nine v0/v1
segments when a client asks with server API version 0 or 1.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kitchenctl.cookbook_loader import COOKBOOK_SEGMENTS as SEGMENTS
from kitchenctl.fileutil import write_atomic
from kitchenctl.server.app import Call, Routes
from kitchenctl.server.authz import Access, authorize
from kitchenctl.server.objects import require_object
from kitchenctl.server.protocol import ApiError, Reply, bad_request, conflict, not_found

CHECKSUM = re.compile(r"^[0-9a-f]{32}$")
VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
FILE_KEYS = frozenset({"name", "path", "checksum", "specificity"})
VERSION_KEYS = frozenset(
    {
        "name",
        "cookbook_name",
        "version",
        "json_class",
        "chef_type",
        "frozen?",
        "metadata",
        "force",
        "all_files",
        *SEGMENTS,
    }
)


# The file store: one file per checksum, written atomically.


def file_path(files: Path, checksum: str) -> Path:
    return files / checksum[:2] / checksum


def _checked_checksum(call: Call) -> str:
    checksum = call.params["checksum"]
    if not CHECKSUM.match(checksum):
        raise bad_request(f"Invalid checksum '{checksum}': 32 hex digits expected.")
    return checksum


def upload_file(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    checksum = _checked_checksum(call)
    digest = hashlib.md5(call.body).digest()

    sent_md5 = call.headers.get("content-md5")
    if sent_md5 is None:
        raise bad_request("The Content-MD5 header is missing.")
    if sent_md5.strip() != base64.b64encode(digest).decode("ascii"):
        raise bad_request("Content-MD5 does not match the uploaded bytes.")
    if digest.hex() != checksum:
        raise bad_request(f"Checksum {digest.hex()} did not match original {checksum}!")

    if not call.store.has_checksum(checksum):
        write_atomic(file_path(call.state.files, checksum), call.body)
        call.store.add_checksum(checksum, len(call.body))
    return Reply(data={})


def download_file(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    checksum = _checked_checksum(call)
    if not call.store.has_checksum(checksum):
        raise not_found(f"File with checksum {checksum} not found.")
    data = file_path(call.state.files, checksum).read_bytes()
    return Reply(raw=data, content_type="application/octet-stream")


# Sandboxes.


def create_sandbox(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    body = require_object(call.json)
    checksums = body.get("checksums")
    if set(body) != {"checksums"} or not isinstance(checksums, dict) or not checksums:
        raise bad_request("Bad checksums!")
    for checksum, value in checksums.items():
        if value is not None or not CHECKSUM.match(checksum):
            raise bad_request("Bad checksums!")

    sandbox_id = uuid.uuid4().hex
    record = {
        "guid": sandbox_id,
        "name": sandbox_id,
        "checksums": sorted(checksums),
        "create_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "is_completed": False,
    }
    call.store.put(call.org, "sandbox", sandbox_id, record)

    answer: dict[str, dict[str, Any]] = {}
    for checksum in sorted(checksums):
        if call.store.has_checksum(checksum):
            answer[checksum] = {"needs_upload": False}
        else:
            url = call.url("file_store", checksum)
            answer[checksum] = {"needs_upload": True, "url": url}
    uri = call.url("sandboxes", sandbox_id)
    return Reply(201, {"uri": uri, "sandbox_id": sandbox_id, "checksums": answer})


def commit_sandbox(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    body = require_object(call.json)
    if set(body) - {"is_completed"} or not isinstance(body.get("is_completed"), bool):
        raise bad_request("Field 'is_completed' invalid: true or false expected.")
    sandbox_id = call.params["id"]
    record = call.store.get(call.org, "sandbox", sandbox_id)
    if record is None:
        raise not_found(f"No such sandbox '{sandbox_id}'.")

    if body["is_completed"]:
        for checksum in record["checksums"]:
            if not call.store.has_checksum(checksum):
                raise ApiError(
                    503,
                    f"Checksum {checksum} not uploaded yet, {sandbox_id} not "
                    "complete, cannot commit yet.",
                )
    record["is_completed"] = body["is_completed"]
    call.store.put(call.org, "sandbox", sandbox_id, record)
    return Reply(data=record)


# Cookbook versions.


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _versions(call: Call, name: str) -> list[str]:
    """A cookbook's versions, newest first."""
    versions = call.store.names(call.org, "cookbook_version", parent=name)
    return sorted(versions, key=version_key, reverse=True)


def _check_file_record(record: Any) -> dict[str, str]:
    if not isinstance(record, dict):
        raise bad_request("A file record must be a JSON object.")
    unknown = set(record) - FILE_KEYS - {"url"}
    if unknown:
        raise bad_request(f"Invalid key {sorted(unknown)[0]} in a file record")
    for key in FILE_KEYS:
        if not isinstance(record.get(key), str):
            raise bad_request(f"Field '{key}' of a file record invalid")
    if not CHECKSUM.match(record["checksum"]):
        raise bad_request(f"Invalid checksum '{record['checksum']}' in a file record")
    return {key: record[key] for key in FILE_KEYS}


def _file_list(body: dict[str, Any], key: str) -> list[Any]:
    files = body.get(key, [])
    if not isinstance(files, list):
        raise bad_request(f"Field '{key}' invalid")
    return files


def all_files_of(body: dict[str, Any]) -> list[dict[str, str]]:
    """The v2 file list of a body in either form; segments become ``segment/name``."""
    has_segments = any(segment in body for segment in SEGMENTS)
    if "all_files" in body and has_segments:
        raise bad_request("Send either all_files or segments, not both.")
    if "all_files" in body:
        return [_check_file_record(item) for item in _file_list(body, "all_files")]
    result = []
    for segment in SEGMENTS:
        for item in _file_list(body, segment):
            record = _check_file_record(item)
            record["name"] = f"{segment}/{record['name']}"
            result.append(record)
    return result


def to_segments(all_files: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """v2 records to the nine v0 segments; files outside them are not sent."""
    segments: dict[str, list[dict[str, str]]] = {name: [] for name in SEGMENTS}
    for record in all_files:
        segment, _, rest = record["name"].partition("/")
        if segment in segments and rest:
            segments[segment].append({**record, "name": rest})
    return segments


def _validated_version(call: Call, name: str, version: str) -> dict[str, Any]:
    body = require_object(call.json)
    for key in body:
        if key not in VERSION_KEYS:
            raise bad_request(f"Invalid key {key} in request body")
    if body.get("cookbook_name", name) != name:
        raise bad_request("Field 'name' invalid")
    if body.get("version", version) != version:
        raise bad_request("Field 'version' invalid")
    if body.get("name", f"{name}-{version}") != f"{name}-{version}":
        raise bad_request("Field 'name' invalid")
    metadata = body.get("metadata", {})
    if not isinstance(metadata, dict):
        raise bad_request("Field 'metadata' invalid")
    if not isinstance(metadata.get("dependencies", {}), dict):
        raise bad_request("Field 'metadata.dependencies' invalid")
    frozen = body.get("frozen?", False)
    if not isinstance(frozen, bool):
        raise bad_request("Field 'frozen?' invalid")

    return {
        "name": f"{name}-{version}",
        "cookbook_name": name,
        "version": version,
        "json_class": "Chef::CookbookVersion",
        "chef_type": "cookbook_version",
        "frozen?": frozen,
        "metadata": {**metadata, "name": name, "version": version},
        "all_files": all_files_of(body),
    }


def _forced(call: Call) -> bool:
    """erchef takes any ``force`` value but ``false`` as true."""
    value = call.query.get("force")
    return value is not None and value.lower() != "false"


def put_version(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    name, version = call.params["name"], call.params["version"]
    if not NAME.match(name):
        raise bad_request(f"Invalid cookbook name '{name}'.")
    if not VERSION.match(version):
        raise bad_request(f"Invalid cookbook version '{version}'.")
    body = _validated_version(call, name, version)

    for record in body["all_files"]:
        if not call.store.has_checksum(record["checksum"]):
            raise bad_request("Manifest has a checksum that hasn't been uploaded.")

    existing = call.store.get(call.org, "cookbook_version", version, parent=name)
    if existing is not None and existing["frozen?"]:
        if not _forced(call):
            raise conflict(
                f"The cookbook {name} at version {version} is frozen. "
                "Use the 'force' option to override."
            )
        body["frozen?"] = True  # frozen? is one-way, even when forced
    call.store.put(call.org, "cookbook_version", version, body, parent=name)
    return Reply(201 if existing is None else 200, render_version(call, body))


def render_version(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    """The stored v2 body with file URLs, shaped for the request's API version."""
    files = [
        {**record, "url": call.url("file_store", record["checksum"])}
        for record in body["all_files"]
    ]
    rendered = {key: value for key, value in body.items() if key != "all_files"}
    if call.api_version >= 2:
        rendered["all_files"] = files
    else:
        rendered.update(to_segments(files))
    return rendered


def _find_version(call: Call) -> dict[str, Any]:
    name, version = call.params["name"], call.params["version"]
    if version in ("_latest", "latest"):
        versions = _versions(call, name)
        if not versions:
            raise not_found(f"Cannot find a cookbook named {name}")
        version = versions[0]
    body = call.store.get(call.org, "cookbook_version", version, parent=name)
    if body is None:
        raise not_found(f"Cannot find a cookbook named {name} with version {version}")
    return body


def show_version(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    return Reply(data=render_version(call, _find_version(call)))


def delete_version(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    body = _find_version(call)
    call.store.delete(
        call.org, "cookbook_version", body["version"], body["cookbook_name"]
    )
    return Reply(data=render_version(call, body))


# Listings.


def _num_versions(call: Call, default: int | None) -> int | None:
    """``num_versions``: ``all`` (None) or a count."""
    value = call.query.get("num_versions")
    if value is None:
        return default
    if value == "all":
        return None
    if not value.isdigit():
        raise bad_request(f"You have requested an invalid number of versions ({value})")
    return int(value)


def _listing(call: Call, names: list[str], limit: int | None) -> dict[str, Any]:
    result = {}
    for name in names:
        versions = _versions(call, name)[:limit]
        result[name] = {
            "url": call.url("cookbooks", name),
            "versions": [
                {"url": call.url("cookbooks", name, version), "version": version}
                for version in versions
            ],
        }
    return result


def list_cookbooks(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    names = call.store.parents(call.org, "cookbook_version")
    return Reply(data=_listing(call, names, _num_versions(call, 1)))


def show_cookbook(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    name = call.params["name"]
    if not _versions(call, name):
        raise not_found(f"Cannot find a cookbook named {name}")
    return Reply(data=_listing(call, [name], _num_versions(call, None)))


def latest_cookbooks(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    result = {}
    for name in call.store.parents(call.org, "cookbook_version"):
        result[name] = call.url("cookbooks", name, _versions(call, name)[0])
    return Reply(data=result)


def cookbook_recipes(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    recipes = []
    for name in call.store.parents(call.org, "cookbook_version"):
        latest = call.store.get(
            call.org, "cookbook_version", _versions(call, name)[0], parent=name
        )
        for record in (latest or {}).get("all_files", []):
            recipe = _recipe_name(name, record["name"])
            if recipe is not None:
                recipes.append(recipe)
    return Reply(data=sorted(recipes))


def _recipe_name(cookbook: str, file_name: str) -> str | None:
    segment, _, base = file_name.partition("/")
    if segment != "recipes" or not base.endswith(".rb"):
        return None
    recipe = base[:-3]
    return cookbook if recipe == "default" else f"{cookbook}::{recipe}"


def universe(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    result: dict[str, dict[str, Any]] = {}
    for name, version, body in call.store.bodies(
        call.org, "cookbook_version", parent=None
    ):
        result.setdefault(name, {})[version] = {
            "dependencies": body["metadata"].get("dependencies", {}),
            "location_path": call.url("cookbooks", name, version),
            "location_type": "chef_server",
        }
    return Reply(data=result)


ROUTES: Routes = [
    ("/sandboxes", {"POST": create_sandbox}),
    ("/sandboxes/{id}", {"PUT": commit_sandbox}),
    ("/file_store/{checksum}", {"PUT": upload_file, "GET": download_file}),
    ("/cookbooks", {"GET": list_cookbooks}),
    ("/cookbooks/_latest", {"GET": latest_cookbooks}),
    ("/cookbooks/_recipes", {"GET": cookbook_recipes}),
    ("/cookbooks/{name}", {"GET": show_cookbook}),
    (
        "/cookbooks/{name}/{version}",
        {"GET": show_version, "PUT": put_version, "DELETE": delete_version},
    ),
    ("/universe", {"GET": universe}),
]
