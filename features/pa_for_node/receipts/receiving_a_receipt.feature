@pa_for_node @receipts
Feature: Receiving the receipt of a payment
  In order that a paid debt is closed, exactly once
  As the Node
  I send the creditor institution's station the receipt of every payment (paSendRT or paSendRTV2)

  Receipts are built the way the platform builds them, from the station's own payment data.

  @rule:RECEIPT-001 @rule:RECEIPT-003
  Scenario: A paid notice is closed by its receipt
    Given a payable notice the citizen is about to pay
    And the Node has activated it
    When the Node sends the station the receipt of that payment
    And the Node describes the notice afterwards
    Then the station accepts the receipt
    And the notice is closed: the station answers "PAA_PAGAMENTO_DUPLICATO"

  @rule:RECEIPT-002 @rule:RECEIPT-003
  Scenario: The same receipt again, after the Node lost the answer
    Given a payable notice the citizen is about to pay
    And the Node has activated it
    When the Node sends the station the receipt of that payment
    And the Node sends the same receipt again
    And the Node activates the notice afterwards
    Then the station acknowledges the receipt again
    And the notice is closed: the station answers "PAA_PAGAMENTO_DUPLICATO"

  @rule:RECEIPT-005
  Scenario: A receipt that breaks the schema
    Given a payable notice the citizen is about to pay
    And the Node has activated it
    When the Node sends the station a receipt that breaks paForNode.xsd
    Then the station refuses the receipt with a syntax fault

  @rule:RECEIPT-006
  Scenario: A receipt of a payment taken in stand-in
    Given a payable notice the citizen is about to pay
    And the Node has activated it
    When the Node sends the station the stand-in receipt of that payment
    Then the station accepts the stand-in receipt

  @rule:RECEIPT-004
  Rule: A receipt for a notice the institution never issued is refused

    Scenario: A receipt for a notice the institution never issued
      Given a notice number the institution never issued
      When the Node sends the station a receipt for it
      Then the station refuses it with fault "PAA_PAGAMENTO_SCONOSCIUTO"
