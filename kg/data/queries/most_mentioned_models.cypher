// Question: Which models are mentioned in the most papers?
// Param: limit = 20   (how many models to list)
// Ties on papers are broken by the total number of mentions, then by name.
MATCH (p:Paper)-[r:MENTIONS]->(m:Model)
RETURN m.name AS model, count(DISTINCT p) AS papers, sum(coalesce(r.count, 1)) AS mentions
ORDER BY papers DESC, mentions DESC, model
LIMIT $limit
