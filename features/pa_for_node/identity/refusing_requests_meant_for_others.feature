@pa_for_node @identity
Feature: Refusing requests meant for someone else
  In order that no one pays the wrong institution
  As the Node
  I expect a station to refuse requests that do not name its own institution, intermediary and station

  @rule:IDENTITY-001
  Rule: A request for an institution the station does not serve is refused

    Scenario Outline: A request for an institution the station does not serve
      Given a payable notice of the institution
      And the Node speaks for an institution the station does not serve
      When the Node <asks>
      Then the station refuses it with fault "PAA_ID_DOMINIO_ERRATO"

      Examples:
        | asks                 |
        | describes the notice |
        | activates the notice |

    Scenario: A receipt for an institution the station does not serve
      Given a payable notice the citizen is about to pay
      And the Node has activated it
      And the Node speaks for an institution the station does not serve
      When the Node sends the station the receipt of that payment
      Then the station refuses it with fault "PAA_ID_DOMINIO_ERRATO"

    @needs:spontaneous
    Scenario: A request for a spontaneous payment for an institution the station does not serve
      Given valid data for a service of the institution's catalogue
      And the Node speaks for an institution the station does not serve
      When the Node asks the station for a notice for that service
      Then the station refuses it with fault "PAA_ID_DOMINIO_ERRATO"

  @rule:IDENTITY-002
  Rule: A request through another intermediary is refused

    Scenario Outline: A request through another intermediary
      Given a payable notice of the institution
      And the Node comes through another intermediary
      When the Node <asks>
      Then the station refuses it with fault "PAA_ID_INTERMEDIARIO_ERRATO"

      Examples:
        | asks                 |
        | describes the notice |
        | activates the notice |

    Scenario: A receipt through another intermediary
      Given a payable notice the citizen is about to pay
      And the Node has activated it
      And the Node comes through another intermediary
      When the Node sends the station the receipt of that payment
      Then the station refuses it with fault "PAA_ID_INTERMEDIARIO_ERRATO"

    @needs:spontaneous
    Scenario: A request for a spontaneous payment through another intermediary
      Given valid data for a service of the institution's catalogue
      And the Node comes through another intermediary
      When the Node asks the station for a notice for that service
      Then the station refuses it with fault "PAA_ID_INTERMEDIARIO_ERRATO"

  @rule:IDENTITY-003
  Rule: A request meant for another station is refused

    Scenario Outline: A request meant for another station
      Given a payable notice of the institution
      And the Node addresses another station
      When the Node <asks>
      Then the station refuses it with fault "PAA_STAZIONE_INT_ERRATA"

      Examples:
        | asks                 |
        | describes the notice |
        | activates the notice |

    Scenario: A receipt meant for another station
      Given a payable notice the citizen is about to pay
      And the Node has activated it
      And the Node addresses another station
      When the Node sends the station the receipt of that payment
      Then the station refuses it with fault "PAA_STAZIONE_INT_ERRATA"

    @needs:spontaneous
    Scenario: A request for a spontaneous payment meant for another station
      Given valid data for a service of the institution's catalogue
      And the Node addresses another station
      When the Node asks the station for a notice for that service
      Then the station refuses it with fault "PAA_STAZIONE_INT_ERRATA"
