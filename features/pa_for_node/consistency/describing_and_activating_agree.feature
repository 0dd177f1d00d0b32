@pa_for_node @consistency
Feature: Description and activation agree, however often the Node asks
  In order that the citizen pays exactly what they were shown
  As the Node
  I expect the same notice to be described and activated consistently, every time

  @rule:CROSS-001
  Scenario Outline: The activation asks for the amount the description announced
    Given a <kind> notice of the institution
    When the Node describes the notice
    And the Node activates the notice
    Then the activation asks for the amount the description announced

    Examples:
      | kind              |
      | payable           |
      | multi-beneficiary |

  @rule:CROSS-002
  Scenario Outline: The postal flag tells the truth about the accounts
    Given a <kind> notice of the institution
    When the Node describes the notice
    And the Node activates the notice
    Then the description's postal flag matches the transfers' accounts

    Examples:
      | kind              |
      | payable           |
      | postal            |
      | multi-beneficiary |

  @rule:REPEAT-001
  Scenario: Describing a notice twice
    Given a payable notice of the institution
    When the Node describes the notice twice
    Then both descriptions are the same

  @rule:REPEAT-002
  Scenario: Activating a notice twice, as the Node does after a lost answer
    Given a payable notice of the institution
    When the Node activates the notice twice
    Then both activations carry the same payment data
