// Question: What does a paper mention and introduce?
// Param: title = "BLOOM: A 176B"   (text in the paper's title, any case)
// Param: limit = 50   (how many rows to list)
MATCH (p:Paper)-[r:MENTIONS|INTRODUCES]->(e)
WHERE toLower(p.title) CONTAINS toLower($title)
RETURN p.title AS paper, type(r) AS relation, labels(e)[0] AS label, e.name AS name,
       r.count AS mentions
ORDER BY paper, relation, label, name
LIMIT $limit
