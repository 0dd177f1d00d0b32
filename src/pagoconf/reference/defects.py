"""Named defects the reference station can be started with, each breaking one catalogue rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Defect:
    """A deliberate deviation: the rule it breaks, what it does, and rules it unavoidably breaks too."""

    name: str
    rule: str
    description: str
    also: tuple[str, ...] = ()


DEFECTS: dict[str, Defect] = {
    d.name: d
    for d in (
        Defect(
            "verify-refuses-payable",
            "VERIFY-001",
            "Describing a payable notice is refused with PAA_SYSTEM_ERROR.",
        ),
        Defect(
            "activation-in-progress",
            "ACTIVATE-001",
            "Activating a payable notice is refused with PAA_PAGAMENTO_IN_CORSO, as if it were locked.",
        ),
        Defect(
            "status-500", "SOAP-001", "Every HTTP 200 answer uses HTTP status 500; the body is unchanged."
        ),
        Defect(
            "json-content-type",
            "SOAP-002",
            "Every answer is declared as application/json; the body is unchanged.",
        ),
        Defect(
            "soap-fault-on-activation",
            "SOAP-004",
            "Activating a payable notice is answered with a SOAP 1.1 Fault instead of the response element.",
        ),
        Defect(
            "unqualified-wrapper",
            "SOAP-003",
            "The verify OK answer's wrapper element carries no namespace.",
        ),
        Defect(
            "amounts-without-cents",
            "SCHEMA-001",
            "The verify amount is written without trailing zero decimals (120.5, 35).",
        ),
        Defect("ok-with-fault", "OUTCOME-001", "Every verify OK also carries a complete fault bean."),
        Defect("blank-fault-string", "FAULT-001", "Every fault has an empty faultString."),
        Defect(
            "invented-fault-code",
            "FAULT-002",
            "Expired notices are refused with the undocumented code PAA_PAGAMENTO_EXPIRED.",
            also=("STATE-002",),
        ),
        Defect("fault-id-is-station", "FAULT-003", "Every fault's id is the station id, not the EC's."),
        Defect("verify-without-company", "VERIFY-002", "The verify OK omits companyName."),
        Defect("options-any", "VERIFY-003", "The verify OK offers the payment option as ANY instead of EQ."),
        Defect(
            "verify-names-another-institution",
            "VERIFY-004",
            "The verify OK names fiscalCodePA 99999999999 instead of the EC asked about.",
        ),
        Defect("activation-without-data", "ACTIVATE-002", "The activation OK carries no payment data."),
        Defect(
            "creditor-reference-is-notice-number",
            "ACTIVATE-003",
            "creditorReferenceId is the 18-digit notice number instead of the IUV.",
        ),
        Defect("transfers-misnumbered", "ACTIVATE-004", "Transfers are numbered from 2 instead of 1."),
        Defect(
            "transfers-do-not-add-up",
            "ACTIVATE-005",
            "The first transfer is 1.00 higher, so transfers exceed the payment amount.",
        ),
        Defect(
            "iban-bad-checksum",
            "ACTIVATE-006",
            "Every IBAN's last digit is altered, so its mod-97 check fails.",
        ),
        Defect(
            "short-stamp-hash",
            "ACTIVATE-007",
            "The @e.bollo hashDocumento is a 16-byte digest instead of SHA-256.",
        ),
        Defect("duplicate-metadata-key", "ACTIVATE-008", "The payment metadata repeats one key."),
        Defect(
            "ignores-institution",
            "IDENTITY-001",
            "The idPA check is skipped, so other ECs' requests fall through to the notice lookup.",
            also=("DEMAND-003",),  # a demand for another EC then creates a notice for its own EC
        ),
        Defect("ignores-broker", "IDENTITY-002", "The idBrokerPA check is skipped."),
        Defect("ignores-station", "IDENTITY-003", "The idStation check is skipped."),
        Defect(
            "unknown-is-system-error",
            "STATE-001",
            "Unknown notices are refused with PAA_SYSTEM_ERROR.",
        ),
        Defect("expired-is-payable", "STATE-002", "Expired notices are answered as payable."),
        Defect(
            "annulled-is-unknown",
            "STATE-003",
            "Annulled notices are refused with PAA_PAGAMENTO_SCONOSCIUTO.",
        ),
        Defect(
            "paid-is-payable",
            "STATE-004",
            "Notices already paid are answered as payable.",
            also=("RECEIPT-003",),  # a notice closed by a receipt is a paid notice too
        ),
        Defect(
            "stale-verify-amount",
            "CROSS-001",
            "The verify amount is 1.00 lower than the amount activation asks for.",
        ),
        Defect("allccp-always-true", "CROSS-002", "allCCP is true for every notice, postal or not."),
        Defect(
            "unstable-description",
            "REPEAT-001",
            "Each verify adds a call counter to paymentDescription.",
        ),
        Defect(
            "unstable-activation",
            "REPEAT-002",
            "Each activation adds a call counter to the first transfer's remittanceInformation.",
        ),
        Defect("slow-verify", "TIME-001", "Every valid verify is answered only after `delay` seconds."),
        Defect("sluggish", "TIME-002", "Every 4th answer is delayed by `sluggish_delay` seconds."),
        Defect(
            "receipt-refused",
            "RECEIPT-001",
            "Receipts for a payable notice are refused with PAA_SYSTEM_ERROR and not kept.",
            also=("RECEIPT-006",),  # a stand-in receipt is a receipt: refused too
        ),
        Defect(
            "duplicate-receipt-refused",
            "RECEIPT-002",
            "A receipt already acknowledged, sent again, is refused with PAA_SEMANTICA.",
        ),
        Defect(
            "paid-stays-payable",
            "RECEIPT-003",
            "Receipts are acknowledged (OK) and kept, but the notice is never closed.",
        ),
        Defect(
            "receipt-for-unknown-accepted",
            "RECEIPT-004",
            "Receipts for notices the institution never issued are acknowledged with OK.",
        ),
        Defect(
            "invalid-receipt-accepted",
            "RECEIPT-005",
            "Receipts are not checked against paForNode.xsd: an invalid one is acknowledged with OK "
            "(identity still checked; OK even when its notice cannot be found, which a valid one is not).",
        ),
        Defect(
            "standin-refused",
            "RECEIPT-006",
            "A receipt flagged stand-in is refused with PAA_SEMANTICA.",
        ),
        Defect(
            "receipt-soap-fault",
            "SOAP-004",
            "Receipts are answered with a SOAP 1.1 Fault (HTTP 200) and not kept.",
        ),
        Defect(
            "slow-receipt", "TIME-001", "Valid receipts are answered after `delay` seconds (kept as usual)."
        ),
        Defect("demand-refused", "DEMAND-001", "Valid service data are refused with PAA_SYSTEM_ERROR."),
        Defect("demand-without-company", "DEMAND-002", "The demand OK omits companyName."),
        Defect(
            "demand-bad-check-digit",
            "DEMAND-003",
            "The created notice number has a wrong check digit (the notice is kept under that number).",
        ),
        Defect(
            "demand-notice-not-stored",
            "DEMAND-004",
            "The demand OK names a notice that is never kept, so describing it is PAA_PAGAMENTO_SCONOSCIUTO.",
        ),
        Defect(
            "demand-accepts-invalid-data",
            "DEMAND-005",
            "Service data that break the service's XSD still create a notice (OK).",
        ),
        Defect(
            "crashes-on-malformed-xml",
            "ROBUST-001",
            "A body that is not well-formed XML (no DOCTYPE, not merely too deep) gets HTTP 500, text/plain, "
            "'Internal Server Error'.",
        ),
        Defect(
            "ok-to-invalid-requests",
            "ROBUST-001",
            "Requests are not checked against paForNode.xsd (still parsed safely): a well-formed invalid "
            "request is handled as if valid, by whatever fields it has.",
            also=("RECEIPT-005",),  # an invalid receipt is an invalid request too
        ),
        Defect(
            "resolves-external-entities",
            "SECURITY-001",
            "A request with a DOCTYPE is also parsed loading the DTD and resolving entities over the network "
            "(the entity is fetched); the answer stays the syntax KO.",
        ),
        Defect(
            "hangs-on-entity-bomb",
            "SECURITY-002",
            "A request whose DOCTYPE declares internal entities is answered (KO as usual) only after `delay` "
            "seconds, as if expanding them.",
        ),
        Defect(
            "crashes-on-oversized",
            "SECURITY-003",
            "A body over 1 MiB gets HTTP 500 (text/plain 'Internal Server Error') instead of 413.",
        ),
        Defect(
            "hangs-on-deep-nesting",
            "SECURITY-004",
            "A request nested deeper than the parser's bound (256) is answered (KO as usual) only after "
            "`delay` seconds.",
        ),
        Defect(
            "prefix-sensitive",
            "ROBUST-002",
            "A request element not written with the prefix pafn (another prefix, or a default namespace) is "
            "refused with PAA_SINTASSI_EXTRAXSD.",
        ),
    )
}


def defect_names(names: Iterable[str]) -> frozenset[str]:
    """The given defect names as a frozenset, or a ValueError listing the known ones."""
    chosen = frozenset((names,) if isinstance(names, str) else names)
    unknown = sorted(chosen - DEFECTS.keys())
    if unknown:
        raise ValueError(f"unknown defect(s) {', '.join(unknown)}; known: {', '.join(DEFECTS)}")
    return chosen
