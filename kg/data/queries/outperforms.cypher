// Question: Which models does a model outperform, and which outperform it?
// Param: model = "GPT-4"   (model name or alias, any case)
MATCH (m:Model)-[r:OUTPERFORMS]-(other)
WHERE toLower(m.name) = toLower($model)
   OR any(alias IN coalesce(m.aliases, []) WHERE toLower(alias) = toLower($model))
RETURN m.name AS model,
       CASE WHEN startNode(r) = m THEN 'outperforms' ELSE 'outperformed by' END AS relation,
       other.name AS other, r.support AS papers
ORDER BY model, relation DESC, papers DESC, other
