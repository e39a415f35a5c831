-- First and last day with contacts, read from the small team rollup (use only when it is current).
SELECT min(day) AS first_day, max(day) AS last_day
FROM tickets_daily_team
WHERE m_contacts > 0
