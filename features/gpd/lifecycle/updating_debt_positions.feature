@gpd @lifecycle
Feature: Updating debt positions
  In order that the citizen pays what the institution is owed now
  As GPD
  I expect the partner's system to update a position while it can change, and never once it is paid

  @rule:CLIENT-001
  Rule: An update reaches the platform as the institution amended the position

    Scenario: Amending a position nobody has paid
      Given a debt position with one payment option
      And the partner's system has created it, published at once
      When the partner's system updates it with a new amount
      Then the platform holds it as it was amended

  @rule:CLIENT-003
  Rule: A paid position is never updated

    Scenario: Asked to amend a position the citizen has paid
      Given a debt position with one payment option
      And the partner's system has created it, published at once
      And the citizen has paid its notice
      When the partner's system is asked to update it with a new amount
      Then no update of the paid position reaches the platform
