@pa_for_node @activate @paGetPayment
Feature: Activating a payment notice
  In order to take a payment for a notice
  As the Node
  I ask the creditor institution's station for the notice's payment data

  The station answers paGetPayment or paGetPaymentV2, as its primitive version says. What the payment
  data must hold (transfers that add up, valid IBANs, a stamp hash) is judged on every activation.

  @rule:ACTIVATE-001
  Scenario Outline: A notice the citizen can pay hands over its payment data
    Given a <kind> notice of the institution
    When the Node activates the notice
    Then the station hands over its payment data

    Examples:
      | kind              |
      | payable           |
      | multi-beneficiary |
      | postal            |

  @needs:bollo @rule:ACTIVATE-001
  Scenario: A notice with a digital stamp asks for the stamp instead of an account
    Given an @e.bollo notice of the institution
    When the Node activates the notice
    Then the station hands over its payment data
