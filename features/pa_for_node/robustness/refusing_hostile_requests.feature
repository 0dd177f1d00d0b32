@pa_for_node @security
Feature: Refusing hostile requests
  In order that a station cannot be turned against the platform or itself
  As the Node
  I send it requests an attacker would send, and expect a refusal in time and a station still standing

  These are pagoconf's hardening recommendations, not SANP's text: they count only with
  --profile hardening, and are reported as advice otherwise.

  Background:
    Given a payable notice of the institution
    And the station is up: the Node has described it

  @rule:SECURITY-001
  Rule: The station never fetches an external entity

    Scenario: A request naming an external entity
      When the Node describes the notice in a request that names an external entity
      And the Node then describes the notice normally
      Then the station refuses the hostile request in time
      And the station never fetched the entity
      And the station still answers

  @rule:SECURITY-002
  Rule: An entity-expansion bomb is refused in time

    Scenario: A request carrying an entity-expansion bomb
      When the Node describes the notice in a request carrying an entity-expansion bomb
      And the Node then describes the notice normally
      Then the station refuses the hostile request in time
      And the station still answers

  @rule:SECURITY-003
  Rule: An oversized request is refused in time

    Scenario: An oversized request
      When the Node describes the notice in a 10 MiB request
      And the Node then describes the notice normally
      Then the station refuses the hostile request in time
      And the station still answers

  @rule:SECURITY-004
  Rule: Deeply nested XML is refused in time

    Scenario: A request nested ten thousand levels deep
      When the Node describes the notice in a request nested 10,000 levels deep
      And the Node then describes the notice normally
      Then the station refuses the hostile request in time
      And the station still answers
