-- Target overrides in force on $on: the latest row per KPI, a row for $team winning over a
-- row for every team. $team is NULL unless exactly one team is selected.
SELECT kpi_key, target
FROM targets
WHERE valid_from <= $on
  AND (team IS NULL OR team = $team)
QUALIFY row_number() OVER (PARTITION BY kpi_key ORDER BY (team IS NOT NULL) DESC, valid_from DESC) = 1
