@gpd @errors
Feature: Taking no for an answer
  In order not to flood the platform with changes it has already refused
  As GPD
  I expect the partner's system to take a refusal as final: the change must change before it is sent again

  @rule:CLIENT-005
  Rule: A change the platform refused is not sent again unchanged

    Scenario Outline: The platform refuses a creation with <status>
      Given a debt position with one payment option
      And the platform will refuse the next creations with <status>
      When the partner's system creates it
      Then the partner's system did not send the refused creation again

      Examples:
        | status |
        | 400    |
        | 409    |
        | 422    |

    Scenario: The platform does not know the position the partner publishes
      Given a debt position with one payment option
      And the partner's system has created it as a draft
      And the platform will refuse the next publications with 404
      When the partner's system publishes it
      Then the partner's system did not send the refused publication again
