// Question: What was a model trained and evaluated on?
// Param: model = "BLOOM"   (model name or alias, any case)
// papers = how many papers state the relation; evidence = one sentence that does.
MATCH (m:Model)-[r:TRAINED_ON|EVALUATED_ON]->(d:Dataset)
WHERE toLower(m.name) = toLower($model)
   OR any(alias IN coalesce(m.aliases, []) WHERE toLower(alias) = toLower($model))
RETURN m.name AS model, type(r) AS relation, d.name AS dataset, r.support AS papers,
       r.evidence[0] AS evidence
ORDER BY model, relation DESC, papers DESC, dataset
