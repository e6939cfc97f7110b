"""Cookbook upload: kitchenctl against a raw parallel PUT of the same bytes.

For each server (goiardi, and kitchenctl's embedded server when it is available) and
each run, a fresh server is started on 127.0.0.1, then:

1. kitchenctl uploads 50 new cookbooks (about 2,000 files in all) with
   ``upload_cookbooks``: listing, one sandbox, the file PUTs, the commit and 50
   version PUTs, all timed;
2. the raw reference PUTs a second set of files of exactly the same sizes (one
   salt byte differs, so the server lacks them too) with plain httpx at the same
   concurrency; only the PUTs are timed (its sandbox is created beforehand);
3. the unchanged cookbooks are uploaded again while a counting transport records
   every request: the goal is no file PUT and at most one request per cookbook plus
   one listing.

The order of 1 and 2 alternates between runs. The goal is a median ratio of at most
1.5. Loading the cookbooks (reading and checksumming every file) is timed apart.

    .venv/bin/python benchmarks/upload.py [--runs 3] [--servers goiardi,embedded]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.chef_servers import SERVER_FACTORIES, ChefServerHandle
from tests.fixtures.http_counting import CountingTransport

from kitchenctl.api import DEFAULT_TIMEOUT, ChefAuth, ChefServerAPI
from kitchenctl.config import Key
from kitchenctl.cookbook_loader import LoadedCookbook, load_cookbook
from kitchenctl.uploader import (
    DEFAULT_CONCURRENCY,
    UploadOptions,
    upload_cookbooks,
    upload_needs_signature,
)

GOAL_RATIO = 1.5
COOKBOOKS = 50
FILES = 2000
FOLDERS = ("recipes", "attributes", "libraries", "templates/default", "files/default")


def write_cookbooks(parent: Path, prefix: str, salt: str, seed: int) -> list[Path]:
    """COOKBOOKS cookbooks of FILES files in all; sizes from ``seed``, bytes salted."""
    chooser = random.Random(seed)
    per_cookbook = FILES // COOKBOOKS
    roots = []
    for number in range(COOKBOOKS):
        name = f"{prefix}{number:02d}"
        root = parent / name
        metadata = {"name": name, "version": "1.0.0", "dependencies": {}}
        _write(root / "metadata.json", json.dumps(metadata, indent=2).encode())
        for index in range(per_cookbook - 1):
            folder = FOLDERS[index % len(FOLDERS)]
            size = int(min(65536, chooser.lognormvariate(7.5, 1.2)))
            body = chooser.randbytes(size)
            _write(root / folder / f"f{index:03d}.rb", salt.encode() + body)
        roots.append(root)
    return roots


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def client(
    server: ChefServerHandle, transport: httpx.BaseTransport | None = None
) -> ChefServerAPI:
    key = Key(path=server.admin_key, origin="benchmark")
    return ChefServerAPI(
        server_url=server.url,
        client_name=server.admin_name,
        key=key.load(),
        transport=transport,
    )


def time_kitchenctl(server: ChefServerHandle, cookbooks: list[LoadedCookbook]) -> float:
    with client(server) as api:
        api.negotiate()  # the connection and negotiation are not part of the upload
        started = time.perf_counter()
        summary = upload_cookbooks(api, cookbooks, options=UploadOptions())
        elapsed = time.perf_counter() - started
    assert len(summary.results) == COOKBOOKS
    return elapsed


def time_raw(server: ChefServerHandle, cookbooks: list[LoadedCookbook]) -> float:
    """Parallel PUTs of every file to the sandbox URLs, as plain as httpx allows."""
    files = {file.checksum: file for cookbook in cookbooks for file in cookbook.files}
    with client(server) as api:
        answer = api.post("sandboxes", {"checksums": dict.fromkeys(files)})
        urls = {
            checksum: entry["url"]
            for checksum, entry in answer["checksums"].items()
            if entry.get("needs_upload")
        }
        signed = upload_needs_signature(api, next(iter(urls.values())))
    key = Key(path=server.admin_key, origin="benchmark").load()
    auth = ChefAuth(user_id=server.admin_name, key=key) if signed else None
    payloads = [(urls[checksum], files[checksum].read_bytes()) for checksum in urls]

    version = {"X-Ops-Server-API-Version": "1"}
    with httpx.Client(auth=auth, headers=version, timeout=DEFAULT_TIMEOUT) as http:

        def put(item: tuple[str, bytes]) -> None:
            url, data = item
            digest = hashlib.md5(data, usedforsecurity=False).digest()
            headers = {
                "Content-Type": "application/x-binary",
                "Content-MD5": base64.b64encode(digest).decode(),
            }
            http.put(url, content=data, headers=headers).raise_for_status()

        started = time.perf_counter()
        with ThreadPoolExecutor(DEFAULT_CONCURRENCY) as pool:
            list(pool.map(put, payloads))
        return time.perf_counter() - started


def count_reupload(
    server: ChefServerHandle, cookbooks: list[LoadedCookbook]
) -> dict[str, int]:
    counting = CountingTransport()
    with client(server, counting) as api:
        summary = upload_cookbooks(api, cookbooks)
    kinds = dict(counting.by_kind())
    kinds["total"] = len(counting.requests)
    kinds["summary.file_uploads"] = summary.requests.file_uploads
    return kinds


def load_all(roots: list[Path]) -> tuple[list[LoadedCookbook], float]:
    started = time.perf_counter()
    loaded = [load_cookbook(root) for root in roots]
    return loaded, time.perf_counter() - started


@contextlib.contextmanager
def started(flavour: str, folder: Path) -> Iterator[ChefServerHandle]:
    factory: Callable[[Path], AbstractContextManager[ChefServerHandle]] = (
        SERVER_FACTORIES[flavour]
    )
    with factory(folder) as server:
        yield server


def bench_server(flavour: str, runs: int, scratch: Path) -> dict[str, object]:
    ours: list[float] = []
    raw: list[float] = []
    loads: list[float] = []
    counts: dict[str, int] = {}
    for run in range(runs):
        folder = scratch / f"{flavour}-run{run}"
        mine = write_cookbooks(folder / "ours", f"b{run}-", "A", seed=run)
        theirs = write_cookbooks(folder / "raw", f"r{run}-", "B", seed=run)
        cookbooks, load_time = load_all(mine)
        reference, _ = load_all(theirs)
        loads.append(load_time)
        # A fresh server per run, so no run pays for the data of the one before.
        with started(flavour, folder / "server") as server:
            if run % 2 == 0:
                ours.append(time_kitchenctl(server, cookbooks))
                raw.append(time_raw(server, reference))
            else:
                raw.append(time_raw(server, reference))
                ours.append(time_kitchenctl(server, cookbooks))
            counts = count_reupload(server, cookbooks)
        files = sum(len(cookbook.files) for cookbook in cookbooks)
        size = sum(f.size for cookbook in cookbooks for f in cookbook.files)
        print(
            f"  {flavour} run {run + 1}: {files} files, {size / 1e6:.1f} MB: "
            f"kitchenctl {ours[-1]:.2f} s, raw PUT {raw[-1]:.2f} s, "
            f"ratio {ours[-1] / raw[-1]:.2f}; load {load_time:.2f} s",
            flush=True,
        )
    return {
        "kitchenctl": statistics.median(ours),
        "raw": statistics.median(raw),
        "ratio": statistics.median(o / r for o, r in zip(ours, raw, strict=True)),
        "load": statistics.median(loads),
        "reupload": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--servers", default=",".join(SERVER_FACTORIES))
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kitchenctl-bench-") as scratch:
        for flavour in arguments.servers.split(","):
            print(f"{flavour}: {arguments.runs} runs", flush=True)
            result = bench_server(flavour, arguments.runs, Path(scratch))
            counts = result["reupload"]
            assert isinstance(counts, dict)
            ratio = float(result["ratio"])  # type: ignore[arg-type]
            verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
            print(
                f"{flavour}: median kitchenctl {result['kitchenctl']:.2f} s, "
                f"raw {result['raw']:.2f} s, ratio {ratio:.2f} "
                f"(goal <= {GOAL_RATIO}: {verdict}); "
                f"loading {result['load']:.2f} s"
            )
            budget = COOKBOOKS + 1
            file_puts = counts.get("summary.file_uploads", 0)
            print(
                f"{flavour}: unchanged re-upload: {counts['total']} requests "
                f"(budget {budget}), {file_puts} file PUTs; by kind: "
                + ", ".join(
                    f"{k}={v}" for k, v in sorted(counts.items()) if k != "total"
                )
            )


if __name__ == "__main__":
    main()
