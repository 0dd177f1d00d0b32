"""Scenario expectations: what each one accepts, and the exact words it uses when it does not."""

from __future__ import annotations

import pytest
from messages import (
    DEMAND,
    RECEIPTS,
    RT,
    RT2,
    SANPS,
    V1,
    V2,
    VERIFY,
    answer,
    ask,
    exchange,
    fresh_station,
    receipt_for,
    reference,
    request,
    sent,
    soap_fault,
    unqualified,
    with_text,
    without,
)

from pagoconf.engine.violation import Violation
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks.expectations import (
    NotJudgeable,
    acknowledges_receipt,
    activation_agrees_with_description,
    answers_fault,
    answers_ok,
    closed_after_receipt,
    created_notice_is_known,
    postal_flag_matches_transfers,
    refuses_with_syntax_fault,
    same_answer,
    within_service_level,
)
from pagoconf.sync.requests.receipts import with_invalid_outcome

ALL_CCP = "paymentList/paymentOptionDescription/allCCP"
ALL_CCP_WHERE = "/paVerifyPaymentNoticeRes/paymentList/paymentOptionDescription/allCCP"
POSTAL_WORDING = "allCCP false unless every transfer credits a postal account (ABI 07601)"
NON_POSTAL_IBAN = "IT60X0542811101000000123456"  # the institution's ordinary (non-postal) account


def of(op: str, kind: str, body: bytes | None = None, sanp: str = "3.8.0") -> Answer:
    """The Answer to `op` about the first notice of `kind` (the reference answer, or `body`)."""
    body = reference(op, kind, sanp) if body is None else body
    return answer(exchange(op, body, request_for=kind, sanp=sanp), sanp)


def words(violations: object) -> list[tuple[str, str, str]]:
    return [(v.expected, v.actual, v.where) for v in violations]  # type: ignore[attr-defined]


# --- answers_ok / answers_fault ---------------------------------------------------------------------------


@pytest.mark.parametrize("sanp", ["3.8.0", "3.13.0"])
@pytest.mark.parametrize("op", [VERIFY, V1, V2])
@pytest.mark.parametrize("kind", ["payable", "multi_beneficiary", "postal"])
def test_answers_ok_passes_on_payable_notices(op: str, kind: str, sanp: str) -> None:
    assert list(answers_ok(of(op, kind, sanp=sanp))) == []


def test_answers_ok_fails_on_a_refusal() -> None:
    assert words(answers_ok(of(VERIFY, "unknown"))) == [
        ("outcome OK", "outcome KO, fault PAA_PAGAMENTO_SCONOSCIUTO", "/paVerifyPaymentNoticeRes/outcome")
    ]


def test_answers_ok_fails_on_ko_without_fault() -> None:
    body = without(reference(V2, "expired"), "fault")
    assert words(answers_ok(of(V2, "expired", body))) == [
        ("outcome OK", "outcome KO", "/paGetPaymentV2Response/outcome")
    ]


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("unknown", "PAA_PAGAMENTO_SCONOSCIUTO"),
        ("expired", "PAA_PAGAMENTO_SCADUTO"),
        ("annulled", "PAA_PAGAMENTO_ANNULLATO"),
        ("paid", "PAA_PAGAMENTO_DUPLICATO"),
    ],
)
@pytest.mark.parametrize("op", [VERIFY, V1, V2])
def test_answers_fault_passes_on_the_right_refusal(op: str, kind: str, code: str) -> None:
    assert list(answers_fault(of(op, kind), code)) == []


def test_answers_fault_fails_on_another_code() -> None:
    assert words(answers_fault(of(V1, "unknown"), "PAA_PAGAMENTO_SCADUTO")) == [
        (
            "outcome KO, fault PAA_PAGAMENTO_SCADUTO",
            "outcome KO, fault PAA_PAGAMENTO_SCONOSCIUTO",
            "/paGetPaymentRes/fault/faultCode",
        )
    ]


def test_answers_fault_fails_on_ok() -> None:
    assert words(answers_fault(of(VERIFY, "payable"), "PAA_PAGAMENTO_DUPLICATO")) == [
        (
            "outcome KO, fault PAA_PAGAMENTO_DUPLICATO",
            "outcome OK, no fault",
            "/paVerifyPaymentNoticeRes/fault/faultCode",
        )
    ]


def test_answers_fault_fails_on_the_right_code_with_outcome_ok() -> None:
    body = with_text(reference(VERIFY, "paid"), "outcome", "OK")
    assert words(answers_fault(of(VERIFY, "paid", body), "PAA_PAGAMENTO_DUPLICATO")) == [
        (
            "outcome KO, fault PAA_PAGAMENTO_DUPLICATO",
            "outcome OK, fault PAA_PAGAMENTO_DUPLICATO",
            "/paVerifyPaymentNoticeRes/fault/faultCode",
        )
    ]


# --- activation_agrees_with_description (CROSS-001) ----------------------------------------------------


@pytest.mark.parametrize("op", [V1, V2])
@pytest.mark.parametrize("kind", ["payable", "multi_beneficiary", "postal"])
def test_activation_agrees_with_description_on_the_reference(op: str, kind: str) -> None:
    assert list(activation_agrees_with_description(of(VERIFY, kind), of(op, kind))) == []


def test_activation_agrees_with_the_bollo_description() -> None:
    assert list(activation_agrees_with_description(of(VERIFY, "bollo"), of(V2, "bollo"))) == []


def test_activation_agreement_compares_amounts_as_numbers() -> None:
    description = of(
        VERIFY,
        "payable",
        with_text(reference(VERIFY, "payable"), "paymentList/paymentOptionDescription/amount", "120.5"),
    )
    assert list(activation_agrees_with_description(description, of(V1, "payable"))) == []


def test_activation_with_another_amount_disagrees() -> None:
    activation = of(V1, "payable", with_text(reference(V1, "payable"), "data/paymentAmount", "121.50"))
    assert words(activation_agrees_with_description(of(VERIFY, "payable"), activation)) == [
        (
            "paymentAmount = 120.50 (the amount the description announced)",
            "121.50",
            "/paGetPaymentRes/data/paymentAmount",
        )
    ]


def test_activation_with_another_due_date_disagrees() -> None:
    activation = of(V2, "payable", with_text(reference(V2, "payable"), "data/dueDate", "2025-07-03"))
    assert words(activation_agrees_with_description(of(VERIFY, "payable"), activation)) == [
        ("dueDate = 2025-07-02 (as described)", "2025-07-03", "/paGetPaymentV2Response/data/dueDate")
    ]


def test_activation_with_another_amount_and_due_date_reports_both() -> None:
    changed = with_text(
        with_text(reference(V1, "payable"), "data/dueDate", "2025-08-01"), "data/paymentAmount", "1.00"
    )
    assert words(activation_agrees_with_description(of(VERIFY, "payable"), of(V1, "payable", changed))) == [
        (
            "paymentAmount = 120.50 (the amount the description announced)",
            "1.00",
            "/paGetPaymentRes/data/paymentAmount",
        ),
        ("dueDate = 2025-07-02 (as described)", "2025-08-01", "/paGetPaymentRes/data/dueDate"),
    ]


def test_due_date_is_compared_only_where_both_give_one() -> None:
    description = of(
        VERIFY,
        "payable",
        without(reference(VERIFY, "payable"), "paymentList/paymentOptionDescription/dueDate"),
    )
    activation = of(V1, "payable", with_text(reference(V1, "payable"), "data/dueDate", "2030-01-01"))
    assert list(activation_agrees_with_description(description, activation)) == []


def test_activation_agreement_is_not_judgeable_on_refusals_or_without_data() -> None:
    with pytest.raises(
        NotJudgeable,
        match=r"^paVerifyPaymentNotice answered KO PAA_PAGAMENTO_SCONOSCIUTO; "
        r"nothing to compare$",
    ):
        list(activation_agrees_with_description(of(VERIFY, "unknown"), of(V1, "payable")))
    with pytest.raises(
        NotJudgeable, match=r"^paGetPayment answered KO PAA_PAGAMENTO_SCADUTO; nothing to compare$"
    ):
        list(activation_agrees_with_description(of(VERIFY, "payable"), of(V1, "expired")))
    with pytest.raises(NotJudgeable, match=r"^the activation carries no data to compare$"):
        list(
            activation_agrees_with_description(
                of(VERIFY, "payable"), of(V1, "payable", without(reference(V1, "payable"), "data"))
            )
        )


# --- postal_flag_matches_transfers (CROSS-002) ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["payable", "multi_beneficiary", "postal", "bollo"])
def test_postal_flag_matches_transfers_on_the_reference(kind: str) -> None:
    assert list(postal_flag_matches_transfers(of(VERIFY, kind), of(V2, kind))) == []


def test_postal_flag_true_on_ordinary_accounts_is_reported() -> None:
    description = of(
        VERIFY, "multi_beneficiary", with_text(reference(VERIFY, "multi_beneficiary"), ALL_CCP, "true")
    )
    assert words(postal_flag_matches_transfers(description, of(V1, "multi_beneficiary"))) == [
        (
            POSTAL_WORDING,
            "allCCP true with non-postal transfers: IT60X0542811101000000123456, "
            "IT61X0306909606100000012345, IT63X0200805364000000098765",
            ALL_CCP_WHERE,
        )
    ]


def test_postal_flag_one_with_one_ordinary_account_is_reported() -> None:
    description = of(VERIFY, "postal", with_text(reference(VERIFY, "postal"), ALL_CCP, "1"))
    activation = of(
        V2,
        "postal",
        with_text(reference(V2, "postal"), "data/transferList/transfer[2]/IBAN", NON_POSTAL_IBAN),
    )
    assert words(postal_flag_matches_transfers(description, activation)) == [
        (POSTAL_WORDING, f"allCCP true with non-postal transfers: {NON_POSTAL_IBAN}", ALL_CCP_WHERE)
    ]


def test_postal_flag_true_with_a_stamp_is_reported() -> None:
    description = of(VERIFY, "bollo", with_text(reference(VERIFY, "bollo"), ALL_CCP, "true"))
    assert words(postal_flag_matches_transfers(description, of(V2, "bollo"))) == [
        (POSTAL_WORDING, f"allCCP true with non-postal transfers: {NON_POSTAL_IBAN}, (stamp)", ALL_CCP_WHERE)
    ]


def test_postal_flag_false_on_postal_accounts_is_allowed() -> None:
    description = of(VERIFY, "postal", with_text(reference(VERIFY, "postal"), ALL_CCP, "false"))
    assert list(postal_flag_matches_transfers(description, of(V1, "postal"))) == []


def test_postal_flag_is_not_judgeable_without_data() -> None:
    with pytest.raises(NotJudgeable, match=r"^the activation carries no data to compare$"):
        list(
            postal_flag_matches_transfers(
                of(VERIFY, "postal"), of(V1, "postal", without(reference(V1, "postal"), "data"))
            )
        )


# --- same_answer (REPEAT-001/002) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "kind"),
    [(VERIFY, "payable"), (V1, "multi_beneficiary"), (V2, "bollo"), (VERIFY, "unknown"), (V2, "paid")],
)
def test_identical_answers_are_the_same(op: str, kind: str) -> None:
    assert list(same_answer(of(op, kind), of(op, kind))) == []


def test_a_changed_leaf_is_reported_at_its_path() -> None:
    second = of(
        V1,
        "multi_beneficiary",
        with_text(
            reference(V1, "multi_beneficiary"),
            "data/transferList/transfer[2]/remittanceInformation",
            "changed",
        ),
    )
    assert words(same_answer(of(V1, "multi_beneficiary"), second)) == [
        (
            "/RFB/01200000000000152/30.50/TXT/Sanzione CdS quota provinciale (as the first time)",
            "changed",
            "/paGetPaymentRes/data/transferList/transfer[2]/remittanceInformation",
        )
    ]


def test_a_dropped_leaf_is_reported_absent() -> None:
    second = of(VERIFY, "payable", without(reference(VERIFY, "payable"), "officeName"))
    assert words(same_answer(of(VERIFY, "payable"), second)) == [
        ("Ufficio Tributi (as the first time)", "(absent)", "/paVerifyPaymentNoticeRes/officeName")
    ]


def test_another_outcome_is_reported_leaf_by_leaf() -> None:
    first = of(VERIFY, "payable")
    second = of(VERIFY, "payable", reference(VERIFY, "paid"))
    reported = words(same_answer(first, second))
    assert ("OK (as the first time)", "KO", "/paVerifyPaymentNoticeRes/outcome") in reported
    assert (
        "(absent) (as the first time)",
        "PAA_PAGAMENTO_DUPLICATO",
        "/paVerifyPaymentNoticeRes/fault/faultCode",
    ) in reported
    assert [w for _, _, w in reported] == sorted(w for _, _, w in reported)


def test_retention_date_differs_unless_ignored() -> None:
    second = of(
        V2, "payable", with_text(reference(V2, "payable"), "data/retentionDate", "2025-07-04T00:00:00")
    )
    assert words(same_answer(of(V2, "payable"), second)) == [
        (
            "2025-07-03T00:00:00 (as the first time)",
            "2025-07-04T00:00:00",
            "/paGetPaymentV2Response/data/retentionDate",
        )
    ]
    assert list(same_answer(of(V2, "payable"), second, ignore=("retentionDate",))) == []


def test_ignoring_one_name_still_compares_the_others() -> None:
    changed = with_text(
        with_text(reference(V1, "payable"), "data/retentionDate", "2099-01-01T00:00:00"),
        "data/description",
        "other",
    )
    assert words(same_answer(of(V1, "payable"), of(V1, "payable", changed), ignore=("retentionDate",))) == [
        ("TARI 2025 rata unica (as the first time)", "other", "/paGetPaymentRes/data/description")
    ]


# --- within_service_level (TIME-002) -------------------------------------------------------------------


def test_service_level_met() -> None:
    assert list(within_service_level([120.0] * 49 + [9000.0], seconds=2.0, share=0.98)) == []
    assert list(within_service_level([2000.0], seconds=2.0, share=1.0)) == []  # the bound itself is within


def test_service_level_missed() -> None:
    assert words(within_service_level([100.0] * 19 + [2500.0], seconds=2.0, share=0.98)) == [
        ("≥ 98% of answers within 2 s", "95.0% (19 of 20; slowest 2500 ms)", "response times")
    ]


def test_service_level_missed_by_every_answer() -> None:
    assert words(within_service_level([7000.0, 3500.0], seconds=1.5, share=0.5)) == [
        ("≥ 50% of answers within 1.5 s", "0.0% (0 of 2; slowest 7000 ms)", "response times")
    ]


def test_service_level_is_not_judgeable_without_timings() -> None:
    with pytest.raises(NotJudgeable, match=r"^no answers were timed$"):
        list(within_service_level([], seconds=2.0, share=0.98))


def test_service_level_wording_keeps_a_fractional_share() -> None:
    [v] = within_service_level([100.0] * 49 + [2001.0], seconds=2.0, share=0.985)
    assert v.expected == "≥ 98.5% of answers within 2 s"


# --- acknowledges_receipt (RECEIPT-002) ---------------------------------------------------------------

ACKNOWLEDGED = "outcome OK, or KO with fault PAA_RECEIPT_DUPLICATA"


def receipts_sent_twice(op: str, sanp: str = "3.8.0") -> tuple[Answer, Answer, Answer]:
    """The first receipt, the same one again, and another one for the same notice (fresh station)."""
    with fresh_station(sanp) as app:
        first, again = (ask(app, op, receipt_for(op, "payable", sanp)) for _ in range(2))
        other = ask(app, op, receipt_for(op, "payable", sanp, receipt_id="another-receipt"))
    return tuple(of(op, "payable", body, sanp) for body in (first, again, other))  # type: ignore[return-value]


@pytest.mark.parametrize("sanp", SANPS)
@pytest.mark.parametrize("op", RECEIPTS)
def test_a_receipt_sent_again_or_for_a_paid_notice_is_acknowledged(op: str, sanp: str) -> None:
    first, again, other = receipts_sent_twice(op, sanp)
    assert [a.fault_code for a in (first, again, other)] == [None, None, "PAA_RECEIPT_DUPLICATA"]
    assert list(acknowledges_receipt(first, again)) == []
    assert list(acknowledges_receipt(first, other)) == []


def test_a_retry_refused_with_another_code_is_not_acknowledged() -> None:
    first, _, _ = receipts_sent_twice(RT)
    refused = with_text(reference(RT, "unknown"), "fault/faultCode", "PAA_SEMANTICA")
    assert words(acknowledges_receipt(first, of(RT, "payable", refused))) == [
        (ACKNOWLEDGED, "outcome KO, fault PAA_SEMANTICA", "/paSendRTRes/outcome")
    ]
    assert words(acknowledges_receipt(first, of(RT, "unknown"))) == [
        (ACKNOWLEDGED, "outcome KO, fault PAA_PAGAMENTO_SCONOSCIUTO", "/paSendRTRes/outcome")
    ]


def test_a_retry_refused_without_a_fault_is_not_acknowledged() -> None:
    first, _, _ = receipts_sent_twice(RT2)
    body = without(reference(RT2, "unknown"), "fault")
    assert words(acknowledges_receipt(first, of(RT2, "unknown", body))) == [
        (ACKNOWLEDGED, "outcome KO", "/paSendRTV2Response/outcome")
    ]


@pytest.mark.parametrize("op", RECEIPTS)
def test_acknowledging_is_not_judgeable_when_the_first_receipt_was_refused(op: str) -> None:
    with pytest.raises(
        NotJudgeable,
        match=r"^the station did not accept the receipt the first time, so a retry is no duplicate$",
    ):
        list(acknowledges_receipt(of(op, "unknown"), of(op, "payable")))


# --- refuses_with_syntax_fault (RECEIPT-004, DEMAND-005) ------------------------------------------------

SYNTAX_EXPECTED = "outcome KO, fault PAA_SINTASSI_EXTRAXSD or PAA_SINTASSI_XSD"


def invalid_receipt_answer(op: str, sanp: str = "3.8.0") -> bytes:
    """The reference station's answer to a receipt whose outcome breaks paForNode.xsd."""
    with fresh_station(sanp) as app:
        return ask(app, op, with_invalid_outcome(receipt_for(op, "payable", sanp)))


@pytest.mark.parametrize("sanp", SANPS)
@pytest.mark.parametrize("op", RECEIPTS)
def test_an_invalid_receipt_refused_as_extra_xsd_is_a_syntax_fault(op: str, sanp: str) -> None:
    refused = of(op, "payable", invalid_receipt_answer(op, sanp), sanp)
    assert refused.fault_code == "PAA_SINTASSI_EXTRAXSD"
    assert list(refuses_with_syntax_fault(refused)) == []


@pytest.mark.parametrize("sanp", SANPS)
def test_invalid_service_data_refused_as_xsd_is_a_syntax_fault(sanp: str) -> None:
    refused = of(DEMAND, "invalid_service_data", sanp=sanp)
    assert refused.fault_code == "PAA_SINTASSI_XSD"
    assert list(refuses_with_syntax_fault(refused)) == []


def test_accepting_an_invalid_message_is_not_a_syntax_fault() -> None:
    assert words(refuses_with_syntax_fault(of(RT2, "payable"))) == [
        (SYNTAX_EXPECTED, "outcome OK, no fault", "/paSendRTV2Response/fault/faultCode")
    ]


def test_refusing_with_another_code_is_not_a_syntax_fault() -> None:
    assert words(refuses_with_syntax_fault(of(RT, "unknown"))) == [
        (SYNTAX_EXPECTED, "outcome KO, fault PAA_PAGAMENTO_SCONOSCIUTO", "/paSendRTRes/fault/faultCode")
    ]
    body = with_text(reference(DEMAND, "invalid_service_data"), "fault/faultCode", "PAA_SEMANTICA")
    assert words(refuses_with_syntax_fault(of(DEMAND, "invalid_service_data", body))) == [
        (SYNTAX_EXPECTED, "outcome KO, fault PAA_SEMANTICA", "/paDemandPaymentNoticeResponse/fault/faultCode")
    ]


def test_a_syntax_code_with_outcome_ok_is_not_a_refusal() -> None:
    body = with_text(invalid_receipt_answer(RT), "outcome", "OK")
    assert words(refuses_with_syntax_fault(of(RT, "payable", body))) == [
        (SYNTAX_EXPECTED, "outcome OK, fault PAA_SINTASSI_EXTRAXSD", "/paSendRTRes/fault/faultCode")
    ]


# --- closed_after_receipt (RECEIPT-001) -----------------------------------------------------------------

CLOSED = "outcome KO, fault PAA_PAGAMENTO_DUPLICATO"


@pytest.mark.parametrize("sanp", SANPS)
@pytest.mark.parametrize("later_op", [VERIFY, V1, V2])
@pytest.mark.parametrize("op", RECEIPTS)
def test_a_notice_is_closed_after_its_receipt(op: str, later_op: str, sanp: str) -> None:
    with fresh_station(sanp) as app:
        receipt = ask(app, op, receipt_for(op, "payable", sanp))
        later = ask(app, later_op, sent(later_op, "payable"))
    closed = closed_after_receipt(of(op, "payable", receipt, sanp), of(later_op, "payable", later, sanp))
    assert list(closed) == []


def test_a_notice_still_payable_after_its_receipt_is_reported() -> None:
    assert words(closed_after_receipt(of(RT, "payable"), of(VERIFY, "payable"))) == [
        (CLOSED, "outcome OK, no fault", "/paVerifyPaymentNoticeRes/fault/faultCode")
    ]
    assert words(closed_after_receipt(of(RT2, "payable"), of(V2, "payable"))) == [
        (CLOSED, "outcome OK, no fault", "/paGetPaymentV2Response/fault/faultCode")
    ]


def test_a_notice_refused_for_another_reason_after_its_receipt_is_reported() -> None:
    assert words(closed_after_receipt(of(RT2, "payable"), of(V1, "expired"))) == [
        (CLOSED, "outcome KO, fault PAA_PAGAMENTO_SCADUTO", "/paGetPaymentRes/fault/faultCode")
    ]


@pytest.mark.parametrize("op", RECEIPTS)
def test_closing_is_not_judgeable_when_the_receipt_was_refused(op: str) -> None:
    with pytest.raises(
        NotJudgeable, match=r"^the station did not accept the receipt, so the notice need not be closed$"
    ):
        list(closed_after_receipt(of(op, "unknown"), of(VERIFY, "payable")))


# --- created_notice_is_known (DEMAND-004) ------------------------------------------------

AMOUNT = "paymentList/paymentOptionDescription/amount"


def created_notice(sanp: str = "3.8.0", activation_op: str = V1) -> tuple[Answer, bytes, bytes]:
    """The demand's answer, then the description and activation of the notice it created (fresh station)."""
    with fresh_station(sanp) as app:
        demand = of(DEMAND, "vehicle_tax", ask(app, DEMAND, sent(DEMAND, "vehicle_tax")), sanp)
        created = demand.text("qrCode/noticeNumber")
        assert created is not None
        description = ask(app, VERIFY, request(VERIFY, created))
        activation = ask(app, activation_op, request(activation_op, created))
    return demand, description, activation


def about_created(op: str, body: bytes, demand: Answer, sanp: str = "3.8.0") -> Answer:
    """An answer to `op` about the notice `demand` created."""
    created = demand.text("qrCode/noticeNumber") or ""
    return answer(exchange(op, body, request_body=request(op, created)), sanp)


@pytest.mark.parametrize("sanp", SANPS)
@pytest.mark.parametrize("activation_op", [V1, V2])
def test_a_created_notice_is_known_for_its_amount(activation_op: str, sanp: str) -> None:
    demand, description, activation = created_notice(sanp, activation_op)
    assert (demand.text("qrCode/noticeNumber"), demand.text(AMOUNT)) == ("301800000000000176", "120.00")
    judged = created_notice_is_known(
        demand,
        about_created(VERIFY, description, demand, sanp),
        about_created(activation_op, activation, demand, sanp),
    )
    assert list(judged) == []


def test_a_description_for_another_amount_is_left_to_the_cross_rules() -> None:
    demand, description, activation = created_notice()
    judged = created_notice_is_known(
        demand,
        about_created(VERIFY, with_text(description, AMOUNT, "121.00"), demand),
        about_created(V1, activation, demand),
    )
    assert list(judged) == []


def test_an_activation_for_another_amount_is_reported() -> None:
    demand, description, activation = created_notice(activation_op=V2)
    judged = created_notice_is_known(
        demand,
        about_created(VERIFY, description, demand),
        about_created(V2, with_text(activation, "data/paymentAmount", "60.00"), demand),
    )
    assert words(judged) == [
        (
            "paymentAmount = 120.00 (the amount the demand announced)",
            "60.00",
            "/paGetPaymentV2Response/data/paymentAmount",
        )
    ]


def test_a_created_notice_the_station_does_not_know_is_reported() -> None:
    demand, _, _ = created_notice()
    judged = created_notice_is_known(demand, of(VERIFY, "unknown"), of(V2, "unknown"))
    assert words(judged) == [
        (
            "notice 301800000000000176, just created, known to the station",
            "fault PAA_PAGAMENTO_SCONOSCIUTO",
            "/paVerifyPaymentNoticeRes/fault/faultCode",
        ),
        (
            "notice 301800000000000176, just created, known to the station",
            "fault PAA_PAGAMENTO_SCONOSCIUTO",
            "/paGetPaymentV2Response/fault/faultCode",
        ),
    ]


def test_other_refusals_of_the_created_notice_are_left_to_their_own_rules() -> None:
    demand, description, _ = created_notice()
    judged = created_notice_is_known(demand, about_created(VERIFY, description, demand), of(V2, "expired"))
    assert list(judged) == []


def test_a_refused_demand_is_not_judgeable() -> None:
    with pytest.raises(
        NotJudgeable, match=r"^paDemandPaymentNotice answered KO PAA_SINTASSI_XSD; nothing to compare$"
    ):
        list(
            created_notice_is_known(
                of(DEMAND, "invalid_service_data"), of(VERIFY, "payable"), of(V1, "payable")
            )
        )


# --- NotJudgeable: no response element -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("ex", "summary"),
    [
        (exchange(V1, soap_fault()), "paGetPayment → HTTP 200, 351 bytes in 0 ms"),
        (
            exchange(
                V1,
                b"",
                status=0,
                timed_out=True,
                error="no answer within the 7 s deadline",
                elapsed_ms=7003.4,
            ),
            "paGetPayment → no answer within the 7 s deadline in 7003 ms",
        ),
        (
            exchange(V1, b"<html/>", status=502, headers={"Content-Type": "text/html"}, elapsed_ms=12.0),
            "paGetPayment → HTTP 502, 7 bytes in 12 ms",
        ),
    ],
    ids=["soap-fault", "timed-out", "html"],
)
def test_expectations_need_a_response_element(ex: object, summary: str) -> None:
    no_response = answer(ex)  # type: ignore[arg-type]
    message = f"paGetPayment gave no paGetPaymentRes to judge ({summary})"
    for judge_it in (
        lambda: answers_ok(no_response),
        lambda: answers_fault(no_response, "PAA_PAGAMENTO_SCONOSCIUTO"),
        lambda: same_answer(no_response, of(V1, "payable")),
        lambda: same_answer(of(V1, "payable"), no_response),
        lambda: activation_agrees_with_description(of(VERIFY, "payable"), no_response),
        lambda: postal_flag_matches_transfers(of(VERIFY, "payable"), no_response),
    ):
        with pytest.raises(NotJudgeable) as raised:
            list(judge_it())
        assert str(raised.value) == message


@pytest.mark.parametrize("op", RECEIPTS)
def test_receipt_expectations_need_a_response_element(op: str) -> None:
    no_response = answer(exchange(op, soap_fault()))
    response = "paSendRTRes" if op == RT else "paSendRTV2Response"
    message = rf"^{op} gave no {response} to judge \({op} → HTTP 200, 351 bytes in 0 ms\)$"
    for judge_it in (
        lambda: acknowledges_receipt(no_response, of(op, "payable")),
        lambda: acknowledges_receipt(of(op, "payable"), no_response),
        lambda: refuses_with_syntax_fault(no_response),
        lambda: closed_after_receipt(no_response, of(VERIFY, "paid")),
    ):
        with pytest.raises(NotJudgeable, match=message):
            list(judge_it())


def test_an_unqualified_description_is_not_judgeable() -> None:
    description = of(VERIFY, "payable", unqualified(reference(VERIFY, "payable")))
    with pytest.raises(
        NotJudgeable, match=r"^paVerifyPaymentNotice gave no paVerifyPaymentNoticeRes to judge"
    ):
        list(activation_agrees_with_description(description, of(V1, "payable")))


def test_violations_carry_no_rule_until_a_scenario_stamps_them() -> None:
    [v] = answers_ok(of(VERIFY, "expired"))
    assert isinstance(v, Violation) and v.rule == ""
