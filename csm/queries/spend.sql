-- Actual spend booked for $start..$end (inclusive). A month only partly in the range counts
-- for the share of its days in the range. Team rows count when no team is selected or the
-- team is selected; shared rows (no team) only when no team is selected.
-- NULL when no month of the range has booked spend.
SELECT sum(
         actual
         * (date_diff('day', greatest(month, $start), least(last_day(month), $end)) + 1)
         / (date_diff('day', month, last_day(month)) + 1)
       ) AS spend
FROM budget
WHERE actual IS NOT NULL
  AND month <= $end
  AND last_day(month) >= $start
  AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], team))
