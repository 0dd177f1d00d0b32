@gpd @positions
Feature: Creating debt positions
  In order that the citizen can pay what the institution is owed
  As GPD
  I expect the partner's system to create every debt position the institution issues, as it was issued

  The positions are drawn from the contract's PaymentPositionModel: seeded and few by default, many more with
  --hypothesis-profile deep; notice numbers, IBANs and amounts keep the platform's rules.

  @rule:CLIENT-001
  Rule: A debt position reaches the platform as the institution issued it, amounts in euro cents

    Scenario Outline: Debt positions <shape>
      Given debt positions <shape>
      When the partner's system creates each of them
      Then the platform holds each of them as it was issued

      Examples:
        | shape                                       |
        | with one payment option                     |
        | with several payment options                |
        | in installments                             |
        | with five transfers to several institutions |
        | crediting a postal account                  |
        | with an @e.bollo                            |
