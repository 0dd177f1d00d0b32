"""The control API's calls about stations (documented in control-openapi.json):

- POST /_sandbox/station-config: fresh positions of one institution in every state pagoconf's synchronous
  suite needs, answered with the pagoconf.toml (application/toml) that points `pagoconf run` at GPD's own
  paForNode endpoint for them;
- GET, PUT, DELETE /_sandbox/station: the institution's station the sandbox pushes receipts to (and Checkout
  pays through), with the push's timeout and retry pauses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pagoconf.platform.sandbox import gpd_node
from pagoconf.platform.sandbox.context import Reply, json_reply
from pagoconf.platform.sandbox.control_document import json_body
from pagoconf.platform.sandbox.node_side import StationLink
from pagoconf.platform.sandbox.problems import BAD_REQUEST, Refused, problem
from pagoconf.platform.sandbox.request import SandboxRequest
from pagoconf.platform.sandbox.station_config import prepare, render
from pagoconf.platform.sandbox.station_push import PushPolicy
from pagoconf.sync.config import ConfigError, Identity, check_url

if TYPE_CHECKING:
    from pagoconf.platform.sandbox.service import SandboxService

DEFAULT_ORGANIZATION = "77777777777"
TOML = "application/toml; charset=utf-8"


def station_config(service: SandboxService, request: SandboxRequest) -> Reply:
    """New positions in every state for one institution, and the pagoconf.toml describing GPD's endpoint."""
    body = json_body(request, "StationConfigRequest", required=False)
    organization = str(body.get("organizationFiscalCode", DEFAULT_ORGANIZATION))
    version = int(body.get("primitiveVersion", 2))
    now = service.schedule()
    prepared = prepare(
        service.store,
        organization,
        now,
        sanp=service.sanp,
        segregation_code=str(body.get("segregationCode", "01")),
        primitive_version=version,
    )
    url = request.base_url + gpd_node.PATH
    text = render(prepared, url, service.gpd_station, sanp=service.sanp, primitive_version=version)
    return Reply(201, text.encode(), TOML)


def _station_json(service: SandboxService) -> dict[str, Any]:
    link = service.station
    station = None
    if link is not None:
        station = {
            "url": link.url,
            "idPA": link.identity.id_pa,
            "idBrokerPA": link.identity.id_broker_pa,
            "idStation": link.identity.id_station,
            "primitiveVersion": link.primitive_version,
        }
    return {"station": station, **service.pushes.policy.as_json()}


def station(service: SandboxService, request: SandboxRequest) -> Reply:
    """The station receipts are pushed to (null: none), and the push's timeout and retry pauses."""
    return json_reply(200, _station_json(service))


def set_station(service: SandboxService, request: SandboxRequest) -> Reply:
    """Push receipts to this station from now on."""
    body = json_body(request, "Station", required=False)
    if not body:
        raise Refused(problem(400, "a JSON body is required", BAD_REQUEST))
    try:
        url = check_url(str(body["url"]), "url")
    except ConfigError as exc:
        raise Refused(problem(400, str(exc), BAD_REQUEST)) from None
    identity = Identity(str(body["idPA"]), str(body["idBrokerPA"]), str(body["idStation"]))
    default = PushPolicy()
    policy = PushPolicy(
        float(body.get("timeoutSeconds", default.timeout)),
        tuple(float(d) for d in body.get("retryDelaysSeconds", default.retry_delays)),
    )
    service.pushes.configure(StationLink(url, identity, int(body.get("primitiveVersion", 2))), policy)
    return json_reply(200, _station_json(service))


def clear_station(service: SandboxService, request: SandboxRequest) -> Reply:
    """Push receipts to no station."""
    service.pushes.configure(None)
    return json_reply(200, _station_json(service))
