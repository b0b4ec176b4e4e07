// Question: Which models were evaluated on a benchmark?
// Param: dataset = "MMLU"   (dataset name or alias, any case)
MATCH (m:Model)-[r:EVALUATED_ON]->(d:Dataset)
WHERE toLower(d.name) = toLower($dataset)
   OR any(alias IN coalesce(d.aliases, []) WHERE toLower(alias) = toLower($dataset))
RETURN d.name AS dataset, m.name AS model, r.support AS papers, r.evidence[0] AS evidence
ORDER BY dataset, papers DESC, model
