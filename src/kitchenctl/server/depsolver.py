"""``POST /environments/ENV/cookbook_versions``: the cookbooks a run list needs.

What chef-client asks before it converges: given the expanded run list, which version of
every cookbook (dependencies included) to download. The environment's
``cookbook_versions`` constraints narrow what may be chosen; kitchenctl's own resolver
(the one ``deps`` uses) picks the newest versions that satisfy every constraint. No
solution is a 412 naming the conflict, as erchef answers.
"""

from __future__ import annotations

from typing import Any

from kitchenctl.errors import InputFileError, ResolutionError
from kitchenctl.resolver import Demand, NoSolution, Resolver
from kitchenctl.server.app import Call, Routes
from kitchenctl.server.authz import Access, authorize
from kitchenctl.server.cookbooks import render_version
from kitchenctl.server.objects import RUN_LIST_ITEM, require_object
from kitchenctl.server.protocol import ApiError, Reply, bad_request, not_found
from kitchenctl.universe import Universe, parse_constraint, parse_version
from kitchenctl.versions import Constraint

REQUIRER = "the run list"


def solve(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    environment = call.store.get(call.org, "environment", call.params["name"])
    if environment is None:
        raise not_found(f"environment '{call.params['name']}' not found")
    demands = _demands(call.json)

    universe = _universe(call, _constraints(environment["cookbook_versions"]))
    try:
        resolution = Resolver(universe).resolve(demands)
    except NoSolution as exc:
        missing = [exc.name] if exc.missing else []
        raise ApiError(
            412,
            exc.message,
            body={
                "error": [exc.message],
                "non_existent_cookbooks": missing,
                "cookbooks_with_no_versions": [],
            },
        ) from exc
    except ResolutionError as exc:
        raise ApiError(412, exc.message) from exc

    answer = {}
    for name, chosen in resolution.chosen.items():
        body = call.store.get(call.org, "cookbook_version", str(chosen.version), name)
        if body is None:  # the universe came from the store in this same request
            raise ApiError(500, f"cookbook {name} {chosen.version} vanished")
        answer[name] = render_version(call, body)
    return Reply(data=answer)


def _demands(body: Any) -> list[Demand]:
    body = require_object(body)
    run_list = body.get("run_list")
    if set(body) != {"run_list"} or not isinstance(run_list, list):
        raise bad_request("Field 'run_list' invalid: a list of recipes is expected")
    return [_demand(item) for item in run_list]


def _demand(item: Any) -> Demand:
    """``recipe[a::b@1.0.0]``, ``a::b`` or ``a``: cookbook ``a``, optionally pinned."""
    if not isinstance(item, str):
        raise bad_request("Field 'run_list' invalid")
    matched = RUN_LIST_ITEM.match(item)
    if matched and matched.group(1) == "role":
        raise bad_request(f"Field 'run_list' invalid: expand {item} before solving")
    recipe = matched.group(2) if matched else item
    recipe, _, pin = recipe.partition("@")
    cookbook = recipe.split("::", 1)[0]
    try:
        constraint = parse_constraint(f"= {pin}" if pin else "")
    except InputFileError as exc:
        raise bad_request(f"Field 'run_list' invalid: {item}") from exc
    return Demand(cookbook, constraint, REQUIRER)


def _constraints(texts: dict[str, str]) -> dict[str, Constraint]:
    try:
        return {name: parse_constraint(text) for name, text in texts.items()}
    except InputFileError as exc:
        raise bad_request(f"the environment has an invalid constraint: {exc}") from exc


def _universe(call: Call, allowed: dict[str, Constraint]) -> Universe:
    """Every stored cookbook version the environment allows, with its dependencies."""
    data: dict[str, dict[str, Any]] = {}
    for name, version, body in call.store.bodies(
        call.org, "cookbook_version", parent=None
    ):
        constraint = allowed.get(name)
        if constraint is not None and not constraint.satisfies(parse_version(version)):
            continue
        dependencies = body["metadata"].get("dependencies", {})
        data.setdefault(name, {})[version] = {"dependencies": dependencies}
    return Universe.from_json(data, source="the embedded server")


ROUTES: Routes = [("/environments/{name}/cookbook_versions", {"POST": solve})]
