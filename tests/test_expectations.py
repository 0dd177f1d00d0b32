"""Scenario expectations: what each one accepts, and the exact words it uses when it does not."""

from __future__ import annotations

import pytest
from messages import (
    V1,
    V2,
    VERIFY,
    answer,
    exchange,
    reference,
    soap_fault,
    unqualified,
    with_text,
    without,
)

from pagoconf.checks import Answer, Violation
from pagoconf.checks.expectations import (
    NotJudgeable,
    activation_agrees_with_description,
    answers_fault,
    answers_ok,
    postal_flag_matches_transfers,
    same_answer,
    within_service_level,
)

ALL_CCP = "paymentList/paymentOptionDescription/allCCP"
ALL_CCP_WHERE = "/paVerifyPaymentNoticeRes/paymentList/paymentOptionDescription/allCCP"
POSTAL_WORDING = "allCCP false unless every transfer credits a postal account (ABI 07601)"
NON_POSTAL_IBAN = "IT60X0542811101000000123456"  # the institution's ordinary (non-postal) account


def of(op: str, kind: str, body: bytes | None = None, sanp: str = "3.8.0") -> Answer:
    """The Answer to `op` about the first notice of `kind` (the reference answer, or `body`)."""
    return answer(exchange(op, reference(op, kind, sanp) if body is None else body, request_for=kind), sanp)


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


def test_an_unqualified_description_is_not_judgeable() -> None:
    description = of(VERIFY, "payable", unqualified(reference(VERIFY, "payable")))
    with pytest.raises(
        NotJudgeable, match=r"^paVerifyPaymentNotice gave no paVerifyPaymentNoticeRes to judge"
    ):
        list(activation_agrees_with_description(description, of(V1, "payable")))


def test_violations_carry_no_rule_until_a_scenario_stamps_them() -> None:
    [v] = answers_ok(of(VERIFY, "expired"))
    assert isinstance(v, Violation) and v.rule == ""
