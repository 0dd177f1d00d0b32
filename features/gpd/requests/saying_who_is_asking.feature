@gpd @requests
Feature: Saying who is asking
  In order that the platform knows whose system calls, and both sides can find a request again
  As GPD
  I expect every request of the partner's system to carry the subscription key and an X-Request-Id

  @rule:GPD-003 @rule:CLIENT-009
  Scenario: Every request carries the subscription key and a request id
    Given a debt position with one payment option
    When the partner's system creates it, published at once
    And the partner's system is asked what it knows of the notice
    Then every request of the partner's system carried the subscription key
    And every request of the partner's system carried an X-Request-Id
