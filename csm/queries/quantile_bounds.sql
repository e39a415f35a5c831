-- First and last day covered by tickets_quantiles (the days that have data when it was built).
SELECT min(period_start) AS first_day, max(period_end) AS last_day
FROM tickets_quantiles
WHERE kind = 'all'
