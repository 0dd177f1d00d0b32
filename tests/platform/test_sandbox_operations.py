"""Every operation of the GPD debt-positions and receipts APIs answers its happy path, in both SANP versions,
with bodies the version's contract publishes."""

from __future__ import annotations

from datetime import timedelta

from sandbox_support import ORG, Client, any_sandbox, conforms, moment, option, position, rules_of, transfer

from pagoconf.platform.sandbox import Sandbox

__all__ = ["any_sandbox"]


def test_create_answers_201_with_a_draft_that_conforms(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    body = position()
    answer = client.create(body)
    assert answer.status == 201, answer.data
    assert answer.json["status"] == "DRAFT"
    assert answer.json["paymentOption"][0]["nav"] == "3" + body["paymentOption"][0]["iuv"]
    assert answer.headers["Content-Type"].startswith("application/json")
    assert conforms(any_sandbox.sanp, "createPosition", 201, answer.json) == []
    assert client.last()["findings"] == []


def test_get_answers_the_position_as_published(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    body = client.created()
    answer = client.get(body["iupd"])
    assert answer.status == 200
    assert answer.json["iupd"] == body["iupd"] and answer.json["organizationFiscalCode"] == ORG
    option_ = answer.json["paymentOption"][0]
    assert option_["status"] == "PO_UNPAID" and option_["transfer"][0]["status"] == "T_UNREPORTED"
    assert conforms(any_sandbox.sanp, "getOrganizationDebtPositionByIUPD", 200, answer.json) == []


def test_the_list_pages_the_organizations_positions(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    org = f"{80000000000 + hash(any_sandbox.sanp) % 1000:011d}"
    for _ in range(3):
        assert client.create(position(), org=org).status == 201
    first = client.list({"page": 0, "limit": 2, "orderby": "IUPD", "ordering": "ASC"}, org=org)
    assert first.status == 200
    assert first.json["page_info"] == {"page": 0, "limit": 2, "items_found": 2, "total_pages": 2}
    second = client.list({"page": 1, "limit": 2, "orderby": "IUPD", "ordering": "ASC"}, org=org)
    iupds = [p["iupd"] for p in first.json["payment_position_list"] + second.json["payment_position_list"]]
    assert iupds == sorted(iupds) and len(set(iupds)) == 3
    assert conforms(any_sandbox.sanp, "getOrganizationDebtPositions", 200, first.json) == []


def test_the_list_filters_by_status_and_due_date(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    org = "12345678901" if any_sandbox.sanp == "3.8.0" else "12345678902"
    early, late = (
        position(None, option(due=timedelta(days=5))),
        position(None, option(due=timedelta(days=25))),
    )
    client.create(early, org=org, to_publish="true")
    client.create(late, org=org)
    valid = client.list({"page": 0, "status": "VALID"}, org=org).json["payment_position_list"]
    assert [p["iupd"] for p in valid] == [early["iupd"]]
    soon = moment(timedelta(days=10))[:10]
    due = client.list({"page": 0, "due_date_to": soon}, org=org).json["payment_position_list"]
    assert [p["iupd"] for p in due] == [early["iupd"]]


def test_update_rebuilds_the_position_as_a_draft(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    body = client.created(publish=True)
    changed = dict(
        body, companyName="Comune di Altrove", paymentOption=[option(body["paymentOption"][0]["iuv"], 2500)]
    )
    answer = client.update(body["iupd"], changed)
    assert answer.status == 200, answer.data
    assert answer.json["status"] == "DRAFT" and answer.json["companyName"] == "Comune di Altrove"
    assert client.get(body["iupd"]).json["paymentOption"][0]["amount"] == 2500
    assert conforms(any_sandbox.sanp, "updatePosition", 200, answer.json) == []
    again = client.update(body["iupd"], changed, query={"toPublish": "true"})
    assert again.json["status"] == "VALID"


def test_publish_makes_a_position_without_validity_date_valid_at_once(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    body = client.created()
    answer = client.publish(body["iupd"])
    assert answer.status == 200 and answer.json["status"] == "VALID"
    assert conforms(any_sandbox.sanp, "publishPosition", 200, answer.json) == []


def test_publish_with_a_future_validity_date_leaves_it_published(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    body = client.created(position(validityDate=moment(timedelta(days=2))))
    assert client.publish(body["iupd"]).json["status"] == "PUBLISHED"


def test_invalidate_closes_a_valid_position(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    body = client.created(publish=True)
    answer = client.invalidate(body["iupd"])
    assert answer.status == 200 and answer.json["status"] == "INVALID"
    assert conforms(any_sandbox.sanp, "invalidatePosition", 200, answer.json) == []


def test_delete_forgets_the_position_and_confirms_in_plain_text(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    body = client.created()
    answer = client.delete(body["iupd"])
    assert answer.status == 200 and answer.data == b"OK"
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert rules_of(client.last(), warning=True) == {"GPD-033"}
    assert client.get(body["iupd"]).status == 404


def test_a_paid_option_has_its_receipt_listed_and_readable_as_xml(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    body = client.created(publish=True)
    iuv = body["paymentOption"][0]["iuv"]
    paid = client.pay(iuv)
    assert paid.status == 200 and paid.json["positionStatus"] == "PAID"
    receipt = client.payments("GET", f"/payments/{ORG}/receipts/{iuv}")
    assert receipt.status == 200 and receipt.headers["Content-Type"].startswith("application/xml")
    assert b"paSendRTV2Request" in receipt.data and iuv.encode() in receipt.data
    listed = client.payments("GET", f"/payments/{ORG}/receipts", query={"pageNum": 0, "service": iuv})
    assert listed.status == 200, listed.data
    items = listed.json["receipts_list"] if any_sandbox.sanp == "3.8.0" else listed.json["results"]
    assert [(r["iuv"], r["status"]) for r in items] == [(iuv, "PAID")]
    assert conforms(any_sandbox.sanp, "getOrganizationReceipts", 200, listed.json) == []


def test_info_answers_on_both_apis(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    for call in (client.gpd, client.payments):
        answer = call("GET", "/info")
        assert answer.status == 200 and answer.json["environment"] == "sandbox"
        unpublished = any_sandbox.sanp == "3.13.0"
        assert rules_of(client.last(), warning=True) == ({"GPD-002"} if unpublished else set())


def test_an_option_is_marked_as_already_paid_in_3_13() -> None:
    with Sandbox(sanp="3.13.0", keys=["k"]) as sandbox:
        client = Client(sandbox, key="k")
        body = client.created(publish=True)
        nav = "3" + body["paymentOption"][0]["iuv"]
        paid_at = moment(timedelta(hours=-1))
        answer = client.gpd(
            "POST", f"/organizations/{ORG}/paymentoptions/paids/{nav}", body={"paymentDate": paid_at}
        )
        assert answer.status == 200, answer.data
        assert answer.json["status"] == "PO_PAID" and answer.json["nav"] == nav
        assert conforms("3.13.0", "setPaymentOptionAsAlreadyPaid", 200, answer.json) == []
        assert client.status_of(body["iupd"]) == "PAID"


def test_transfer_ibans_are_replaced_in_bulk_in_3_13() -> None:
    with Sandbox(sanp="3.13.0", keys=["k"]) as sandbox:
        client = Client(sandbox, key="k")
        old, new = "IT60X0542811101000000123456", "IT02A0301503200000003517230"
        bodies = [client.created() for _ in range(2)]
        answer = client.gpd(
            "PATCH",
            f"/organizations/{ORG}/debtpositions/transfers",
            body={"newIban": new},
            query={"oldIban": old},
        )
        assert answer.status == 200, answer.data
        assert answer.json["updatedTransfers"] == 2
        assert client.get(bodies[0]["iupd"]).json["paymentOption"][0]["transfer"][0]["iban"] == new


def test_a_multi_beneficiary_position_with_a_stamp_is_created(any_sandbox: Sandbox) -> None:
    client = Client(any_sandbox)
    stamp = {"hashDocument": "a" * 44, "stampType": "01", "provincialResidence": "RM"}
    two = option(
        None,
        3000,
        transfer=[
            transfer("1", 1000),
            transfer("2", 2000, iban=None, stamp=stamp, organizationFiscalCode="01234567890"),
        ],
    )
    del two["transfer"][1]["iban"]
    answer = client.create(position(None, two))
    assert answer.status == 201, answer.data
    assert answer.json["paymentOption"][0]["transfer"][1]["stamp"] == stamp
