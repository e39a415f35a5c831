-- Contacts created per day, on every channel or one ($channel NULL for all), from the daily rollup.
SELECT day, CAST(sum(m_contacts) AS BIGINT) AS contacts
FROM tickets_daily_team
WHERE $channel IS NULL OR channel = $channel
GROUP BY day
ORDER BY day
