@pa_for_node @robustness @property
Feature: Standing firm against any request
  In order that a station fails in production on nothing nobody thought of
  As the Node
  I send the station many generated requests (Hypothesis, from paForNode.xsd) and expect every answer to hold

  The number of requests comes from the Hypothesis profile: small and seeded by default,
  thousands with --hypothesis-profile deep. A failure is shrunk to the smallest request that shows it.

  @rule:ROBUST-003
  Rule: A request the schema allows is never refused as a syntax error

    Every answer is also held to the always-on rules (HTTP 200, SOAP 1.1, paForNode.xsd, in time…),
    each reported under its own name.

    Scenario: Any request the schema allows is answered, never refused as malformed
      Given requests the schema allows, with any content
      When the Node sends them to the station
      Then the station holds to the rule for every one of them

  @rule:ROBUST-001
  Rule: A request broken in one place gets the syntax fault

    Scenario: Any request broken in one place gets the syntax fault
      Given requests for the institution's notices, each broken in one place
      When the Node sends them to the station
      Then the station holds to the rule for every one of them

  @rule:STATE-001
  Rule: A notice the institution never issued is unknown, whatever its number

    Scenario: Any notice number the institution never issued is unknown to the station
      Given notice numbers the institution never issued, of every valid shape
      When the Node sends them to the station
      Then the station holds to the rule for every one of them

  @rule:ROBUST-002
  Rule: Namespace prefixes do not change the answer

    Scenario: Namespace prefixes do not change the answer
      Given a payable notice of the institution
      And the same request for it, spelled with other namespace prefixes
      When the Node sends them to the station
      Then the station holds to the rule for every one of them
