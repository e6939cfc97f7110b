"""Every acknowledged write survives a restart, kill -9, and concurrent writers."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from tests.fixtures.embedded_server import EmbeddedServer

StartServer = Callable[[], EmbeddedServer]

WRITER = """
import sys
from pathlib import Path
from kitchenctl.api import ChefServerAPI
from kitchenctl.signing import load_private_key

url, key, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
api = ChefServerAPI(server_url=url, client_name="admin",
                    key=load_private_key(Path(key).read_bytes()), retries=0)
for number in range(count):
    name = f"{prefix}-{number}"
    api.post("nodes", {"name": name})
    api.put(f"nodes/{name}", {"name": name, "run_list": [f"recipe[r{number}]"]})
    api.put("data/shared/counter", {"id": "counter", "writer": prefix})
"""


def test_restart_keeps_objects_and_keys(embedded_server_factory: StartServer) -> None:
    server = embedded_server_factory()
    server.request("POST", "nodes", json_body={"name": "kept", "run_list": ["a"]})
    admin_key = server.admin_key.read_bytes()

    server.stop()
    server.start()

    assert server.admin_key.read_bytes() == admin_key
    assert server.request("GET", "nodes/kept").json()["run_list"] == ["recipe[a]"]


def test_kill_9_loses_no_acknowledged_write(
    embedded_server_factory: StartServer,
) -> None:
    server = embedded_server_factory()
    acknowledged = []
    for number in range(30):
        name = f"n{number}"
        response = server.request("POST", "nodes", json_body={"name": name})
        assert response.status_code == 201
        acknowledged.append(name)
    file_put = server.request(
        "PUT",
        "file_store/5d41402abc4b2a76b9719d911017c592",
        content=b"hello",
        headers={"Content-MD5": "XUFAKrxLKna5cZ2REBfFkg=="},
    )
    assert file_put.status_code == 200

    server.kill()
    server.start()

    listed = server.request("GET", "nodes").json()
    assert sorted(listed) == sorted(acknowledged)
    download = server.request("GET", "file_store/5d41402abc4b2a76b9719d911017c592")
    assert download.content == b"hello"


def test_concurrent_writer_processes_lose_nothing(
    embedded_server_factory: StartServer,
) -> None:
    server = embedded_server_factory()
    server.request("POST", "data", json_body={"name": "shared"})
    server.request("POST", "data/shared", json_body={"id": "counter"})
    writers, per_writer = 4, 15

    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                server.url,
                str(server.admin_key),
                f"w{writer}",
                str(per_writer),
            ],
            stderr=subprocess.PIPE,
        )
        for writer in range(writers)
    ]
    failures = [p.communicate(timeout=120)[1] for p in processes if p.wait(120) != 0]

    assert failures == []
    nodes = server.request("GET", "nodes").json()
    expected = {f"w{w}-{n}" for w in range(writers) for n in range(per_writer)}
    assert set(nodes) == expected
    for name in ("w0-3", "w3-14"):
        number = name.split("-")[1]
        node = server.request("GET", f"nodes/{name}").json()
        assert node["run_list"] == [f"recipe[r{number}]"]
    counter = server.request("GET", "data/shared/counter").json()
    assert counter["writer"] in {f"w{w}" for w in range(writers)}
