// Question: Which models and datasets does an organization develop?
// Param: organization = "BigScience"   (organization name or alias, any case)
MATCH (e:Model|Dataset)-[r:DEVELOPED_BY]->(o:Organization)
WHERE toLower(o.name) = toLower($organization)
   OR any(alias IN coalesce(o.aliases, []) WHERE toLower(alias) = toLower($organization))
RETURN o.name AS organization, labels(e)[0] AS label, e.name AS name, r.support AS papers
ORDER BY organization, papers DESC, label, name
