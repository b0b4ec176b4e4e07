// Question: Which models was a model fine-tuned from or is a variant of, step by step?
// Param: model = "BLOOMZ"   (model name or alias, any case)
// Param: max_depth = 5   (longest chain of FINE_TUNED_FROM / VARIANT_OF links to follow, at most 10)
// Param: include_knowledge = false   (also list relations from kg's lexicon that no paper states)
// One row per chain: a model reached along two routes appears twice. provenance and
// support are those of each link.
MATCH (m:Model)
WHERE toLower(m.name) = toLower($model)
   OR any(alias IN coalesce(m.aliases, []) WHERE toLower(alias) = toLower($model))
MATCH path = (m)-[:FINE_TUNED_FROM|VARIANT_OF*1..10]->(ancestor:Model)
WHERE length(path) <= $max_depth
  AND ($include_knowledge
       OR none(r IN relationships(path) WHERE coalesce(r.provenance, 'text') = 'knowledge'))
RETURN m.name AS model, ancestor.name AS ancestor, length(path) AS depth,
       [r IN relationships(path) | type(r)] AS relations,
       [r IN relationships(path) | r.provenance] AS provenance,
       [r IN relationships(path) | r.support] AS support,
       [n IN nodes(path) | n.name] AS chain
ORDER BY model, depth, ancestor, relations, provenance
