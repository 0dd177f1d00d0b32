@gpd @journal
Feature: Judging a recorded sandbox session
  In order to certify flows pagoconf cannot drive: the partner's own batches, back office and users
  As GPD, ACA and Checkout
  I judge every request the partner's system sent a sandbox it ran against (pagoconf sandbox --db FILE)

  Run with: pagoconf run --suite async --journal FILE. The rules only a driven scenario can judge (what the
  institution asked for, what the partner's system says it knows) are reported not run.

  Scenario: Every request and every sequence of the recorded session
    Given the sandbox journal the partner recorded
    When pagoconf judges every request it holds by the contract and the platform's rules
    Then the sequences it holds keep the client rules
