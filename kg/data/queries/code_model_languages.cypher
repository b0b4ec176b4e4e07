// Question: Which programming languages do code-model papers mention?
// Param: limit = 20   (how many languages to list)
// A code-model paper is one that mentions both a model and a programming language;
// models lists the models those papers mention.
MATCH (l:Language {kind: 'programming'})<-[:MENTIONS]-(p:Paper)-[:MENTIONS]->(m:Model)
WITH l, p, m
ORDER BY m.name
WITH l, count(DISTINCT p) AS papers, collect(DISTINCT m.name) AS models
RETURN l.name AS language, papers, models
ORDER BY papers DESC, language
LIMIT $limit
