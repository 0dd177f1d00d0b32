@gpd @bulk @needs:bulk
Feature: Uploading debt positions in bulk
  In order that many debt positions reach the platform in one go
  As GPD
  I expect the partner's system to upload them in one file, and to learn each one's outcome from the report

  @rule:CLIENT-001 @rule:CLIENT-010
  Scenario: A file of debt positions the platform accepts
    Given 3 debt positions with one payment option
    When the partner's system uploads them in one file
    Then the file holds each of them as it was issued
    And the partner's system holds each one's outcome as the upload's report gives it
