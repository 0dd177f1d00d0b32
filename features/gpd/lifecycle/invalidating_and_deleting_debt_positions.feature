@gpd @lifecycle
Feature: Invalidating and deleting debt positions
  In order that nobody pays a debt the institution has withdrawn
  As GPD
  I expect the partner's system to invalidate a published position, and to delete one never published

  @rule:CLIENT-002
  Rule: A position the institution withdraws is invalidated or deleted on the platform

    Scenario: Invalidating a published position
      Given a debt position with one payment option
      And the partner's system has created it, published at once
      When the partner's system invalidates it
      Then the platform holds it invalidated

    Scenario: Deleting a draft
      Given a debt position with one payment option
      And the partner's system has created it as a draft
      When the partner's system deletes it
      Then the platform holds it deleted
