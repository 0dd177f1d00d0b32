@pa_for_node @flows
Feature: Paying a notice, from description to receipt
  In order that a citizen can pay what they owe, once, and the institution knows it
  As the Node
  I take a notice through the whole payment: describe, activate, receipt

  @rule:RECEIPT-001 @rule:RECEIPT-003 @rule:CROSS-001
  Scenario Outline: Pay a notice from its description to its receipt
    Given a <kind> notice the citizen is about to pay
    When the Node describes the notice
    And the Node activates the notice
    And the Node sends the station the receipt of that payment
    And the Node describes the notice afterwards
    Then the activation asks for the amount the description announced
    And the station accepts the receipt
    And the notice is closed: the station answers "PAA_PAGAMENTO_DUPLICATO"

    Examples:
      | kind              |
      | payable           |
      | multi-beneficiary |

  @needs:bollo @rule:RECEIPT-001
  Scenario: Pay a notice with a digital stamp (@e.bollo)
    Given an @e.bollo notice the citizen is about to pay
    When the Node activates the notice
    And the Node sends the station the receipt of that payment
    Then the station accepts the receipt

  @rule:RECEIPT-003
  Scenario: Try to pay a notice twice
    Given a payable notice the citizen is about to pay
    And the Node has activated it
    When the Node sends the station the receipt of that payment
    And the Node activates the notice afterwards
    Then the notice is closed: the station answers "PAA_PAGAMENTO_DUPLICATO"

  @needs:spontaneous @rule:RECEIPT-001 @rule:RECEIPT-003
  Scenario: Pay for a service of the catalogue
    Given valid data for a service of the institution's catalogue
    When the Node asks the station for a notice for that service
    And the Node takes the created notice
    And the Node activates the notice
    And the Node sends the station the receipt of that payment
    And the Node describes the notice afterwards
    Then the station accepts the receipt
    And the notice is closed: the station answers "PAA_PAGAMENTO_DUPLICATO"
