// Question: Which organizations appear together in papers (mentioned or tagged)?
// Param: min_papers = 1   (least number of shared papers)
// Param: limit = 20   (how many pairs to list)
MATCH (a:Organization)<-[:MENTIONS|TAGGED_WITH]-(p:Paper)-[:MENTIONS|TAGGED_WITH]->(b:Organization)
WHERE a.name < b.name
WITH a, b, p
ORDER BY p.title
WITH a, b, count(DISTINCT p) AS papers, collect(DISTINCT p.title) AS titles
WHERE papers >= $min_papers
RETURN a.name AS organization, b.name AS other, papers, titles[..3] AS titles
ORDER BY papers DESC, organization, other
LIMIT $limit
