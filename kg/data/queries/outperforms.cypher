// Question: Which models does a model outperform, and which outperform it?
// Param: model = "GPT-4"   (model name or alias, any case)
// Param: include_knowledge = false   (also list relations from kg's lexicon that no paper states)
MATCH (m:Model)-[r:OUTPERFORMS]-(other)
WHERE (toLower(m.name) = toLower($model)
       OR any(alias IN coalesce(m.aliases, []) WHERE toLower(alias) = toLower($model)))
  AND (coalesce(r.provenance, 'text') <> 'knowledge' OR $include_knowledge)
RETURN m.name AS model,
       CASE WHEN startNode(r) = m THEN 'outperforms' ELSE 'outperformed by' END AS relation,
       other.name AS other, r.provenance AS provenance, r.support AS support,
       r.evidence[0] AS evidence
ORDER BY model, relation DESC, support DESC, other, provenance
