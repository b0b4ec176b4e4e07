// Question: Which datasets were introduced by papers dated within a range?
// Param: since = "1900-01-01"   (earliest paper date, ISO, inclusive)
// Param: until = "9999-12-31"   (latest paper date, ISO, inclusive)
// Dates are compared as ISO text, so a partial date (2023-06) is in range when its
// first day is; papers without a known year are left out.
MATCH (p:Paper)-[:INTRODUCES]->(d:Dataset)
WITH p, d, coalesce(p.date, toString(p.year)) AS date
WHERE p.year IS NOT NULL AND date >= $since AND date <= $until
RETURN date, d.name AS dataset, p.title AS paper
ORDER BY date, dataset, paper
