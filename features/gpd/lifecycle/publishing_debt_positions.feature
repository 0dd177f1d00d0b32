@gpd @lifecycle
Feature: Publishing debt positions
  In order that a debt position becomes payable
  As GPD
  I expect the partner's system to publish each position the institution publishes

  @rule:CLIENT-002
  Rule: A position the institution publishes is published on the platform

    Scenario: Publishing a draft
      Given a debt position with one payment option
      And the partner's system has created it as a draft
      When the partner's system publishes it
      Then the platform holds it published

    Scenario: Creating a position published at once
      Given a debt position with one payment option
      When the partner's system creates it, published at once
      Then the platform holds it published
