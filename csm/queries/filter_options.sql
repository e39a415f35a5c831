-- Values offered by the shared filters: one row per dimension and value, with a display label.
SELECT 'team' AS dimension, team AS value, team AS label FROM (SELECT DISTINCT team FROM tickets_daily_team WHERE team IS NOT NULL)
UNION ALL
SELECT 'channel', channel, channel FROM (SELECT DISTINCT channel FROM tickets_daily_team)
UNION ALL
SELECT 'agent_id', d.agent_id, coalesce(a.name || ' (' || d.agent_id || ')', d.agent_id)
FROM (SELECT DISTINCT agent_id FROM tickets_daily WHERE agent_id IS NOT NULL) d
LEFT JOIN agents a USING (agent_id)
UNION ALL
SELECT 'category', category, category FROM (SELECT DISTINCT category FROM tickets WHERE category IS NOT NULL)
UNION ALL
SELECT 'priority', priority, priority FROM (SELECT DISTINCT priority FROM tickets WHERE priority IS NOT NULL)
ORDER BY dimension, label
