@pa_for_node @states
Feature: Refusing notices that cannot be paid
  In order that a citizen never pays what is not owed
  As the Node
  I expect the station to say why a notice cannot be paid, with the fault SANP defines

  @rule:STATE-001
  Rule: A notice the institution never issued is refused as unknown

    Scenario Outline: A notice the institution never issued
      Given a notice number the institution never issued
      When the Node <asks>
      Then the station refuses it with fault "PAA_PAGAMENTO_SCONOSCIUTO"

      Examples:
        | asks                 |
        | describes the notice |
        | activates the notice |

  @rule:STATE-002
  Rule: An expired notice is refused as expired

    Scenario Outline: An expired notice
      Given an expired notice of the institution
      When the Node <asks>
      Then the station refuses it with fault "PAA_PAGAMENTO_SCADUTO"

      Examples:
        | asks                 |
        | describes the notice |
        | activates the notice |

  @rule:STATE-003
  Rule: An annulled notice is refused as annulled

    Scenario Outline: An annulled notice
      Given an annulled notice of the institution
      When the Node <asks>
      Then the station refuses it with fault "PAA_PAGAMENTO_ANNULLATO"

      Examples:
        | asks                 |
        | describes the notice |
        | activates the notice |

  @rule:STATE-004
  Rule: A notice already paid is refused as paid

    Scenario Outline: A notice already paid
      Given a paid notice of the institution
      When the Node <asks>
      Then the station refuses it with fault "PAA_PAGAMENTO_DUPLICATO"

      Examples:
        | asks                 |
        | describes the notice |
        | activates the notice |
