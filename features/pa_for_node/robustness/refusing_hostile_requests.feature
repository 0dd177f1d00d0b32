@pa_for_node @security
Feature: Refusing hostile requests
  In order that a station cannot be turned against the platform or itself
  As the Node
  I send it requests an attacker would send, and expect a refusal in time and a station still standing

  Background:
    Given a payable notice of the institution
    And the station is up: the Node has described it

  @rule:SECURITY-001
  Scenario: A request naming an external entity
    When the Node describes the notice in a request that names an external entity
    And the Node then describes the notice normally
    Then the station refuses the hostile request in time
    And the station never fetched the entity
    And the station still answers

  @rule:SECURITY-002
  Scenario: A request carrying an entity-expansion bomb
    When the Node describes the notice in a request carrying an entity-expansion bomb
    And the Node then describes the notice normally
    Then the station refuses the hostile request in time
    And the station still answers

  @rule:SECURITY-003
  Scenario: An oversized request
    When the Node describes the notice in a 10 MiB request
    And the Node then describes the notice normally
    Then the station refuses the hostile request in time
    And the station still answers

  @rule:SECURITY-004
  Scenario: A request nested ten thousand levels deep
    When the Node describes the notice in a request nested 10,000 levels deep
    And the Node then describes the notice normally
    Then the station refuses the hostile request in time
    And the station still answers
