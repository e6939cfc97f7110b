"""Upload cookbooks to a Chef server: frozen state first, one sandbox, parallel files.

:func:`upload_cookbooks` takes loaded cookbooks, dependencies first, and sends them in
four stages:

1. Read. One ``GET /cookbooks?num_versions=all`` lists every version on the server;
   only a version that already exists is read (``GET /cookbooks/NAME/VERSION``) for
   its ``frozen?`` flag and its file checksums. The listing also teaches the client
   the server's API version, so no separate negotiation request is made.
2. Plan. Nothing has been sent yet. A frozen version is skipped, or stops the run
   for the names in ``halt_on_frozen``, unless forcing; a version whose files and
   frozen state already match is left unchanged; every other one is uploaded. A
   frozen version therefore costs one small GET and no file upload. With
   ``check_dependencies`` (knife), a dependency neither uploaded nor listed stops
   the run here too.
3. Sandbox. One ``POST /sandboxes`` holds every checksum the server may lack; the
   files it answers ``needs_upload`` for go up with ``Content-MD5``, in bounded
   parallel (the client retries each after connection errors and 5xx answers); then
   the sandbox is committed, retried on 400 as knife does and after re-sending the
   files on 503 ("not uploaded yet").
4. Register. ``PUT /cookbooks/NAME/VERSION`` per cookbook, in parallel but each only
   after the cookbooks of the same upload it depends on, with ``all_files`` under
   API 2 and segments below (the client's negotiated version).

The version PUT comes last, so an interrupted upload registers nothing half-done: a
cookbook is either absent, or present with every file. Running the same upload again
completes it, re-sending only what the server still lacks.

A :class:`UploadReporter` hears about progress; all its calls come from the calling
thread, so it need not be thread-safe.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    Future,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from kitchenctl.api import ChefServerAPI
from kitchenctl.cookbook_loader import COOKBOOK_SEGMENTS, CookbookFile, LoadedCookbook
from kitchenctl.errors import (
    Conflict,
    FrozenCookbook,
    InputFileError,
    NotFound,
    ServerError,
    UsageError,
)
from kitchenctl.versions import Constraint, Version, VersionFormatError

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 10
COMMIT_ATTEMPTS = 5
COMMIT_BACKOFF = 0.5

# Query parameters of presigned upload URLs (S3 SigV2 and SigV4): bookshelf checks
# those and ignores the X-Ops headers, so signing such a PUT is wasted work.
_PRESIGNED_MARKERS = ("AWSAccessKeyId=", "X-Amz-Signature=", "Signature=")


class UploadStatus(StrEnum):
    """What happened to one cookbook version."""

    UPLOADED = "uploaded"
    SKIPPED_FROZEN = "skipped-frozen"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class UploadOptions:
    """How to upload.

    ``freeze`` marks new versions frozen; ``force`` overwrites frozen ones (sent as
    ``?force=true``). A frozen version whose name is in ``halt_on_frozen`` raises
    FrozenCookbook before anything is sent; other frozen versions are skipped.
    ``concurrency`` bounds the parallel requests. ``check_dependencies`` refuses,
    before sending anything, a cookbook whose dependencies are neither in the
    upload nor on the server, as knife does.
    """

    freeze: bool = True
    force: bool = False
    halt_on_frozen: frozenset[str] = frozenset()
    check_dependencies: bool = False
    concurrency: int = DEFAULT_CONCURRENCY
    commit_attempts: int = COMMIT_ATTEMPTS
    commit_backoff: float = COMMIT_BACKOFF


@dataclass(frozen=True)
class ExistingVersion:
    """A version already on the server: its frozen flag and ``(path, checksum)``s."""

    frozen: bool
    files: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class PlannedCookbook:
    """One cookbook's plan; ``files_to_send`` are those this run PUTs for it."""

    cookbook: LoadedCookbook
    action: UploadStatus
    existing: ExistingVersion | None
    files_to_send: tuple[CookbookFile, ...] = ()

    @property
    def bytes_to_send(self) -> int:
        return sum(file.size for file in self.files_to_send)


@dataclass(frozen=True)
class UploadPlan:
    """What this run sends, known once the server has answered the sandbox."""

    cookbooks: tuple[PlannedCookbook, ...]

    @property
    def files_to_send(self) -> int:
        return sum(len(planned.files_to_send) for planned in self.cookbooks)

    @property
    def bytes_to_send(self) -> int:
        return sum(planned.bytes_to_send for planned in self.cookbooks)


@dataclass(frozen=True)
class CookbookUploadResult:
    """One cookbook's outcome; ``requests`` counts the requests made for it alone.

    The listing, the sandbox and its commit are shared by every cookbook and counted
    only in :class:`RequestCounts`.
    """

    name: str
    version: str
    status: UploadStatus
    frozen: bool
    files_uploaded: int
    bytes_uploaded: int
    requests: int

    @property
    def label(self) -> str:
        """``apt (2.7.0)``, as Berkshelf names a cookbook version."""
        return f"{self.name} ({self.version})"


@dataclass(frozen=True)
class RequestCounts:
    """Requests by kind; ``http`` also counts retries and any negotiation."""

    listing: int = 0
    version_reads: int = 0
    sandboxes: int = 0
    file_uploads: int = 0
    commits: int = 0
    version_writes: int = 0
    http: int = 0

    @property
    def total(self) -> int:
        """Every request the upload itself asked for, retries not counted."""
        return (
            self.listing
            + self.version_reads
            + self.sandboxes
            + self.file_uploads
            + self.commits
            + self.version_writes
        )


@dataclass(frozen=True)
class UploadSummary:
    server_url: str
    api_version: int
    results: tuple[CookbookUploadResult, ...]
    requests: RequestCounts

    def with_status(self, status: UploadStatus) -> tuple[CookbookUploadResult, ...]:
        return tuple(result for result in self.results if result.status is status)


class UploadReporter(Protocol):
    """Progress for a CLI to render; every call comes from the uploading thread."""

    def planned(self, plan: UploadPlan) -> None:
        """Once, before any file goes up: per cookbook, what will be sent."""

    def file_uploaded(self, cookbook: LoadedCookbook, file: CookbookFile) -> None:
        """After each file PUT, attributed to the first cookbook holding it."""

    def cookbook_finished(self, result: CookbookUploadResult) -> None:
        """After each cookbook, in the order given (skipped ones included)."""


class SilentReporter:
    """A reporter that reports nothing."""

    def planned(self, plan: UploadPlan) -> None:
        pass

    def file_uploaded(self, cookbook: LoadedCookbook, file: CookbookFile) -> None:
        pass

    def cookbook_finished(self, result: CookbookUploadResult) -> None:
        pass


@dataclass
class _Tally:
    """Mutable request counts while an upload runs (the calling thread only)."""

    listing: int = 0
    version_reads: int = 0
    sandboxes: int = 0
    file_uploads: int = 0
    commits: int = 0
    version_writes: int = 0
    per_cookbook: dict[str, int] = field(default_factory=dict)

    def frozen(self, http: int) -> RequestCounts:
        return RequestCounts(
            listing=self.listing,
            version_reads=self.version_reads,
            sandboxes=self.sandboxes,
            file_uploads=self.file_uploads,
            commits=self.commits,
            version_writes=self.version_writes,
            http=http,
        )


def upload_cookbooks(
    api: ChefServerAPI,
    cookbooks: Sequence[LoadedCookbook],
    *,
    options: UploadOptions | None = None,
    reporter: UploadReporter | None = None,
) -> UploadSummary:
    """Upload ``cookbooks`` (dependencies first) and return what happened to each.

    Costs one listing request, one GET per version already on the server, and for
    the versions that go up: one sandbox, its commit, one PUT per file the server
    lacks and one PUT per cookbook.

    Raises FrozenCookbook (before sending anything) for a frozen version named in
    ``halt_on_frozen``; AuthenticationFailed, Forbidden, Unreachable or ServerError
    from the server; InputFileError when a file changed since it was loaded.
    """
    options = options or UploadOptions()
    reporter = reporter or SilentReporter()
    _reject_duplicates(cookbooks)
    http_before = api.requests_sent
    tally = _Tally()

    # 1. Read what the server holds; this answer also fixes the API version.
    listed = _list_versions(api, tally)
    api_version = api.api_version
    existing = _read_existing(api, cookbooks, listed, options, tally)

    # 2. Plan, and halt before sending anything.
    if options.check_dependencies:
        _require_dependencies(api, cookbooks, listed)
    plans = [
        _plan(api, cookbook, existing.get(cookbook.full_name), api_version, options)
        for cookbook in cookbooks
    ]

    # 3. One sandbox for every file the server may lack.
    plans = _upload_files(api, plans, api_version, options, reporter, tally)

    # 4. Register each version last, each after the ones it depends on.
    statuses = _register_all(api, plans, api_version, options, tally)
    results = [_result(planned, statuses, options, tally) for planned in plans]
    for result in results:
        reporter.cookbook_finished(result)
    return UploadSummary(
        server_url=api.url,
        api_version=api_version,
        results=tuple(results),
        requests=tally.frozen(api.requests_sent - http_before),
    )


def _reject_duplicates(cookbooks: Sequence[LoadedCookbook]) -> None:
    seen: dict[str, LoadedCookbook] = {}
    for cookbook in cookbooks:
        other = seen.setdefault(cookbook.full_name, cookbook)
        if other is not cookbook:
            raise UsageError(
                f"cookbook {cookbook.name} ({cookbook.version}) is given twice: "
                f"{other.root} and {cookbook.root}",
                hint="upload one of them",
            )


# Stage 1: read.


def _list_versions(api: ChefServerAPI, tally: _Tally) -> dict[str, set[str]]:
    """``{name: {version, ...}}`` for every cookbook on the server, in one request."""
    tally.listing += 1
    answer = api.get("cookbooks", params={"num_versions": "all"})
    return parse_cookbook_listing(answer)


def parse_cookbook_listing(answer: Any) -> dict[str, set[str]]:
    """The versions in a ``GET /cookbooks`` answer, by cookbook name."""
    if not isinstance(answer, Mapping):
        raise ServerError("the Chef server's cookbook list is not a JSON object")
    listed: dict[str, set[str]] = {}
    for name, entry in answer.items():
        versions = entry.get("versions", []) if isinstance(entry, Mapping) else []
        listed[str(name)] = {
            str(item["version"])
            for item in versions
            if isinstance(item, Mapping) and "version" in item
        }
    return listed


def _read_existing(
    api: ChefServerAPI,
    cookbooks: Sequence[LoadedCookbook],
    listed: Mapping[str, set[str]],
    options: UploadOptions,
    tally: _Tally,
) -> dict[str, ExistingVersion]:
    """Read, in parallel, only the versions the listing says exist."""
    present = [
        cookbook
        for cookbook in cookbooks
        if cookbook.version in listed.get(cookbook.name, set())
    ]
    if not present:
        return {}

    tally.version_reads += len(present)
    for cookbook in present:
        tally.per_cookbook[cookbook.full_name] = 1
    workers = max(1, min(options.concurrency, len(present)))
    with ThreadPoolExecutor(workers, thread_name_prefix="kitchenctl-read") as pool:
        answers = list(pool.map(lambda book: _read_version(api, book), present))
    return {
        cookbook.full_name: answer
        for cookbook, answer in zip(present, answers, strict=True)
        if answer is not None
    }


def _read_version(
    api: ChefServerAPI, cookbook: LoadedCookbook
) -> ExistingVersion | None:
    try:
        body = api.get(version_path(cookbook.name, cookbook.version))
    except NotFound:
        # Deleted since the listing: it is simply new again.
        return None
    return ExistingVersion(frozen=bool(body.get("frozen?")), files=manifest_files(body))


def version_path(name: str, version: str) -> str:
    """``cookbooks/NAME/VERSION``, each part percent-encoded."""
    return f"cookbooks/{quote(name, safe='')}/{quote(version, safe='')}"


def manifest_records(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The file records of a cookbook version body: ``all_files`` or the segments."""
    if isinstance(body.get("all_files"), list):
        return [record for record in body["all_files"] if isinstance(record, Mapping)]
    records: list[Mapping[str, Any]] = []
    for segment in COOKBOOK_SEGMENTS:
        value = body.get(segment)
        if isinstance(value, list):
            records.extend(record for record in value if isinstance(record, Mapping))
    return records


def manifest_files(body: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """``(path, checksum)`` of every file a cookbook version body names."""
    return frozenset(
        (str(record.get("path")), str(record.get("checksum")))
        for record in manifest_records(body)
    )


# Stage 2: plan.


def missing_dependencies(
    cookbooks: Sequence[LoadedCookbook], listed: Mapping[str, set[str]]
) -> list[tuple[LoadedCookbook, str, str]]:
    """``(cookbook, dependency, constraint)`` that no version being uploaded or on
    the server satisfies. A constraint kitchenctl cannot parse is not checked."""
    available: dict[str, set[str]] = {name: set(v) for name, v in listed.items()}
    for cookbook in cookbooks:
        available.setdefault(cookbook.name, set()).add(cookbook.version)

    missing = []
    for cookbook in cookbooks:
        dependencies = cookbook.metadata.get("dependencies") or {}
        for name, constraint in sorted(dependencies.items()):
            if not _satisfied(str(constraint), available.get(name, set())):
                missing.append((cookbook, name, str(constraint)))
    return missing


def _satisfied(constraint: str, versions: set[str]) -> bool:
    try:
        parsed = Constraint.parse(constraint)
        candidates = [Version.parse(version) for version in versions]
    except VersionFormatError:
        return bool(versions)
    return any(parsed.satisfies(version) for version in candidates)


def _require_dependencies(
    api: ChefServerAPI,
    cookbooks: Sequence[LoadedCookbook],
    listed: Mapping[str, set[str]],
) -> None:
    missing = missing_dependencies(cookbooks, listed)
    if not missing:
        return
    cookbook = missing[0][0]
    named = ", ".join(
        f"{name} ({constraint})"
        for book, name, constraint in missing
        if book is cookbook
    )
    raise NotFound(
        f"Cookbook {cookbook.name} depends on cookbooks which are not currently being "
        f"uploaded and cannot be found on the server at {api.url}: {named}",
        hint="upload them in the same command, or use kitchenctl deps upload",
    )


def _plan(
    api: ChefServerAPI,
    cookbook: LoadedCookbook,
    existing: ExistingVersion | None,
    api_version: int,
    options: UploadOptions,
) -> PlannedCookbook:
    if existing is None:
        return PlannedCookbook(cookbook, UploadStatus.UPLOADED, None)

    if existing.frozen and not options.force:
        if cookbook.name in options.halt_on_frozen:
            raise FrozenCookbook(cookbook.name, cookbook.version, api.url)
        return PlannedCookbook(cookbook, UploadStatus.SKIPPED_FROZEN, existing)

    # Same files and same frozen state: a PUT would change nothing.
    body = cookbook.manifest(api_version, frozen=options.freeze)
    same_files = manifest_files(body) == existing.files
    if same_files and existing.frozen == options.freeze and not options.force:
        return PlannedCookbook(cookbook, UploadStatus.UNCHANGED, existing)
    return PlannedCookbook(cookbook, UploadStatus.UPLOADED, existing)


# Stage 3: the sandbox.


@dataclass(frozen=True)
class _Sandbox:
    uri: str
    sandbox_id: str
    upload_urls: dict[str, str]


def _upload_files(
    api: ChefServerAPI,
    plans: list[PlannedCookbook],
    api_version: int,
    options: UploadOptions,
    reporter: UploadReporter,
    tally: _Tally,
) -> list[PlannedCookbook]:
    """Create, fill and commit one sandbox; return the plans with files_to_send."""
    candidates = _sandbox_candidates(plans, api_version)
    if not candidates:
        reporter.planned(UploadPlan(tuple(plans)))
        return plans

    tally.sandboxes += 1
    sandbox = _create_sandbox(api, candidates)
    plans = _attribute_uploads(plans, candidates, sandbox)
    reporter.planned(UploadPlan(tuple(plans)))
    log.info(
        "sandbox %s: %d of %d files to upload",
        sandbox.sandbox_id,
        len(sandbox.upload_urls),
        len(candidates),
    )

    jobs = [(planned, file) for planned in plans for file in planned.files_to_send]
    _put_files(api, sandbox, jobs, options, reporter, tally)
    _commit(
        api,
        sandbox,
        lambda: _resend(api, sandbox, jobs, options, tally),
        options,
        tally,
    )
    return plans


def _sandbox_candidates(
    plans: Sequence[PlannedCookbook], api_version: int
) -> dict[str, CookbookFile]:
    """Checksum to file, for files the uploading versions send and may be missing.

    Only files the manifest names go up (API 0/1 bodies leave out spec/ and test/);
    files the existing version already names are on the server for certain.
    """
    candidates: dict[str, CookbookFile] = {}
    for planned in plans:
        if planned.action is not UploadStatus.UPLOADED:
            continue
        known = (
            {checksum for _, checksum in planned.existing.files}
            if planned.existing
            else set()
        )
        for file in _files_sent(planned.cookbook, api_version):
            if file.checksum not in known:
                candidates.setdefault(file.checksum, file)
    return candidates


def _files_sent(cookbook: LoadedCookbook, api_version: int) -> list[CookbookFile]:
    paths = {path for path, _ in manifest_files(cookbook.manifest(api_version))}
    return [file for file in cookbook.files if file.path in paths]


def _create_sandbox(
    api: ChefServerAPI, candidates: Mapping[str, CookbookFile]
) -> _Sandbox:
    # The values must be null: goiardi rejects anything else.
    answer = api.post("sandboxes", {"checksums": dict.fromkeys(candidates)})
    try:
        uri = str(answer["uri"])
        sandbox_id = str(answer.get("sandbox_id") or uri.rstrip("/").rsplit("/", 1)[-1])
        checksums: Mapping[str, Any] = answer["checksums"]
        urls = {
            checksum: str(entry["url"])
            for checksum, entry in checksums.items()
            if entry.get("needs_upload")
        }
    except (KeyError, TypeError, AttributeError) as exc:
        raise ServerError(
            f"the Chef server's sandbox answer lacks {exc}: cannot upload",
            hint="the server may not implement sandboxes as Chef does",
        ) from exc
    return _Sandbox(uri=uri, sandbox_id=sandbox_id, upload_urls=urls)


def _attribute_uploads(
    plans: Sequence[PlannedCookbook],
    candidates: Mapping[str, CookbookFile],
    sandbox: _Sandbox,
) -> list[PlannedCookbook]:
    """Give each file to upload to the first cookbook (in order) that holds it."""
    remaining = set(sandbox.upload_urls)
    attributed: list[PlannedCookbook] = []
    for planned in plans:
        mine: list[CookbookFile] = []
        if planned.action is UploadStatus.UPLOADED:
            for file in planned.cookbook.files:
                if file.checksum in remaining:
                    mine.append(file)
                    remaining.discard(file.checksum)
        attributed.append(
            PlannedCookbook(
                planned.cookbook, planned.action, planned.existing, tuple(mine)
            )
        )
    return attributed


def _put_files(
    api: ChefServerAPI,
    sandbox: _Sandbox,
    jobs: Sequence[tuple[PlannedCookbook, CookbookFile]],
    options: UploadOptions,
    reporter: UploadReporter,
    tally: _Tally,
) -> None:
    """PUT every file in bounded parallel; the first failure cancels the rest."""
    if not jobs:
        return
    workers = max(1, min(options.concurrency, len(jobs)))
    pool = ThreadPoolExecutor(workers, thread_name_prefix="kitchenctl-upload")
    try:
        futures: dict[Future[int], tuple[PlannedCookbook, CookbookFile]] = {
            pool.submit(put_file, api, sandbox.upload_urls[file.checksum], file): (
                planned,
                file,
            )
            for planned, file in jobs
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                planned, file = futures[future]
                future.result()
                tally.file_uploads += 1
                name = planned.cookbook.full_name
                tally.per_cookbook[name] = tally.per_cookbook.get(name, 0) + 1
                reporter.file_uploaded(planned.cookbook, file)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def put_file(api: ChefServerAPI, url: str, file: CookbookFile) -> int:
    """PUT one file's bytes to a sandbox URL with Content-MD5; return its size.

    The bytes are checked against the checksum the manifest promises, so a file
    edited since it was loaded stops the upload instead of corrupting it.
    """
    data = _read(file)
    digest = hashlib.md5(data, usedforsecurity=False).digest()
    if digest.hex() != file.checksum:
        raise InputFileError(
            f"{_where(file)}: changed while kitchenctl was uploading it",
            hint="run the upload again",
        )
    headers = {"Content-MD5": base64.b64encode(digest).decode("ascii")}
    api.put_bytes(url, data, headers=headers, signed=upload_needs_signature(api, url))
    return len(data)


def upload_needs_signature(api: ChefServerAPI, url: str) -> bool:
    """Whether a file PUT to ``url`` should carry the X-Ops signature headers.

    Presigned URLs authorise themselves, and goiardi's file store checks nothing;
    everything else is signed, as knife does.
    """
    query = urlsplit(url).query
    if any(marker in query for marker in _PRESIGNED_MARKERS):
        return False
    server = api.server
    return not (server is not None and server.flavour == "goiardi")


def _where(file: CookbookFile) -> str:
    return file.path if isinstance(file.source, bytes) else str(file.source)


def _read(file: CookbookFile) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise InputFileError(
            f"{_where(file)}: cannot read the cookbook file: {exc.strerror}",
            hint="check the file's permissions, then run the upload again",
        ) from exc


def _resend(
    api: ChefServerAPI,
    sandbox: _Sandbox,
    jobs: Sequence[tuple[PlannedCookbook, CookbookFile]],
    options: UploadOptions,
    tally: _Tally,
) -> None:
    """Send every file of the sandbox again, after the server said one is missing."""
    _put_files(api, sandbox, jobs, options, SilentReporter(), tally)


def _commit(
    api: ChefServerAPI,
    sandbox: _Sandbox,
    resend: Callable[[], None],
    options: UploadOptions,
    tally: _Tally,
) -> None:
    """Commit the sandbox: retry on 400 (knife's S3 lag), re-send once on 503."""
    resent = False
    for attempt in range(1, options.commit_attempts + 1):
        tally.commits += 1
        try:
            api.put(sandbox.uri, {"is_completed": True})
            return
        except ServerError as exc:
            if exc.status == 503 and not resent:
                log.info("sandbox %s: files missing; sending again", sandbox.sandbox_id)
                resend()
                resent = True
                continue
            if exc.status == 400 and attempt < options.commit_attempts:
                time.sleep(options.commit_backoff * attempt)
                continue
            if exc.status in (400, 503):
                raise ServerError(
                    f"the Chef server would not commit sandbox {sandbox.sandbox_id} "
                    f"after {attempt} attempts: {exc.message}",
                    hint="run the upload again; it re-sends what the server lacks",
                    status=exc.status,
                ) from exc
            raise
    raise AssertionError("unreachable: the last attempt returns or raises")


# Stage 4: register.


def _register_all(
    api: ChefServerAPI,
    plans: Sequence[PlannedCookbook],
    api_version: int,
    options: UploadOptions,
    tally: _Tally,
) -> dict[str, UploadStatus]:
    """PUT the versions to register, in parallel, by full name.

    A cookbook is registered only after every cookbook of this upload it depends on
    (by metadata), so an interrupted run never leaves a dependent registered
    without its dependencies. A dependency cycle is broken in the order given.
    """
    statuses: dict[str, UploadStatus] = {
        planned.cookbook.full_name: planned.action
        for planned in plans
        if planned.action is not UploadStatus.UPLOADED
    }
    waiting = [p for p in plans if p.action is UploadStatus.UPLOADED]
    if not waiting:
        return statuses

    workers = max(1, min(options.concurrency, len(waiting)))
    pool = ThreadPoolExecutor(workers, thread_name_prefix="kitchenctl-register")
    running: dict[Future[UploadStatus], PlannedCookbook] = {}
    try:
        while waiting or running:
            ready = _ready(waiting, running.values()) or (
                [] if running else waiting[:1]
            )
            for planned in ready:
                waiting.remove(planned)
                name = planned.cookbook.full_name
                tally.version_writes += 1
                tally.per_cookbook[name] = tally.per_cookbook.get(name, 0) + 1
                future = pool.submit(
                    _put_version, api, planned.cookbook, api_version, options
                )
                running[future] = planned
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                planned = running.pop(future)
                statuses[planned.cookbook.full_name] = future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return statuses


def _ready(
    waiting: Sequence[PlannedCookbook], running: Iterable[PlannedCookbook]
) -> list[PlannedCookbook]:
    """The waiting cookbooks none of whose dependencies is still to be registered."""
    pending = {p.cookbook.name for p in waiting} | {p.cookbook.name for p in running}
    return [
        planned
        for planned in waiting
        if not (
            dependency_names(planned.cookbook) & (pending - {planned.cookbook.name})
        )
    ]


def dependency_names(cookbook: LoadedCookbook) -> set[str]:
    """The cookbooks ``cookbook``'s metadata depends on."""
    dependencies = cookbook.metadata.get("dependencies")
    return set(dependencies) if isinstance(dependencies, Mapping) else set()


def _result(
    planned: PlannedCookbook,
    statuses: Mapping[str, UploadStatus],
    options: UploadOptions,
    tally: _Tally,
) -> CookbookUploadResult:
    cookbook = planned.cookbook
    status = statuses[cookbook.full_name]
    frozen = planned.existing.frozen if planned.existing else False
    if planned.action is UploadStatus.UPLOADED:
        frozen = options.freeze or frozen or status is UploadStatus.SKIPPED_FROZEN
    return CookbookUploadResult(
        name=cookbook.name,
        version=cookbook.version,
        status=status,
        frozen=frozen,
        files_uploaded=len(planned.files_to_send),
        bytes_uploaded=planned.bytes_to_send,
        requests=tally.per_cookbook.get(cookbook.full_name, 0),
    )


def _put_version(
    api: ChefServerAPI,
    cookbook: LoadedCookbook,
    api_version: int,
    options: UploadOptions,
) -> UploadStatus:
    body = cookbook.manifest(api_version, frozen=options.freeze)
    params = {"force": "true"} if options.force else None
    try:
        api.put(version_path(cookbook.name, cookbook.version), body, params=params)
    except Conflict as exc:
        # Frozen by someone else since stage 1.
        if cookbook.name in options.halt_on_frozen:
            raise FrozenCookbook(cookbook.name, cookbook.version, api.url) from exc
        return UploadStatus.SKIPPED_FROZEN
    except ServerError as exc:
        if exc.status == 400 and "checksum" in exc.message.lower():
            raise ServerError(
                f"the Chef server lacks a file of cookbook {cookbook.name} "
                f"({cookbook.version}): {exc.message}",
                hint="run the upload again; it re-sends what the server lacks",
                status=400,
            ) from exc
        raise
    return UploadStatus.UPLOADED


def loaded_names(cookbooks: Iterable[LoadedCookbook]) -> frozenset[str]:
    """The names of ``cookbooks``, for ``halt_on_frozen``."""
    return frozenset(cookbook.name for cookbook in cookbooks)
