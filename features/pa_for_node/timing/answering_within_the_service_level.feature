@pa_for_node @timing
Feature: Answering within the service level
  In order that payments do not stall at the counter
  As the Node
  I expect the station to answer almost always within the service-level time (98 % within 2 s)

  @rule:TIME-002
  Scenario: Answers come within the service-level time
    Given a payable notice of the institution
    When the Node describes and activates the notice again and again
    Then the share of answers within the service-level time meets the target
