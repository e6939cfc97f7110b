"""Pure wire pieces: version negotiation, manifest shapes, body validation."""

from __future__ import annotations

import json

import pytest

from kitchenctl.server import objects
from kitchenctl.server.cookbooks import SEGMENTS, all_files_of, to_segments
from kitchenctl.server.protocol import ApiError, negotiate_version, version_header


def test_negotiation_defaults_to_zero_and_refuses_three() -> None:
    assert negotiate_version(None) == 0
    assert negotiate_version(" 2 ") == 2
    with pytest.raises(ApiError) as caught:
        negotiate_version("3")
    assert caught.value.status == 406
    assert caught.value.body["max_version"] == 2


def test_version_header_is_chefs_json() -> None:
    assert json.loads(version_header(1)) == {
        "min_version": "0",
        "max_version": "2",
        "request_version": "1",
        "response_version": "1",
    }


def test_all_files_and_segments_convert_both_ways() -> None:
    files = [
        {"name": "recipes/default.rb", "path": "recipes/default.rb",
         "checksum": "a" * 32, "specificity": "default"},
        {"name": "files/app.ini", "path": "files/default/conf/app.ini",
         "checksum": "b" * 32, "specificity": "default"},
        {"name": "spec/x_spec.rb", "path": "spec/unit/x_spec.rb",
         "checksum": "c" * 32, "specificity": "default"},
    ]  # fmt: skip

    segments = to_segments(files)
    back = all_files_of(dict(segments))

    assert set(segments) == set(SEGMENTS)
    assert segments["recipes"][0]["name"] == "default.rb"
    assert segments["files"][0]["path"] == "files/default/conf/app.ini"
    assert back == files[:2]  # v0 has no segment for spec/


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("hello", "recipe[hello]"),
        ("hello::web", "recipe[hello::web]"),
        ("hello@1.0.0", "recipe[hello@1.0.0]"),
        ("role[base]", "role[base]"),
        ("recipe[x::y@1.0.0]", "recipe[x::y@1.0.0]"),
    ],
)
def test_run_list_items_are_stored_in_full_form(item: str, expected: str) -> None:
    assert objects.normalize_run_list([item]) == [expected]


@pytest.mark.parametrize(
    "item", ["role[]", "recipe[a b]", "bad item", 7, "cookbook[x]"]
)
def test_bad_run_list_items_are_400(item: object) -> None:
    with pytest.raises(ApiError) as caught:
        objects.normalize_run_list([item])
    assert caught.value.status == 400


def test_booleans_are_not_numbers_and_numbers_not_booleans() -> None:
    with pytest.raises(ApiError):
        objects.client({"name": "c", "admin": 1})
    assert objects.client({"name": "c", "admin": True})["admin"] is True


def test_wrapped_data_bag_items_are_unwrapped() -> None:
    wrapped = {
        "name": "data_bag_item_secrets_db",
        "json_class": "Chef::DataBagItem",
        "chef_type": "data_bag_item",
        "data_bag": "secrets",
        "raw_data": {"id": "db", "password": "pw"},
    }

    assert objects.data_bag_item(wrapped, "secrets") == {"id": "db", "password": "pw"}
