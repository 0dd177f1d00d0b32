@pa_for_node @activate @paGetPayment
Feature: Activating a payment notice
  In order to take a payment for a notice
  As the Node
  I ask the creditor institution's station for the notice's payment data

  The station answers paGetPayment or paGetPaymentV2, as its primitive version says.

  @rule:ACTIVATE-001 @rule:ACTIVATE-002 @rule:ACTIVATE-003 @rule:ACTIVATE-004 @rule:ACTIVATE-005
  @rule:ACTIVATE-006 @rule:ACTIVATE-008
  @rule:SOAP-001 @rule:SOAP-002 @rule:SOAP-003 @rule:SOAP-004 @rule:SCHEMA-001 @rule:OUTCOME-001 @rule:TIME-001
  Scenario Outline: A notice the citizen can pay hands over its payment data
    Given a <kind> notice of the institution
    When the Node activates the notice
    Then the station hands over its payment data

    Examples:
      | kind              |
      | payable           |
      | multi-beneficiary |
      | postal            |

  @needs:bollo @rule:ACTIVATE-001 @rule:ACTIVATE-007
  Scenario: A notice with a digital stamp asks for the stamp instead of an account
    Given an @e.bollo notice of the institution
    When the Node activates the notice
    Then the station hands over its payment data
