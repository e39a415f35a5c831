SELECT "window",
       coalesce("m_contacts", 0) AS "contacts",
       coalesce("m_resolved", 0) AS "resolved",
       "m_csat_satisfied" / nullif("m_csat_responses", 0) AS "csat",
       "m_csat_sum" / nullif("m_csat_responses", 0) AS "csat_avg",
       "m_nps_net" / nullif("m_nps_responses", 0) * 100.0 AS "nps",
       "m_fcr_yes" / nullif("m_fcr_known", 0) AS "fcr_rate",
       "m_handle_time_sum_s" / nullif("m_handle_time_count", 0) AS "aht_s",
       "m_answered_in_threshold" / nullif("m_service_level_offered", 0) AS "service_level",
       "m_answered_wait_sum_s" / nullif("m_answered_wait_count", 0) AS "asa_s",
       "m_answered" / nullif("m_offered", 0) AS "answer_rate",
       "m_abandoned" / nullif("m_offered", 0) AS "abandon_rate",
       "m_sla_met" / nullif("m_sla_known", 0) AS "sla_rate",
       "m_reopened" / nullif("m_reopen_known", 0) AS "reopen_rate",
       "m_escalated" / nullif("m_escalation_known", 0) AS "escalation_rate",
       "m_reassigned" / nullif("m_reassignment_known", 0) AS "reassignment_rate",
       "m_bot_resolved" / nullif("m_bot_known", 0) AS "bot_resolution_rate",
       "m_qa_sum" / nullif("m_qa_count", 0) AS "qa_score",
       coalesce("m_contacts", 0) AS "cost_per_contact",
       coalesce("m_resolved", 0) AS "cost_per_resolved"
FROM (
  SELECT CASE WHEN (created_at >= $w0_start AND created_at < $w0_end) THEN 0 WHEN (created_at >= $w1_start AND created_at < $w1_end) THEN 1 END AS "window",
         sum(1) AS "m_contacts",
         sum(CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS "m_resolved",
         sum(CASE WHEN csat_score >= 4 THEN 1 ELSE 0 END) AS "m_csat_satisfied",
         sum(CASE WHEN csat_score IS NOT NULL THEN 1 ELSE 0 END) AS "m_csat_responses",
         sum(csat_score) AS "m_csat_sum",
         sum(CASE WHEN nps_score >= 9 THEN 1 WHEN nps_score <= 6 THEN -1 ELSE 0 END) AS "m_nps_net",
         sum(CASE WHEN nps_score IS NOT NULL THEN 1 ELSE 0 END) AS "m_nps_responses",
         sum(CASE WHEN is_fcr AND is_answered IS DISTINCT FROM FALSE THEN 1 ELSE 0 END) AS "m_fcr_yes",
         sum(CASE WHEN is_fcr IS NOT NULL AND is_answered IS DISTINCT FROM FALSE THEN 1 ELSE 0 END) AS "m_fcr_known",
         sum(CASE WHEN is_answered IS DISTINCT FROM FALSE THEN handle_time_s END) AS "m_handle_time_sum_s",
         sum(CASE WHEN handle_time_s IS NOT NULL AND is_answered IS DISTINCT FROM FALSE THEN 1 ELSE 0 END) AS "m_handle_time_count",
         sum(CASE WHEN is_answered AND wait_time_s <= $service_level_threshold_s THEN 1 ELSE 0 END) AS "m_answered_in_threshold",
         sum(CASE WHEN NOT is_answered OR (is_answered AND wait_time_s IS NOT NULL) THEN 1 ELSE 0 END) AS "m_service_level_offered",
         sum(CASE WHEN is_answered THEN wait_time_s END) AS "m_answered_wait_sum_s",
         sum(CASE WHEN is_answered AND wait_time_s IS NOT NULL THEN 1 ELSE 0 END) AS "m_answered_wait_count",
         sum(CASE WHEN is_answered THEN 1 ELSE 0 END) AS "m_answered",
         sum(CASE WHEN is_answered IS NOT NULL THEN 1 ELSE 0 END) AS "m_offered",
         sum(CASE WHEN NOT is_answered THEN 1 ELSE 0 END) AS "m_abandoned",
         sum(CASE WHEN is_sla_met THEN 1 ELSE 0 END) AS "m_sla_met",
         sum(CASE WHEN is_sla_met IS NOT NULL THEN 1 ELSE 0 END) AS "m_sla_known",
         sum(CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END) AS "m_reopened",
         sum(CASE WHEN reopen_count IS NOT NULL THEN 1 ELSE 0 END) AS "m_reopen_known",
         sum(CASE WHEN is_escalated THEN 1 ELSE 0 END) AS "m_escalated",
         sum(CASE WHEN is_escalated IS NOT NULL THEN 1 ELSE 0 END) AS "m_escalation_known",
         sum(CASE WHEN reassignment_count > 0 THEN 1 ELSE 0 END) AS "m_reassigned",
         sum(CASE WHEN reassignment_count IS NOT NULL THEN 1 ELSE 0 END) AS "m_reassignment_known",
         sum(CASE WHEN is_resolved_by_bot THEN 1 ELSE 0 END) AS "m_bot_resolved",
         sum(CASE WHEN is_resolved_by_bot IS NOT NULL THEN 1 ELSE 0 END) AS "m_bot_known",
         sum(qa_score) AS "m_qa_sum",
         sum(CASE WHEN qa_score IS NOT NULL THEN 1 ELSE 0 END) AS "m_qa_count"
  FROM "tickets"
  WHERE ((created_at >= $w0_start AND created_at < $w0_end) OR (created_at >= $w1_start AND created_at < $w1_end))
  GROUP BY "window"
)

-- rollup
SELECT "window",
       bucket,
       coalesce("m_contacts", 0) AS "contacts",
       coalesce("m_resolved", 0) AS "resolved",
       "m_csat_satisfied" / nullif("m_csat_responses", 0) AS "csat",
       "m_csat_sum" / nullif("m_csat_responses", 0) AS "csat_avg",
       "m_nps_net" / nullif("m_nps_responses", 0) * 100.0 AS "nps",
       "m_fcr_yes" / nullif("m_fcr_known", 0) AS "fcr_rate",
       "m_handle_time_sum_s" / nullif("m_handle_time_count", 0) AS "aht_s",
       "m_answered_in_threshold" / nullif("m_service_level_offered", 0) AS "service_level",
       "m_answered_wait_sum_s" / nullif("m_answered_wait_count", 0) AS "asa_s",
       "m_answered" / nullif("m_offered", 0) AS "answer_rate",
       "m_abandoned" / nullif("m_offered", 0) AS "abandon_rate",
       "m_sla_met" / nullif("m_sla_known", 0) AS "sla_rate",
       "m_reopened" / nullif("m_reopen_known", 0) AS "reopen_rate",
       "m_escalated" / nullif("m_escalation_known", 0) AS "escalation_rate",
       "m_reassigned" / nullif("m_reassignment_known", 0) AS "reassignment_rate",
       "m_bot_resolved" / nullif("m_bot_known", 0) AS "bot_resolution_rate",
       "m_qa_sum" / nullif("m_qa_count", 0) AS "qa_score",
       coalesce("m_contacts", 0) AS "cost_per_contact",
       coalesce("m_resolved", 0) AS "cost_per_resolved"
FROM (
  SELECT CASE WHEN (day >= $w0_start AND day < $w0_end) THEN 0 WHEN (day >= $w1_start AND day < $w1_end) THEN 1 END AS "window",
         CAST(date_trunc('week', day) AS DATE) AS bucket,
         sum("m_contacts") AS "m_contacts",
         sum("m_resolved") AS "m_resolved",
         sum("m_csat_satisfied") AS "m_csat_satisfied",
         sum("m_csat_responses") AS "m_csat_responses",
         sum("m_csat_sum") AS "m_csat_sum",
         sum("m_nps_net") AS "m_nps_net",
         sum("m_nps_responses") AS "m_nps_responses",
         sum("m_fcr_yes") AS "m_fcr_yes",
         sum("m_fcr_known") AS "m_fcr_known",
         sum("m_handle_time_sum_s") AS "m_handle_time_sum_s",
         sum("m_handle_time_count") AS "m_handle_time_count",
         sum("m_answered_in_threshold") AS "m_answered_in_threshold",
         sum("m_service_level_offered") AS "m_service_level_offered",
         sum("m_answered_wait_sum_s") AS "m_answered_wait_sum_s",
         sum("m_answered_wait_count") AS "m_answered_wait_count",
         sum("m_answered") AS "m_answered",
         sum("m_offered") AS "m_offered",
         sum("m_abandoned") AS "m_abandoned",
         sum("m_sla_met") AS "m_sla_met",
         sum("m_sla_known") AS "m_sla_known",
         sum("m_reopened") AS "m_reopened",
         sum("m_reopen_known") AS "m_reopen_known",
         sum("m_escalated") AS "m_escalated",
         sum("m_escalation_known") AS "m_escalation_known",
         sum("m_reassigned") AS "m_reassigned",
         sum("m_reassignment_known") AS "m_reassignment_known",
         sum("m_bot_resolved") AS "m_bot_resolved",
         sum("m_bot_known") AS "m_bot_known",
         sum("m_qa_sum") AS "m_qa_sum",
         sum("m_qa_count") AS "m_qa_count"
  FROM tickets_daily_team
  WHERE ((day >= $w0_start AND day < $w0_end) OR (day >= $w1_start AND day < $w1_end))
    AND list_contains($f_team::VARCHAR[], "team")
  GROUP BY "window", bucket
)

-- quantiles
SELECT "window",
       q0[1] AS "frt_median_s",
       q0[2] AS "frt_p90_s",
       q1[1] AS "resolution_median_s"
FROM (
  SELECT CASE WHEN (created_at >= $w0_start AND created_at < $w0_end) THEN 0 WHEN (created_at >= $w1_start AND created_at < $w1_end) THEN 1 END AS "window",
         quantile_cont((epoch_us(first_response_at) - epoch_us(created_at)) // 1000000, [0.5, 0.9]) FILTER (WHERE first_response_at IS NOT NULL) AS q0,
         quantile_cont((epoch_us(resolved_at) - epoch_us(created_at)) // 1000000, [0.5]) FILTER (WHERE resolved_at IS NOT NULL) AS q1
  FROM tickets
  WHERE ((created_at >= $w0_start AND created_at < $w0_end) OR (created_at >= $w1_start AND created_at < $w1_end))
  GROUP BY "window"
)

-- backlog per week
SELECT * FROM (
  SELECT 0 AS "window", bucket, sum(net) OVER (ORDER BY bucket) AS backlog
  FROM (
    SELECT CAST(date_trunc('week', day) AS DATE) AS bucket, sum(backlog_in - backlog_out) AS net
    FROM tickets_daily_team
    WHERE day < $end0
    GROUP BY bucket
  )
)
WHERE bucket >= CAST(date_trunc('week', $start0::DATE) AS DATE)
