@checkout @needs:checkout
Feature: Handing the citizen over to Checkout
  In order that the citizen pays on pagoPA's own page and comes back to the institution's site
  As Checkout
  I expect the partner's front end to hand over a cart of the notices being paid, and to answer at its return URLs

  @rule:CLIENT-012 @rule:CLIENT-013 @rule:CLIENT-014
  Scenario: The citizen pays two notices in one cart
    Given 2 debt positions with one payment option
    And the partner's system has created them, published at once
    When the partner's front end hands the citizen over to Checkout for their notices
    Then the cart names those notices, their amounts in euro cents, and the return URLs
    And every notice of the cart was published before the cart was sent
    When the citizen pays the cart on Checkout's page
    Then the citizen comes back to a page of the partner's front end
