@aca @needs:aca
Feature: Registering debt positions with ACA
  In order that the platform can serve a synchronous institution's notices even when its station is silent
  As ACA, the platform's archive of payment notices
  I expect the partner's system to register every debt position of the institution, and to keep it up to date

  @rule:CLIENT-011
  Rule: ACA holds every debt position as the institution holds it

    Scenario: A debt position registered, given a new amount, then cancelled
      Given an ACA registration of a new debt position
      When the partner's system registers it with ACA
      Then ACA holds it as it was issued
      When the partner's system registers its new amount with ACA
      Then ACA holds it as it was amended
      When the partner's system cancels its registration with ACA
      Then ACA holds it cancelled
