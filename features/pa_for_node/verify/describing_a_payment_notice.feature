@pa_for_node @verify @paVerifyPaymentNotice
Feature: Describing a payment notice
  In order to tell the citizen what they owe before paying
  As the Node
  I ask the creditor institution's station to describe a notice

  Every answer is also held to the contract as a whole (the always-on rules: an HTTP 200 SOAP 1.1
  answer, valid against paForNode.xsd, on time, complete, with an outcome that agrees with its fault);
  a broken always-on rule is reported once, under its own name, not in every scenario.

  @rule:VERIFY-001
  Scenario Outline: A notice the citizen can pay is described with its amount
    Given a <kind> notice of the institution
    When the Node describes the notice
    Then the station describes it as payable

    Examples:
      | kind              |
      | payable           |
      | multi-beneficiary |
      | postal            |
