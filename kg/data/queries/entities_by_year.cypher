// Question: How many entities of each label are mentioned in the papers of each year?
// Param: since = 1900   (first year, inclusive)
// Param: until = 2100   (last year, inclusive)
// Papers without a known year are left out.
MATCH (p:Paper)-[:MENTIONS]->(e)
WHERE p.year IS NOT NULL AND p.year >= $since AND p.year <= $until
RETURN p.year AS year, labels(e)[0] AS label, count(DISTINCT e) AS entities,
       count(DISTINCT p) AS papers
ORDER BY year, label
