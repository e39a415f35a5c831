SELECT CASE WHEN (created_at >= $w0_start AND created_at < $w0_end) THEN 0 WHEN (created_at >= $w1_start AND created_at < $w1_end) THEN 1 END AS "window",
       coalesce(sum((1)), 0) AS "contacts",
       coalesce(sum((CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "resolved",
       sum((CASE WHEN csat_score >= 4 THEN 1 ELSE 0 END)) / nullif(sum((CASE WHEN csat_score IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "csat",
       sum((csat_score)) / nullif(sum((CASE WHEN csat_score IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "csat_avg",
       sum((CASE WHEN nps_score >= 9 THEN 1 WHEN nps_score <= 6 THEN -1 ELSE 0 END)) / nullif(sum((CASE WHEN nps_score IS NOT NULL THEN 1 ELSE 0 END)), 0) * 100.0 AS "nps",
       sum((CASE WHEN is_fcr AND is_answered IS DISTINCT FROM FALSE THEN 1 ELSE 0 END)) / nullif(sum((CASE WHEN is_fcr IS NOT NULL AND is_answered IS DISTINCT FROM FALSE THEN 1 ELSE 0 END)), 0) AS "fcr_rate",
       sum((CASE WHEN is_answered IS DISTINCT FROM FALSE THEN handle_time_s END)) / nullif(sum((CASE WHEN handle_time_s IS NOT NULL AND is_answered IS DISTINCT FROM FALSE THEN 1 ELSE 0 END)), 0) AS "aht_s",
       sum((CASE WHEN is_answered AND wait_time_s <= $service_level_threshold_s THEN 1 ELSE 0 END)) / nullif(sum((CASE WHEN is_answered IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "service_level",
       sum((CASE WHEN is_answered THEN wait_time_s END)) / nullif(sum((CASE WHEN is_answered AND wait_time_s IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "asa_s",
       sum((CASE WHEN is_answered THEN 1 ELSE 0 END)) / nullif(sum((CASE WHEN is_answered IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "answer_rate",
       sum((CASE WHEN NOT is_answered THEN 1 ELSE 0 END)) / nullif(sum((CASE WHEN is_answered IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "abandon_rate",
       sum((CASE WHEN is_sla_met THEN 1 ELSE 0 END)) / nullif(sum((CASE WHEN is_sla_met IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "sla_rate",
       sum((CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END)) / nullif(sum((CASE WHEN reopen_count IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "reopen_rate",
       sum((CASE WHEN is_escalated THEN 1 ELSE 0 END)) / nullif(sum((CASE WHEN is_escalated IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "escalation_rate",
       sum((CASE WHEN reassignment_count > 0 THEN 1 ELSE 0 END)) / nullif(sum((CASE WHEN reassignment_count IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "reassignment_rate",
       sum((CASE WHEN is_resolved_by_bot THEN 1 ELSE 0 END)) / nullif(sum((CASE WHEN is_resolved_by_bot IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "bot_resolution_rate",
       sum((qa_score)) / nullif(sum((CASE WHEN qa_score IS NOT NULL THEN 1 ELSE 0 END)), 0) AS "qa_score",
       coalesce(sum((1)), 0) AS "cost_per_contact"
FROM "tickets"
WHERE ((created_at >= $w0_start AND created_at < $w0_end) OR (created_at >= $w1_start AND created_at < $w1_end))
GROUP BY "window"

-- rollup
SELECT CASE WHEN (day >= $w0_start AND day < $w0_end) THEN 0 WHEN (day >= $w1_start AND day < $w1_end) THEN 1 END AS "window",
       CAST(date_trunc('week', day) AS DATE) AS bucket,
       coalesce(sum("m_contacts"), 0) AS "contacts",
       coalesce(sum("m_resolved"), 0) AS "resolved",
       sum("m_csat_satisfied") / nullif(sum("m_csat_responses"), 0) AS "csat",
       sum("m_csat_sum") / nullif(sum("m_csat_responses"), 0) AS "csat_avg",
       sum("m_nps_net") / nullif(sum("m_nps_responses"), 0) * 100.0 AS "nps",
       sum("m_fcr_yes") / nullif(sum("m_fcr_known"), 0) AS "fcr_rate",
       sum("m_handle_time_sum_s") / nullif(sum("m_handle_time_count"), 0) AS "aht_s",
       sum("m_answered_in_threshold") / nullif(sum("m_offered"), 0) AS "service_level",
       sum("m_answered_wait_sum_s") / nullif(sum("m_answered_wait_count"), 0) AS "asa_s",
       sum("m_answered") / nullif(sum("m_offered"), 0) AS "answer_rate",
       sum("m_abandoned") / nullif(sum("m_offered"), 0) AS "abandon_rate",
       sum("m_sla_met") / nullif(sum("m_sla_known"), 0) AS "sla_rate",
       sum("m_reopened") / nullif(sum("m_reopen_known"), 0) AS "reopen_rate",
       sum("m_escalated") / nullif(sum("m_escalation_known"), 0) AS "escalation_rate",
       sum("m_reassigned") / nullif(sum("m_reassignment_known"), 0) AS "reassignment_rate",
       sum("m_bot_resolved") / nullif(sum("m_bot_known"), 0) AS "bot_resolution_rate",
       sum("m_qa_sum") / nullif(sum("m_qa_count"), 0) AS "qa_score",
       coalesce(sum("m_contacts"), 0) AS "cost_per_contact"
FROM tickets_daily_team
WHERE ((day >= $w0_start AND day < $w0_end) OR (day >= $w1_start AND day < $w1_end))
  AND list_contains($f_team::VARCHAR[], "team")
GROUP BY "window", bucket

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
  SELECT bucket, sum(net) OVER (ORDER BY bucket) AS backlog
  FROM (
    SELECT CAST(date_trunc('week', day) AS DATE) AS bucket, sum(opened - closed) AS net
    FROM backlog_daily
    WHERE day < $end
    GROUP BY bucket
  )
)
WHERE bucket >= CAST(date_trunc('week', $start::DATE) AS DATE)
