CREATE OR REPLACE TABLE tickets_daily AS
SELECT day, "team", "channel", "agent_id",
       CAST(sum("m_contacts") AS DOUBLE) AS "m_contacts",
       CAST(sum("m_resolved") AS DOUBLE) AS "m_resolved",
       CAST(sum("m_csat_responses") AS DOUBLE) AS "m_csat_responses",
       CAST(sum("m_csat_satisfied") AS DOUBLE) AS "m_csat_satisfied",
       CAST(sum("m_csat_sum") AS DOUBLE) AS "m_csat_sum",
       CAST(sum("m_nps_responses") AS DOUBLE) AS "m_nps_responses",
       CAST(sum("m_nps_net") AS DOUBLE) AS "m_nps_net",
       CAST(sum("m_fcr_known") AS DOUBLE) AS "m_fcr_known",
       CAST(sum("m_fcr_yes") AS DOUBLE) AS "m_fcr_yes",
       CAST(sum("m_handle_time_sum_s") AS DOUBLE) AS "m_handle_time_sum_s",
       CAST(sum("m_handle_time_count") AS DOUBLE) AS "m_handle_time_count",
       CAST(sum("m_offered") AS DOUBLE) AS "m_offered",
       CAST(sum("m_answered") AS DOUBLE) AS "m_answered",
       CAST(sum("m_abandoned") AS DOUBLE) AS "m_abandoned",
       CAST(sum("m_service_level_offered") AS DOUBLE) AS "m_service_level_offered",
       CAST(sum("m_answered_in_threshold") AS DOUBLE) AS "m_answered_in_threshold",
       CAST(sum("m_answered_wait_sum_s") AS DOUBLE) AS "m_answered_wait_sum_s",
       CAST(sum("m_answered_wait_count") AS DOUBLE) AS "m_answered_wait_count",
       CAST(sum("m_sla_known") AS DOUBLE) AS "m_sla_known",
       CAST(sum("m_sla_met") AS DOUBLE) AS "m_sla_met",
       CAST(sum("m_reopen_known") AS DOUBLE) AS "m_reopen_known",
       CAST(sum("m_reopened") AS DOUBLE) AS "m_reopened",
       CAST(sum("m_escalation_known") AS DOUBLE) AS "m_escalation_known",
       CAST(sum("m_escalated") AS DOUBLE) AS "m_escalated",
       CAST(sum("m_reassignment_known") AS DOUBLE) AS "m_reassignment_known",
       CAST(sum("m_reassigned") AS DOUBLE) AS "m_reassigned",
       CAST(sum("m_bot_known") AS DOUBLE) AS "m_bot_known",
       CAST(sum("m_bot_resolved") AS DOUBLE) AS "m_bot_resolved",
       CAST(sum("m_qa_sum") AS DOUBLE) AS "m_qa_sum",
       CAST(sum("m_qa_count") AS DOUBLE) AS "m_qa_count",
       CAST(sum(backlog_in) AS DOUBLE) AS backlog_in,
       CAST(sum(backlog_out) AS DOUBLE) AS backlog_out
FROM (
  SELECT CAST(created_at AS DATE) AS day, "team", "channel", "agent_id",
         1 AS "m_contacts",
         CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END AS "m_resolved",
         CASE WHEN csat_score IS NOT NULL THEN 1 ELSE 0 END AS "m_csat_responses",
         CASE WHEN csat_score >= 4 THEN 1 ELSE 0 END AS "m_csat_satisfied",
         csat_score AS "m_csat_sum",
         CASE WHEN nps_score IS NOT NULL THEN 1 ELSE 0 END AS "m_nps_responses",
         CASE WHEN nps_score >= 9 THEN 1 WHEN nps_score <= 6 THEN -1 ELSE 0 END AS "m_nps_net",
         CASE WHEN is_fcr IS NOT NULL AND is_answered IS DISTINCT FROM FALSE THEN 1 ELSE 0 END AS "m_fcr_known",
         CASE WHEN is_fcr AND is_answered IS DISTINCT FROM FALSE THEN 1 ELSE 0 END AS "m_fcr_yes",
         CASE WHEN is_answered IS DISTINCT FROM FALSE THEN handle_time_s END AS "m_handle_time_sum_s",
         CASE WHEN handle_time_s IS NOT NULL AND is_answered IS DISTINCT FROM FALSE THEN 1 ELSE 0 END AS "m_handle_time_count",
         CASE WHEN is_answered IS NOT NULL THEN 1 ELSE 0 END AS "m_offered",
         CASE WHEN is_answered THEN 1 ELSE 0 END AS "m_answered",
         CASE WHEN NOT is_answered THEN 1 ELSE 0 END AS "m_abandoned",
         CASE WHEN NOT is_answered OR (is_answered AND wait_time_s IS NOT NULL) THEN 1 ELSE 0 END AS "m_service_level_offered",
         CASE WHEN is_answered AND wait_time_s <= $service_level_threshold_s THEN 1 ELSE 0 END AS "m_answered_in_threshold",
         CASE WHEN is_answered THEN wait_time_s END AS "m_answered_wait_sum_s",
         CASE WHEN is_answered AND wait_time_s IS NOT NULL THEN 1 ELSE 0 END AS "m_answered_wait_count",
         CASE WHEN is_sla_met IS NOT NULL THEN 1 ELSE 0 END AS "m_sla_known",
         CASE WHEN is_sla_met THEN 1 ELSE 0 END AS "m_sla_met",
         CASE WHEN reopen_count IS NOT NULL THEN 1 ELSE 0 END AS "m_reopen_known",
         CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END AS "m_reopened",
         CASE WHEN is_escalated IS NOT NULL THEN 1 ELSE 0 END AS "m_escalation_known",
         CASE WHEN is_escalated THEN 1 ELSE 0 END AS "m_escalated",
         CASE WHEN reassignment_count IS NOT NULL THEN 1 ELSE 0 END AS "m_reassignment_known",
         CASE WHEN reassignment_count > 0 THEN 1 ELSE 0 END AS "m_reassigned",
         CASE WHEN is_resolved_by_bot IS NOT NULL THEN 1 ELSE 0 END AS "m_bot_known",
         CASE WHEN is_resolved_by_bot THEN 1 ELSE 0 END AS "m_bot_resolved",
         qa_score AS "m_qa_sum",
         CASE WHEN qa_score IS NOT NULL THEN 1 ELSE 0 END AS "m_qa_count",
         CASE WHEN is_answered IS DISTINCT FROM FALSE THEN 1 ELSE 0 END AS backlog_in, 0 AS backlog_out
  FROM tickets
  UNION ALL
  SELECT CAST(greatest(created_at, resolved_at) AS DATE), "team", "channel", "agent_id", NULL AS "m_contacts", NULL AS "m_resolved", NULL AS "m_csat_responses", NULL AS "m_csat_satisfied", NULL AS "m_csat_sum", NULL AS "m_nps_responses", NULL AS "m_nps_net", NULL AS "m_fcr_known", NULL AS "m_fcr_yes", NULL AS "m_handle_time_sum_s", NULL AS "m_handle_time_count", NULL AS "m_offered", NULL AS "m_answered", NULL AS "m_abandoned", NULL AS "m_service_level_offered", NULL AS "m_answered_in_threshold", NULL AS "m_answered_wait_sum_s", NULL AS "m_answered_wait_count", NULL AS "m_sla_known", NULL AS "m_sla_met", NULL AS "m_reopen_known", NULL AS "m_reopened", NULL AS "m_escalation_known", NULL AS "m_escalated", NULL AS "m_reassignment_known", NULL AS "m_reassigned", NULL AS "m_bot_known", NULL AS "m_bot_resolved", NULL AS "m_qa_sum", NULL AS "m_qa_count", 0, 1
  FROM tickets WHERE is_answered IS DISTINCT FROM FALSE AND resolved_at IS NOT NULL
)
GROUP BY ALL
ORDER BY day;

CREATE OR REPLACE TABLE tickets_daily_team AS
SELECT day, "team", "channel", sum("m_contacts") AS "m_contacts", sum("m_resolved") AS "m_resolved", sum("m_csat_responses") AS "m_csat_responses", sum("m_csat_satisfied") AS "m_csat_satisfied", sum("m_csat_sum") AS "m_csat_sum", sum("m_nps_responses") AS "m_nps_responses", sum("m_nps_net") AS "m_nps_net", sum("m_fcr_known") AS "m_fcr_known", sum("m_fcr_yes") AS "m_fcr_yes", sum("m_handle_time_sum_s") AS "m_handle_time_sum_s", sum("m_handle_time_count") AS "m_handle_time_count", sum("m_offered") AS "m_offered", sum("m_answered") AS "m_answered", sum("m_abandoned") AS "m_abandoned", sum("m_service_level_offered") AS "m_service_level_offered", sum("m_answered_in_threshold") AS "m_answered_in_threshold", sum("m_answered_wait_sum_s") AS "m_answered_wait_sum_s", sum("m_answered_wait_count") AS "m_answered_wait_count", sum("m_sla_known") AS "m_sla_known", sum("m_sla_met") AS "m_sla_met", sum("m_reopen_known") AS "m_reopen_known", sum("m_reopened") AS "m_reopened", sum("m_escalation_known") AS "m_escalation_known", sum("m_escalated") AS "m_escalated", sum("m_reassignment_known") AS "m_reassignment_known", sum("m_reassigned") AS "m_reassigned", sum("m_bot_known") AS "m_bot_known", sum("m_bot_resolved") AS "m_bot_resolved", sum("m_qa_sum") AS "m_qa_sum", sum("m_qa_count") AS "m_qa_count", sum(backlog_in) AS backlog_in, sum(backlog_out) AS backlog_out
FROM tickets_daily
GROUP BY ALL
ORDER BY day;

CREATE OR REPLACE TABLE tickets_quantiles AS
WITH b AS (SELECT CAST(min(created_at) AS DATE) AS first_day, CAST(max(created_at) AS DATE) AS last_day FROM tickets),
c AS (
  SELECT CASE WHEN grouping(m) = 0 THEN 'month' WHEN grouping(q) = 0 THEN 'quarter' WHEN grouping(y) = 0 THEN 'year' ELSE 'all' END AS kind, CAST(coalesce(m, q, y) AS DATE) AS period,
         grouping(team) = 1 AS all_teams, grouping(channel) = 1 AS all_channels, team, channel,
         quantile_cont((epoch_us(first_response_at) - epoch_us(created_at)) // 1000000, [0.5, 0.9]) FILTER (WHERE first_response_at IS NOT NULL) AS q0,
         quantile_cont((epoch_us(resolved_at) - epoch_us(created_at)) // 1000000, [0.5]) FILTER (WHERE resolved_at IS NOT NULL) AS q1
  FROM (SELECT *, date_trunc('month', created_at) AS m, date_trunc('quarter', created_at) AS q,
               date_trunc('year', created_at) AS y FROM tickets)
  GROUP BY GROUPING SETS ((m), (m, team), (m, channel), (q), (q, team), (q, channel), (y), (y, team), (y, channel), (), (team), (channel))
)
SELECT kind, greatest(coalesce(period, b.first_day), b.first_day) AS period_start,
       least(CASE kind WHEN 'month' THEN CAST(period + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) WHEN 'quarter' THEN CAST(period + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE) WHEN 'year' THEN CAST(period + INTERVAL 1 YEAR - INTERVAL 1 DAY AS DATE) ELSE b.last_day END, b.last_day) AS period_end,
       all_teams, all_channels, team, channel,
       q0[1] AS "frt_median_s",
       q0[2] AS "frt_p90_s",
       q1[1] AS "resolution_median_s"
FROM c, b;
