-- Actual spend booked per window ($starts[i]..$ends[i], inclusive), one row per window index.
-- A month only partly in a window counts for the share of its days in the window. Team rows
-- count when no team is selected or the team is selected; shared rows (no team) only when no
-- team is selected. NULL when no month of the window has booked spend.
WITH w AS (
  SELECT unnest($starts::DATE[]) AS first_day,
         unnest($ends::DATE[]) AS last_day,
         unnest(range(len($starts::DATE[]))) AS window_index
)
SELECT w.window_index,
       sum(
         b.actual
         * (date_diff('day', greatest(b.month, w.first_day), least(last_day(b.month), w.last_day)) + 1)
         / (date_diff('day', b.month, last_day(b.month)) + 1)
       ) AS spend
FROM w
LEFT JOIN budget b
  ON b.actual IS NOT NULL
 AND b.month <= w.last_day
 AND last_day(b.month) >= w.first_day
 AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], b.team))
GROUP BY w.window_index
ORDER BY w.window_index
