// Question: Which models were fine-tuned from a model or are variants of it, directly or not?
// Param: model = "BLOOM"   (model name or alias, any case)
// Param: max_depth = 2   (longest chain of FINE_TUNED_FROM / VARIANT_OF links to follow, at most 10)
// One row per chain: a model reached along two routes appears twice.
MATCH (m:Model)
WHERE toLower(m.name) = toLower($model)
   OR any(alias IN coalesce(m.aliases, []) WHERE toLower(alias) = toLower($model))
MATCH path = (derived:Model)-[:FINE_TUNED_FROM|VARIANT_OF*1..10]->(m)
WHERE length(path) <= $max_depth
RETURN m.name AS model, derived.name AS derived, length(path) AS depth,
       [r IN relationships(path) | type(r)] AS relations,
       [n IN nodes(path) | n.name] AS chain
ORDER BY model, depth, derived, relations
