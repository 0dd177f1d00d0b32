@gpd @retries
Feature: Retrying when the platform is busy or failing
  In order that every change reaches the platform without overwhelming it
  As GPD
  I expect the partner's system to wait when asked to, to back off when the platform fails, and to give up in time

  @rule:CLIENT-006
  Scenario: The platform asks the partner to slow down
    Given a debt position with one payment option
    And the platform will answer the next creation with 429, asking to wait 1 second
    When the partner's system creates it
    Then the partner's system sent the creation again, after waiting as asked

  @rule:CLIENT-007
  Scenario: The platform keeps failing
    Given a debt position with one payment option
    And the platform will fail the next 8 creations with 500
    When the partner's system creates it
    Then the partner's system tried again with growing waits, at most 5 times

  @rule:CLIENT-008
  Scenario: The platform fails once, then recovers
    Given a debt position with one payment option
    And the platform will fail the next creation with 500
    When the partner's system creates it
    Then every attempt carried the same debt position
