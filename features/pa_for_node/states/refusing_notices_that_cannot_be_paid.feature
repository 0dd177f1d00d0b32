@pa_for_node @states
Feature: Refusing notices that cannot be paid
  In order that a citizen never pays what is not owed
  As the Node
  I expect the station to say why a notice cannot be paid, with the fault SANP defines

  @rule:STATE-001 @rule:FAULT-001 @rule:FAULT-002 @rule:FAULT-003
  Scenario Outline: A notice the institution never issued
    Given a notice number the institution never issued
    When the Node <asks>
    Then the station refuses it with fault "PAA_PAGAMENTO_SCONOSCIUTO"

    Examples:
      | asks                 |
      | describes the notice |
      | activates the notice |

  @rule:STATE-002 @rule:FAULT-001 @rule:FAULT-002 @rule:FAULT-003
  Scenario Outline: An expired notice
    Given an expired notice of the institution
    When the Node <asks>
    Then the station refuses it with fault "PAA_PAGAMENTO_SCADUTO"

    Examples:
      | asks                 |
      | describes the notice |
      | activates the notice |

  @rule:STATE-003 @rule:FAULT-001 @rule:FAULT-002 @rule:FAULT-003
  Scenario Outline: An annulled notice
    Given an annulled notice of the institution
    When the Node <asks>
    Then the station refuses it with fault "PAA_PAGAMENTO_ANNULLATO"

    Examples:
      | asks                 |
      | describes the notice |
      | activates the notice |

  @rule:STATE-004 @rule:FAULT-001 @rule:FAULT-002 @rule:FAULT-003
  Scenario Outline: A notice already paid
    Given a paid notice of the institution
    When the Node <asks>
    Then the station refuses it with fault "PAA_PAGAMENTO_DUPLICATO"

    Examples:
      | asks                 |
      | describes the notice |
      | activates the notice |
