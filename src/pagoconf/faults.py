"""The PAA_* fault codes a station may answer, per primitive (domain-brief §2.6)."""

from __future__ import annotations

CONFIGURATION = ("PAA_ID_DOMINIO_ERRATO", "PAA_ID_INTERMEDIARIO_ERRATO", "PAA_STAZIONE_INT_ERRATA")
GENERIC = ("PAA_SINTASSI_EXTRAXSD", "PAA_SEMANTICA", "PAA_SYSTEM_ERROR")
NOTICE_STATE = (
    "PAA_PAGAMENTO_SCONOSCIUTO",
    "PAA_PAGAMENTO_SCADUTO",
    "PAA_PAGAMENTO_ANNULLATO",
    "PAA_PAGAMENTO_DUPLICATO",
    "PAA_PAGAMENTO_IN_CORSO",
)

ALLOWED: dict[str, frozenset[str]] = {
    "paVerifyPaymentNotice": frozenset(NOTICE_STATE + CONFIGURATION + GENERIC),
    "paGetPayment": frozenset(NOTICE_STATE + CONFIGURATION + GENERIC),
    "paGetPaymentV2": frozenset(NOTICE_STATE + CONFIGURATION + GENERIC),
    "paSendRT": frozenset(
        ("PAA_PAGAMENTO_SCONOSCIUTO", "PAA_RECEIPT_DUPLICATA", "PAA_RT_DUPLICATA") + CONFIGURATION + GENERIC
    ),
    "paSendRTV2": frozenset(
        ("PAA_PAGAMENTO_SCONOSCIUTO", "PAA_RECEIPT_DUPLICATA", "PAA_RT_DUPLICATA") + CONFIGURATION + GENERIC
    ),
    "paDemandPaymentNotice": frozenset(
        ("PAA_PAGAMENTO_SCONOSCIUTO", "PAA_SINTASSI_XSD") + CONFIGURATION + GENERIC
    ),
}

MEANING = {
    "PAA_PAGAMENTO_SCONOSCIUTO": "Pagamento in attesa risulta sconosciuto all'Ente Creditore",
    "PAA_PAGAMENTO_SCADUTO": "Pagamento in attesa risulta scaduto all'Ente Creditore",
    "PAA_PAGAMENTO_ANNULLATO": "Pagamento in attesa risulta annullato all'Ente Creditore",
    "PAA_PAGAMENTO_DUPLICATO": "Pagamento in attesa risulta concluso all'Ente Creditore",
    "PAA_PAGAMENTO_IN_CORSO": "Pagamento in attesa risulta in corso all'Ente Creditore",
    "PAA_ID_DOMINIO_ERRATO": "La PAA non corrisponde al Dominio indicato",
    "PAA_ID_INTERMEDIARIO_ERRATO": "Identificativo intermediario non corrispondente",
    "PAA_STAZIONE_INT_ERRATA": "Stazione intermediario non corrispondente",
    "PAA_SINTASSI_EXTRAXSD": "Errore di sintassi extra XSD",
    "PAA_SINTASSI_XSD": "Errore di sintassi XSD",
    "PAA_SEMANTICA": "Errore semantico",
    "PAA_SYSTEM_ERROR": "Errore generico",
    "PAA_RECEIPT_DUPLICATA": "Receipt già ricevuta",
}
