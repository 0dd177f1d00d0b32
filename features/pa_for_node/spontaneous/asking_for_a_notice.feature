@pa_for_node @spontaneous @needs:spontaneous
Feature: Asking for a notice for a service of the catalogue (spontaneous payment)
  In order that a citizen can pay for a service without a notice in hand
  As the Node
  I ask the creditor institution's station to create a notice from the service's data

  @rule:DEMAND-001
  Scenario: Valid service data create a notice
    Given valid data for a service of the institution's catalogue
    When the Node asks the station for a notice for that service
    Then the station creates the notice

  @rule:DEMAND-004
  Scenario: The created notice can be described and activated like any other
    Given valid data for a service of the institution's catalogue
    When the Node asks the station for a notice for that service
    And the Node takes the created notice
    And the Node describes the notice
    And the Node activates the notice
    Then the station knows the notice it created, for the amount it announced

  @rule:DEMAND-005
  Scenario: Service data that break the service's schema
    Given service data that break the service's schema
    When the Node asks the station for a notice for that service
    Then the station refuses the service data with fault "PAA_SINTASSI_XSD"
