-- First and last day with contacts, and how many contacts the database holds.
SELECT CAST(min(created_at) AS DATE) AS first_day,
       CAST(max(created_at) AS DATE) AS last_day,
       count(*) AS contacts
FROM tickets
