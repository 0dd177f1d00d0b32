"""Positions, options and transfers as the GPD APIs answer them, shaped by the response schema of the
operation in the chosen SANP version (a field that version does not publish is left out)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pagoconf.platform.sandbox.contract import Contract, OperationSpec
from pagoconf.platform.sandbox.dates import wire
from pagoconf.platform.sandbox.positions import PaymentOption, Position, Transfer
from pagoconf.platform.sandbox.validation import resolve


def position_view(p: Position, *, strict: bool) -> dict[str, Any]:
    """Every field either form of a position has (PaymentPositionModel, PaymentPositionModelBaseResponse)."""
    d = p.debtor
    return _present(
        {
            "iupd": p.iupd,
            "organizationFiscalCode": p.organization,
            "type": d.type,
            "aca": p.aca,
            "payStandIn": p.pay_stand_in,
            "fiscalCode": d.fiscal_code,
            "fullName": d.full_name,
            "streetName": d.street_name,
            "civicNumber": d.civic_number,
            "postalCode": d.postal_code,
            "city": d.city,
            "province": d.province,
            "region": d.region,
            "country": d.country,
            "email": d.email,
            "phone": d.phone,
            "switchToExpired": p.switch_to_expired,
            "companyName": p.company_name,
            "officeName": p.office_name,
            "insertedDate": wire(p.inserted_date, strict=strict),
            "publishDate": wire(p.publish_date, strict=strict),
            "validityDate": wire(p.validity_date, strict=strict),
            "paymentDate": wire(p.payment_date, strict=strict),
            "lastUpdatedDate": wire(p.last_updated_date, strict=strict),
            "status": str(p.status),
            "paymentOption": [option_view(o, p.organization, strict=strict) for o in p.options],
        }
    )


def option_view(o: PaymentOption, organization: str, *, strict: bool) -> dict[str, Any]:
    """Every field either form of a payment option has."""
    return _present(
        {
            "nav": o.nav,
            "iuv": o.iuv,
            "organizationFiscalCode": organization,
            "amount": o.amount,
            "description": o.description,
            "isPartialPayment": o.is_partial_payment,
            "dueDate": wire(o.due_date, strict=strict),
            "retentionDate": wire(o.retention_date, strict=strict),
            "paymentDate": wire(o.payment_date, strict=strict),
            "reportingDate": wire(o.reporting_date, strict=strict),
            "insertedDate": wire(o.inserted_date, strict=strict),
            "paymentMethod": o.payment_method,
            "fee": o.fee,
            "notificationFee": o.notification_fee,
            "pspCompany": o.psp_company,
            "idReceipt": o.receipt_id,
            "status": str(o.status),
            "lastUpdatedDate": wire(o.last_updated_date, strict=strict),
            "paymentOptionMetadata": [{"key": k, "value": v} for k, v in o.metadata],
            "transfer": [transfer_view(t, strict=strict) for t in o.transfers],
        }
    )


def transfer_view(t: Transfer, *, strict: bool) -> dict[str, Any]:
    """Every field either form of a transfer has."""
    stamp = t.stamp
    return _present(
        {
            "organizationFiscalCode": t.organization_fiscal_code,
            "idTransfer": t.id_transfer,
            "amount": t.amount,
            "remittanceInformation": t.remittance_information,
            "category": t.category,
            "iban": t.iban,
            "postalIban": t.postal_iban,
            "stamp": None
            if stamp is None
            else {
                "hashDocument": stamp.hash_document,
                "stampType": stamp.stamp_type,
                "provincialResidence": stamp.provincial_residence,
            },
            "companyName": t.company_name,
            "insertedDate": wire(t.inserted_date, strict=strict),
            "status": str(t.status),
            "lastUpdatedDate": wire(t.last_updated_date, strict=strict),
            "transferMetadata": [{"key": k, "value": v} for k, v in t.metadata],
        }
    )


def shaped(contract: Contract, op: OperationSpec, status: int, value: Any) -> Any:
    """`value` with only the fields the response schema of `op` for `status` publishes."""
    content = op.responses.get(str(status), {}).get("content", {}).get("application/json", {})
    schema = content.get("schema")
    if schema is None or op.api not in contract.documents:
        return value
    components = contract.documents[op.api].get("components", {}).get("schemas", {})
    return prune(value, schema, components)


def prune(value: Any, schema: Any, components: Mapping[str, Any]) -> Any:
    """`value` cut down to the properties its schema names (free-form objects are kept whole)."""
    if not isinstance(value, (dict, list)):
        return value
    node = resolve(schema, components)
    if isinstance(value, dict):
        properties = node.get("properties")
        if not isinstance(properties, dict):
            return value
        return {k: prune(v, properties[k], components) for k, v in value.items() if k in properties}
    if isinstance(value, list) and isinstance(node.get("items"), dict):
        return [prune(v, node["items"], components) for v in value]
    return value


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
