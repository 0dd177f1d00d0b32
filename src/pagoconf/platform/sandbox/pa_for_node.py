"""GPD-Payments' paForNode endpoint in the sandbox, at /gpd-payments/paForNode (the Sandbox's
`base_urls["gpd_pa_for_node"]`): the Node's SOAP 1.1 requests (paVerifyPaymentNotice, paGetPayment/V2,
paSendRT/V2, paDemandPaymentNotice) about the sandbox's debt positions, judged by the GPDNODE rules,
answered from the positions' state as GPD-Payments answers (gpd_node.py), and journaled like every other
exchange (api `gpd_pa_for_node`).

A refusal is a paForNode KO with the rule's fault code (HTTP 200); a body past 1 MiB gets 413, and a request
whose operation cannot be told (neither its Body nor its SOAPAction names one) a SOAP Fault (HTTP 500). A
receipt pays its option (PO_PAID, the position PARTIALLY_PAID or PAID) and is kept for the receipts API."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lxml import etree
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pagoconf.platform.sandbox import gpd_node
from pagoconf.platform.sandbox import positions as model
from pagoconf.platform.sandbox.asgi import as_sandbox_request, read_body, to_response
from pagoconf.platform.sandbox.checks import Verdict, judge
from pagoconf.platform.sandbox.clock import utc_now
from pagoconf.platform.sandbox.context import Reply
from pagoconf.platform.sandbox.dates import parse_datetime
from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.problems import Problem
from pagoconf.platform.sandbox.request import Case, SandboxRequest
from pagoconf.platform.sandbox.service import Outcome
from pagoconf.platform.sandbox.store import StoredReceipt
from pagoconf.sync import soap
from pagoconf.sync.soap import element

if TYPE_CHECKING:
    from pagoconf.platform.sandbox.service import SandboxService

DRAIN_LIMIT = 40 * gpd_node.MAX_BODY
NO_SERVICE = "the sandbox offers no spontaneous-payment service (GPS): no notice can be created on demand"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def soap_fault(code: str, message: str) -> bytes:
    """A SOAP 1.1 envelope holding a Fault."""
    fault = etree.Element(etree.QName(soap.SOAP_ENV, "Fault"), nsmap={"soapenv": soap.SOAP_ENV})
    element(fault, "faultcode", code)
    element(fault, "faultstring", message)
    return soap.envelope(fault)


def soap_reply(status: int, body: bytes) -> Reply:
    """A SOAP answer (text/xml)."""
    return Reply(status, body, soap.CONTENT_TYPE)


class PaForNode:
    """GPD's paForNode endpoint over one sandbox service."""

    def __init__(self, service: SandboxService) -> None:
        self.service = service

    def handle(self, request: SandboxRequest, soap_action: str | None, started: float) -> Reply:
        """Answer one request to the endpoint and journal it."""
        received = utc_now()
        op = gpd_node.identify(request.body, soap_action) if request.method == "POST" else None
        findings: tuple[Finding, ...] = ()
        snapshot: dict[str, Any] = {"body_size": request.body_size}
        if request.method != "POST":
            reply = soap_reply(
                405, soap_fault("soapenv:Client", f"{request.method} is not supported; use POST")
            )
        elif op is None:
            request = replace(request, operation=gpd_node.UNIDENTIFIED)
            verdict = judge(
                Case(request, snapshot, self.service.sanp, self.service.strict, self.service.contracts)
            )
            findings = verdict.findings
            why = "; ".join(f.actual for f in findings)
            reply = soap_reply(
                500, soap_fault("soapenv:Client", f"cannot tell which paForNode operation: {why}")
            )
        else:
            request = replace(request, operation=gpd_node.operation_name(op.name))
            try:
                reply, findings, snapshot = self._answer(request, op)
            except Exception as exc:  # a defect of the sandbox: answered and journaled, never swallowed
                reply = soap_reply(
                    500, soap_fault("soapenv:Server", f"sandbox defect: {type(exc).__name__}: {exc}")
                )
        self.service.record(request, reply, Outcome(reply, findings, snapshot, None), received, started)
        return reply

    def _answer(
        self, request: SandboxRequest, op: soap.Operation
    ) -> tuple[Reply, tuple[Finding, ...], dict[str, Any]]:
        service = self.service
        with service.store.transaction():
            now = service.schedule()
            snapshot = gpd_node.snapshot(service.store, request, now, service.gpd_station, sanp=service.sanp)
            case = Case(request, snapshot, service.sanp, service.strict, service.contracts)
            verdict: Verdict = judge(case)
            if verdict.refusal is not None:
                return self._refused(case, op, verdict.refusal), verdict.findings, snapshot
            return soap_reply(200, soap.envelope(self._granted(case, op))), verdict.findings, snapshot

    def _refused(self, case: Case, op: soap.Operation, refusal: Problem) -> Reply:
        if refusal.status != 200:
            return soap_reply(refusal.status, soap_fault("soapenv:Client", refusal.detail))
        if refusal.title == "PAA_RECEIPT_DUPLICATA":
            self._keep_receipt(case, op)
        res = gpd_node.ko(op, refusal.title, refusal.detail, _institution(case))
        return soap_reply(200, soap.envelope(res))

    def _granted(self, case: Case, op: soap.Operation) -> etree._Element:
        if op.name == gpd_node.DEMAND:
            return gpd_node.ko(op, "PAA_PAGAMENTO_SCONOSCIUTO", NO_SERVICE, _institution(case))
        position, option = case.position, gpd_node.noticed_option(case)
        assert position is not None and option is not None
        if op.name == gpd_node.VERIFY:
            return gpd_node.verify_answer(op, position, option)
        if op.name in gpd_node.ACTIVATIONS:
            request = gpd_node.request_of(case)
            transfer_type = request.findtext("transferType") if request is not None else None
            return gpd_node.payment_answer(op, position, option, transfer_type)
        self._pay(case, op, position, option)
        return gpd_node.ok(op)

    def _pay(
        self, case: Case, op: soap.Operation, position: model.Position, option: model.PaymentOption
    ) -> None:
        request = gpd_node.request_of(case)
        assert request is not None
        facts = model.PaymentFacts(
            paid_at=_paid_at(request, case),
            receipt_id=(request.findtext("receipt/receiptId") or "").strip(),
            psp_company=(request.findtext("receipt/PSPCompanyName") or "").strip(),
            payment_method=(request.findtext("receipt/paymentMethod") or "").strip(),
        )
        paid = model.pay(position, option.iuv, facts)
        self.service.store.replace_position(paid)
        self._keep_receipt(case, op)

    def _keep_receipt(self, case: Case, op: soap.Operation) -> None:
        """Keep the receipt for the receipts API, unless the option already has one."""
        position, option, request = case.position, gpd_node.noticed_option(case), gpd_node.request_of(case)
        store = self.service.store
        if (
            position is None
            or option is None
            or request is None
            or store.receipt(position.organization, option.iuv)
        ):
            return
        store.insert_receipt(
            StoredReceipt(
                position.organization,
                option.iuv,
                option.nav,
                (request.findtext("receipt/receiptId") or "").strip(),
                position.debtor.fiscal_code,
                _paid_at(request, case),
                op.name,
                case.request.body,
            )
        )


def _institution(case: Case) -> str:
    """The idPA of the request (the fault's id), or GPD's broker when the request names none."""
    request, _ = gpd_node.read(case.request.body)
    id_pa = (request.findtext("idPA") or "").strip() if request is not None else ""
    return id_pa or gpd_node.station_of(case)["id_broker_pa"]


def _paid_at(request: etree._Element, case: Case) -> datetime:
    text = (request.findtext("receipt/paymentDateTime") or "").strip()
    try:
        return parse_datetime(text)
    except ValueError:
        return parse_datetime(str(case.snapshot["now"]))


def routes(service: SandboxService) -> list[Route]:
    """The endpoint's route (every method: what is not POST is answered 405 and journaled)."""
    node = PaForNode(service)

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        body, size = await read_body(request, gpd_node.MAX_BODY, DRAIN_LIMIT)
        sandbox_request = as_sandbox_request(request, body, size, gpd_node.CONTRACT, None)
        reply = await run_in_threadpool(
            node.handle, sandbox_request, request.headers.get("soapaction"), started
        )
        return to_response(reply)

    return [Route(gpd_node.PATH, endpoint, methods=ALL_METHODS)]
