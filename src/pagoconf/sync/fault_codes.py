"""The PAA_* fault codes a station may answer, by set; each operation names its sets in rules.toml
(the error-handling pages of pagoPA, "Nodo -> EC" and "domino EC")."""

from __future__ import annotations

from pagoconf.engine.rules import operations

CONFIGURATION = ("PAA_ID_DOMINIO_ERRATO", "PAA_ID_INTERMEDIARIO_ERRATO", "PAA_STAZIONE_INT_ERRATA")
GENERIC = ("PAA_SINTASSI_EXTRAXSD", "PAA_SEMANTICA", "PAA_SYSTEM_ERROR")
NOTICE_STATE = (
    "PAA_PAGAMENTO_SCONOSCIUTO",
    "PAA_PAGAMENTO_SCADUTO",
    "PAA_PAGAMENTO_ANNULLATO",
    "PAA_PAGAMENTO_DUPLICATO",
    "PAA_PAGAMENTO_IN_CORSO",
)

SETS: dict[str, tuple[str, ...]] = {
    "notice_state": NOTICE_STATE,
    "configuration": CONFIGURATION,
    "generic": GENERIC,
    "receipt": ("PAA_PAGAMENTO_SCONOSCIUTO", "PAA_RECEIPT_DUPLICATA", "PAA_RT_DUPLICATA"),
    "demand": ("PAA_PAGAMENTO_SCONOSCIUTO", "PAA_SINTASSI_XSD"),
}


def allowed(operation: str) -> frozenset[str]:
    """The fault codes SANP defines for an operation (its `faults` sets in rules.toml)."""
    return frozenset(code for name in operations()[operation].data["faults"] for code in SETS[name])


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
