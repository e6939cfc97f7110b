"""kitchenctl's embedded Chef Infra Server: the Chef Server API for one machine.

The pieces, from the wire inwards::

    app.py         the Starlette application: layouts, versions, the request wrapper
    auth.py        who signed the request (Mixlib signature verification)
    authz.py       what that actor may do
    endpoints.py   users, clients, nodes, roles, environments, data bags, search
    cookbooks.py   sandboxes, the file store, cookbook versions, universe
    depsolver.py   the cookbooks a run list needs, for chef-client
    objects.py     validation and normalisation of request bodies
    search.py      the Lucene-like query subset Chef users type
    store.py       SQLite in WAL mode: one transaction per request
    provision.py   first start: organisation, admin user, validator, keys
    runner.py      start, stop and status of a server process on a data folder

Everything here is library code: it never prints. Starlette and uvicorn are imported by
the modules that need them, which the CLI imports only when a server command runs.
"""

from __future__ import annotations

DEFAULT_ORG = "kitchenctl"
ADMIN_USER = "admin"
VALIDATOR_CLIENT = f"{DEFAULT_ORG}-validator"
MIN_API_VERSION = 0
MAX_API_VERSION = 2
DEFAULT_PORT = 8889
