@gpd @receipts
Feature: Learning that a notice was paid
  In order that the institution closes a debt only once it is paid
  As GPD
  I expect the partner's system to read the receipt of a payment before it holds the notice paid

  @rule:CLIENT-004
  Rule: A notice is held paid once its receipt was read, and only then

    Scenario: A notice the citizen has paid
      Given a debt position with one payment option
      And the partner's system has created it, published at once
      And the citizen has paid its notice
      When the partner's system is asked what it knows of the notice
      Then it holds the notice paid, with the receipt it read

    Scenario: A notice nobody has paid
      Given a debt position with one payment option
      And the partner's system has created it, published at once
      When the partner's system is asked what it knows of the notice
      Then it does not hold the notice paid
